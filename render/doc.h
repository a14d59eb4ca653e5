/* doc.h - a report as data: headings, paragraphs, tables, images and code
 * blocks kept in order, then written as Markdown or as one self-contained
 * HTML file; and a table described once (struct fb_table), printed on
 * the terminal from the same description. Renderers only format (STYLE 3). */
#ifndef FB_DOC_H
#define FB_DOC_H

#include <stdio.h>
#include <jansson.h>

struct fb_doc {
	json_t *blocks;   /* array of {"kind": ..., ...} */
	json_t *table;    /* the table being filled, or NULL */
};

void fb_doc_init(struct fb_doc *doc);
void fb_doc_free(struct fb_doc *doc);
/* Headings, paragraphs, table cells and image titles may hold inline
 * Markdown: `code` and **strong**, which the HTML renders (nothing else). */
void fb_doc_heading(struct fb_doc *doc, int level, const char *text);
void fb_doc_para(struct fb_doc *doc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fb_doc_code(struct fb_doc *doc, const char *text);
/* A section of reference material, from its heading up to
 * fb_doc_details_end: HTML folds it (<details> with the heading as its
 * <summary>, closed until clicked), Markdown writes the heading and the
 * content as they are. Sections nest; one left open ends with the doc. */
void fb_doc_details_begin(struct fb_doc *doc, int level, const char *heading);
void fb_doc_details_end(struct fb_doc *doc);
/* A table: header cells, then rows of the same width. */
void fb_doc_table(struct fb_doc *doc, int ncols, const char *const *header);
void fb_doc_row(struct fb_doc *doc, const char *const *cells);
/* A table described once: each column's header, how its cell is made from
 * a row, and how the terminal lays it out; rendered on the terminal
 * (fb_table_print) and into a doc (fb_doc_add_table), which writes it as
 * Markdown and HTML. Where the terminal and the doc say different things,
 * a column is shown by one of them only, never two loops. */
enum fb_col_show {
	FB_SHOW_BOTH,
	FB_SHOW_TERMINAL,
	FB_SHOW_DOC,   /* Markdown and HTML */
};

struct fb_col {
	const char *header;
	/* The cell's text: buf written into, or a string the row holds. ctx is
	 * the table's: what a cell needs that the row does not hold. */
	const char *(*cell)(const void *row, const void *ctx, char *buf, size_t len);
	enum fb_col_show show;
	/* Terminal: spaces before the cell and its printf width (negative:
	 * left-aligned; 0: as it is). A column with below set is not in the
	 * row's line but on a line of its own under it, after that prefix. */
	int gap, width;
	const char *below;
	/* NULL, or whether this rendering has the column at all (from ctx). */
	int (*present)(const void *ctx);
};

struct fb_table {
	const struct fb_col *cols;
	size_t ncols;
	const void *ctx;
	int terminal_header;   /* the terminal prints a header line */
	size_t row_size;       /* rows are an array of this stride */
	/* NULL, or whether a row is in the table (in every rendering). */
	int (*keep)(const void *row, const void *ctx);
};

/* Header line (if the table has one) and every row kept, on the terminal. */
void fb_table_print(const struct fb_table *table, const void *rows, size_t nrows, FILE *out);
/* One row, for a terminal listing that leaves some rows out. */
void fb_table_print_row(const struct fb_table *table, const void *row, FILE *out);
/* The whole table as a doc table (its Markdown and HTML). */
void fb_doc_add_table(struct fb_doc *doc, const struct fb_table *table, const void *rows, size_t nrows);
/* The table alone as Markdown, for a page written by hand around it. */
int fb_table_write_md(const struct fb_table *table, const void *rows, size_t nrows, FILE *out);

/* An image rendered as plots/<stem>.png (Markdown) and plots/<stem>.svg
 * (embedded in the HTML), paths relative to the run folder. */
void fb_doc_image(struct fb_doc *doc, const char *stem, const char *title);

int fb_doc_write_md(const struct fb_doc *doc, FILE *out);
/* run_dir: where plots/<stem>.svg are read from to be embedded. 0 or -1
 * with err naming the unreadable file. */
int fb_doc_write_html(const struct fb_doc *doc, const char *title, const char *run_dir,
		      FILE *out, char *err, size_t err_len);
/* dir/stem.md and dir/stem.html (its images from dir), each written to a
 * temp file and renamed. 0, or -1 with err naming the file. */
int fb_doc_write_files(const struct fb_doc *doc, const char *dir, const char *stem, const char *title, char *err,
		       size_t err_len);

#endif
