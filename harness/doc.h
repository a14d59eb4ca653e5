/* doc.h - a report as data: headings, paragraphs, tables, images and code
 * blocks kept in order, then written as Markdown or as one self-contained
 * HTML file. Renderers only format (STYLE 3). */
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
void fb_doc_heading(struct fb_doc *doc, int level, const char *text);
void fb_doc_para(struct fb_doc *doc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fb_doc_code(struct fb_doc *doc, const char *text);
/* A table: header cells, then rows of the same width. */
void fb_doc_table(struct fb_doc *doc, int ncols, const char *const *header);
void fb_doc_row(struct fb_doc *doc, const char *const *cells);
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
