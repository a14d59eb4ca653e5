/* doc.c - build a report as data and write it as Markdown or HTML; a table
 * described once, on the terminal or into a doc (see doc.h). */
#define _GNU_SOURCE
#include "doc.h"
#include "files.h"
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <limits.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

void fb_doc_init(struct fb_doc *doc)
{
	doc->blocks = json_array();
	doc->table = NULL;
}

void fb_doc_free(struct fb_doc *doc)
{
	json_decref(doc->blocks);
	doc->blocks = doc->table = NULL;
}

static void add(struct fb_doc *doc, json_t *block)
{
	json_array_append_new(doc->blocks, block);
	doc->table = NULL;
}

void fb_doc_heading(struct fb_doc *doc, int level, const char *text)
{
	add(doc, json_pack("{s:s, s:i, s:s}", "kind", "heading", "level", level, "text", text));
}

void fb_doc_para(struct fb_doc *doc, const char *fmt, ...)
{
	char *text = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	add(doc, json_pack("{s:s, s:s}", "kind", "para", "text", text ? text : ""));
	free(text);
}

void fb_doc_code(struct fb_doc *doc, const char *text)
{
	add(doc, json_pack("{s:s, s:s}", "kind", "code", "text", text));
}

/* A table block with its header (taken), rows to follow. */
static void open_table(struct fb_doc *doc, json_t *head)
{
	json_t *table = json_pack("{s:s, s:o, s:[]}", "kind", "table", "header", head, "rows");
	add(doc, table);
	doc->table = table;
}

void fb_doc_table(struct fb_doc *doc, int ncols, const char *const *header)
{
	json_t *head = json_array();
	for (int i = 0; i < ncols; i++)
		json_array_append_new(head, json_string(header[i]));
	open_table(doc, head);
}

void fb_doc_row(struct fb_doc *doc, const char *const *cells)
{
	json_t *row = json_array();
	size_t ncols = json_array_size(json_object_get(doc->table, "header"));
	for (size_t i = 0; i < ncols; i++)
		json_array_append_new(row, json_string(cells[i] ? cells[i] : ""));
	json_array_append_new(json_object_get(doc->table, "rows"), row);
}

/* --- a table described once (struct fb_table), on the terminal or into a doc */

#define CELL_LEN 1024   /* a made cell; the longest is a consistency pair's line */

static int shown(const struct fb_table *table, const struct fb_col *col, enum fb_col_show where)
{
	return (col->show == FB_SHOW_BOTH || col->show == where) && (!col->present || col->present(table->ctx));
}

static const char *cell_text(const struct fb_table *table, const struct fb_col *col, const void *row, char *buf)
{
	buf[0] = '\0';
	const char *text = col->cell(row, table->ctx, buf, CELL_LEN);
	return text ? text : "";
}

static const void *row_at(const struct fb_table *table, const void *rows, size_t i)
{
	return (const char *)rows + i * table->row_size;
}

static int kept(const struct fb_table *table, const void *row)
{
	return !table->keep || table->keep(row, table->ctx);
}

/* One line of the terminal's columns (those below left out): the row's
 * cells, or the headers when row is NULL. */
static void terminal_line(const struct fb_table *table, const void *row, FILE *out)
{
	char buf[CELL_LEN];

	for (size_t i = 0; i < table->ncols; i++) {
		const struct fb_col *col = &table->cols[i];
		if (!shown(table, col, FB_SHOW_TERMINAL) || col->below)
			continue;
		fprintf(out, "%*s%*s", col->gap, "", col->width, row ? cell_text(table, col, row, buf) : col->header);
	}
	fputc('\n', out);
}

void fb_table_print_row(const struct fb_table *table, const void *row, FILE *out)
{
	char buf[CELL_LEN];

	terminal_line(table, row, out);
	for (size_t i = 0; i < table->ncols; i++) {
		const struct fb_col *col = &table->cols[i];
		if (shown(table, col, FB_SHOW_TERMINAL) && col->below)
			fprintf(out, "%s%s\n", col->below, cell_text(table, col, row, buf));
	}
}

void fb_table_print(const struct fb_table *table, const void *rows, size_t nrows, FILE *out)
{
	if (table->terminal_header)
		terminal_line(table, NULL, out);
	for (size_t i = 0; i < nrows; i++) {
		const void *row = row_at(table, rows, i);
		if (kept(table, row))
			fb_table_print_row(table, row, out);
	}
}

void fb_doc_add_table(struct fb_doc *doc, const struct fb_table *table, const void *rows, size_t nrows)
{
	json_t *head = json_array();
	char buf[CELL_LEN];

	for (size_t c = 0; c < table->ncols; c++)
		if (shown(table, &table->cols[c], FB_SHOW_DOC))
			json_array_append_new(head, json_string(table->cols[c].header));
	open_table(doc, head);
	for (size_t i = 0; i < nrows; i++) {
		const void *row = row_at(table, rows, i);
		json_t *cells;
		if (!kept(table, row))
			continue;
		cells = json_array();
		for (size_t c = 0; c < table->ncols; c++)
			if (shown(table, &table->cols[c], FB_SHOW_DOC))
				json_array_append_new(cells, json_string(cell_text(table, &table->cols[c], row, buf)));
		json_array_append_new(json_object_get(doc->table, "rows"), cells);
	}
}

int fb_table_write_md(const struct fb_table *table, const void *rows, size_t nrows, FILE *out)
{
	struct fb_doc doc;
	int e;

	fb_doc_init(&doc);
	fb_doc_add_table(&doc, table, rows, nrows);
	e = fb_doc_write_md(&doc, out);
	fb_doc_free(&doc);
	return e;
}

void fb_doc_image(struct fb_doc *doc, const char *stem, const char *title)
{
	add(doc, json_pack("{s:s, s:s, s:s}", "kind", "image", "stem", stem, "title", title));
}

static const char *text_of(json_t *block, const char *key)
{
	return json_string_value(json_object_get(block, key));
}

/* Markdown table cells must not hold a bare '|'. */
static void md_row(json_t *cells, FILE *out)
{
	json_t *cell;
	size_t i;

	json_array_foreach(cells, i, cell) {
		fputs("| ", out);
		for (const char *c = json_string_value(cell); *c; c++) {
			if (*c == '|')
				fputc('\\', out);
			fputc(*c, out);
		}
		fputc(' ', out);
	}
	fputs("|\n", out);
}

static void md_table(json_t *block, FILE *out)
{
	json_t *head = json_object_get(block, "header"), *row;
	size_t i;

	md_row(head, out);
	for (i = 0; i < json_array_size(head); i++)
		fputs(i ? " --- |" : "| --- |", out);
	fputc('\n', out);
	json_array_foreach(json_object_get(block, "rows"), i, row)
		md_row(row, out);
	fputc('\n', out);
}

int fb_doc_write_md(const struct fb_doc *doc, FILE *out)
{
	json_t *block;
	size_t i;

	json_array_foreach(doc->blocks, i, block) {
		const char *kind = text_of(block, "kind");
		if (strcmp(kind, "heading") == 0)
			fprintf(out, "%.*s %s\n\n", (int)json_integer_value(json_object_get(block, "level")),
				"######", text_of(block, "text"));
		else if (strcmp(kind, "para") == 0)
			fprintf(out, "%s\n\n", text_of(block, "text"));
		else if (strcmp(kind, "code") == 0)
			fprintf(out, "```\n%s\n```\n\n", text_of(block, "text"));
		else if (strcmp(kind, "table") == 0)
			md_table(block, out);
		else if (strcmp(kind, "image") == 0)
			fprintf(out, "![%s](plots/%s.png)\n\n", text_of(block, "title"), text_of(block, "stem"));
	}
	return ferror(out) ? -1 : 0;
}

static void html_table(json_t *block, FILE *out)
{
	json_t *row, *cell;
	size_t i, j;

	fputs("<table>\n<tr>", out);
	json_array_foreach(json_object_get(block, "header"), i, cell) {
		fputs("<th>", out);
		fb_xml_escape(json_string_value(cell), out);
		fputs("</th>", out);
	}
	fputs("</tr>\n", out);
	json_array_foreach(json_object_get(block, "rows"), i, row) {
		fputs("<tr>", out);
		json_array_foreach(row, j, cell) {
			fputs("<td>", out);
			fb_xml_escape(json_string_value(cell), out);
			fputs("</td>", out);
		}
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void base64(const unsigned char *data, size_t len, FILE *out)
{
	static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)data[i] << 16 | (i + 1 < len ? (unsigned)data[i + 1] << 8 : 0) |
			     (i + 2 < len ? data[i + 2] : 0);
		fputc(digits[v >> 18 & 63], out);
		fputc(digits[v >> 12 & 63], out);
		fputc(i + 1 < len ? digits[v >> 6 & 63] : '=', out);
		fputc(i + 2 < len ? digits[v & 63] : '=', out);
	}
}

/* The SVG goes in as a data: URI, so the HTML file stands alone. */
static int html_image(json_t *block, const char *run_dir, FILE *out, char *err, size_t err_len)
{
	char path[4096];
	FILE *f;
	unsigned char *data;
	long len;

	snprintf(path, sizeof(path), "%s/plots/%s.svg", run_dir, text_of(block, "stem"));
	if (!(f = fopen(path, "rb")) || fseek(f, 0, SEEK_END) || (len = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET) || !(data = malloc((size_t)len)) || fread(data, 1, (size_t)len, f) != (size_t)len) {
		snprintf(err, err_len, "%s: missing or unreadable plot", path);
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	fputs("<figure><img alt=\"", out);
	fb_xml_escape(text_of(block, "title"), out);
	fputs("\" src=\"data:image/svg+xml;base64,", out);
	base64(data, (size_t)len, out);
	fputs("\"><figcaption>", out);
	fb_xml_escape(text_of(block, "title"), out);
	fputs("</figcaption></figure>\n", out);
	free(data);
	return 0;
}

static const char html_head[] =
	"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>%s</title>\n<style>\n"
	"body{font-family:sans-serif;max-width:72em;margin:auto;padding:1em;color:#222}\n"
	"table{border-collapse:collapse;margin:1em 0;font-size:90%%}\n"
	"td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}th{background:#f0f0f0}\n"
	"td:first-child{text-align:left}pre{background:#f6f6f6;padding:.5em;overflow-x:auto}\n"
	"img{max-width:100%%}figure{margin:1em 0}\n</style>\n"
	/* Marks the body once every image decoded: what the browser test reads. */
	"<script>window.addEventListener('load',function(){var i=document.images,n=0;"
	"for(var k=0;k<i.length;k++)if(i[k].complete&&i[k].naturalWidth>0)n++;"
	"document.body.setAttribute('data-images-loaded',n+'/'+i.length);});</script>\n"
	"</head><body>\n";

int fb_doc_write_html(const struct fb_doc *doc, const char *title, const char *run_dir,
		      FILE *out, char *err, size_t err_len)
{
	json_t *block;
	size_t i;

	fprintf(out, html_head, title);
	json_array_foreach(doc->blocks, i, block) {
		const char *kind = text_of(block, "kind");
		if (strcmp(kind, "heading") == 0) {
			int level = (int)json_integer_value(json_object_get(block, "level"));
			fprintf(out, "<h%d>", level);
			fb_xml_escape(text_of(block, "text"), out);
			fprintf(out, "</h%d>\n", level);
		} else if (strcmp(kind, "para") == 0 || strcmp(kind, "code") == 0) {
			int code = kind[0] == 'c';
			fputs(code ? "<pre>" : "<p>", out);
			fb_xml_escape(text_of(block, "text"), out);
			fputs(code ? "</pre>\n" : "</p>\n", out);
		} else if (strcmp(kind, "table") == 0) {
			html_table(block, out);
		} else if (strcmp(kind, "image") == 0 && html_image(block, run_dir, out, err, err_len)) {
			return -1;
		}
	}
	fputs("</body></html>\n", out);
	return ferror(out) ? -1 : 0;
}

int fb_doc_write_files(const struct fb_doc *doc, const char *dir, const char *stem, const char *title, char *err,
		       size_t err_len)
{
	char path[PATH_MAX];
	struct fb_membuf buf;
	int e;

	snprintf(path, sizeof(path), "%s/%s.md", dir, stem);
	if ((e = fb_membuf_open(&buf)) || fb_doc_write_md(doc, buf.f) || (e = fb_membuf_commit(&buf, path)))
		return snprintf(err, err_len, "%s: %s", path, strerror(e ? -e : EIO)), -1;
	snprintf(path, sizeof(path), "%s/%s.html", dir, stem);
	if ((e = fb_membuf_open(&buf)))
		return snprintf(err, err_len, "%s: %s", path, strerror(-e)), -1;
	if (fb_doc_write_html(doc, title, dir, buf.f, err, err_len)) {
		fclose(buf.f);
		free(buf.data);
		return -1;
	}
	if ((e = fb_membuf_commit(&buf, path)))
		return snprintf(err, err_len, "%s: %s", path, strerror(-e)), -1;
	return 0;
}
