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

void fb_doc_details_begin(struct fb_doc *doc, int level, const char *heading)
{
	add(doc, json_pack("{s:s, s:i, s:s}", "kind", "details", "level", level, "text", heading));
}

void fb_doc_details_end(struct fb_doc *doc)
{
	add(doc, json_pack("{s:s}", "kind", "details_end"));
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
		if (strcmp(kind, "heading") == 0 || strcmp(kind, "details") == 0)   /* Markdown has no details */
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

#define WORD_BREAK_CHARS 16   /* the longest run of characters kept without a break */

/* from..to of a text, escaped. */
static void escape_part(const char *from, const char *to, FILE *out)
{
	char *part = strndup(from, (size_t)(to - from));
	fb_xml_escape(part ? part : "", out);
	free(part);
}

/* The text from *seg to at, escaped, then a line-break opportunity. */
static void break_before(const char **seg, const char *at, FILE *out)
{
	escape_part(*seg, at, out);
	fputs("<wbr>", out);
	*seg = at;
}

/* from..to of a text, escaped, with a line-break opportunity (<wbr>) after
 * each character that joins the parts of a name (a benchmark's
 * "cow/child_write_all/mem_mib:1/mode:thp", the cgroup limits' JSON) and
 * in a run of WORD_BREAK_CHARS characters without one (a git revision): a
 * narrow table breaks them there, not at any letter, and needs no more
 * width than such a part. Never inside a UTF-8 sequence. */
static void html_span(const char *from, const char *to, FILE *out)
{
	static const char joins[] = "/,:;=_";
	const char *seg = from;
	size_t run = 0;   /* characters since the last space or break */

	for (const char *c = from; c < to; c++) {
		int lead = ((unsigned char)*c & 0xc0) != 0x80;   /* not inside a UTF-8 sequence */
		if (lead && run >= WORD_BREAK_CHARS)
			break_before(&seg, c, out), run = 0;
		run = *c == ' ' ? 0 : run + lead;
		if (strchr(joins, *c) && c + 1 < to)
			break_before(&seg, c + 1, out), run = 0;
	}
	escape_part(seg, to, out);
}

/* The closing run of exactly n backticks after at, or NULL. */
static const char *code_close(const char *at, size_t n)
{
	while ((at = strchr(at, '`'))) {
		size_t run = strspn(at, "`");
		if (run == n)
			return at;
		at += run;
	}
	return NULL;
}

/* A text of the doc (its paragraphs, headings and cells hold the inline
 * Markdown the renderers write) as HTML: `code` and **strong** rendered,
 * the rest escaped; a backtick run or ** without its closer stays as it is,
 * as CommonMark leaves it. Links and emphasis are not written, so not read. */
static void html_inline(const char *text, FILE *out)
{
	const char *plain = text, *at = text;

	while (*at) {
		int code = *at == '`';
		size_t n = code ? strspn(at, "`") : strncmp(at, "**", 2) == 0 ? 2 : 0;
		const char *close = !n ? NULL : code ? code_close(at + n, n) : strstr(at + n, "**");
		if (!close || close == at + n) {   /* plain text, no closer, or nothing between */
			at += n ? n : 1;
			continue;
		}
		html_span(plain, at, out);
		fputs(code ? "<code>" : "<strong>", out);
		if (code) {
			html_span(at + n, close, out);
		} else {   /* strong may hold code */
			char *inner = strndup(at + n, (size_t)(close - at - n));
			html_inline(inner ? inner : "", out);
			free(inner);
		}
		fputs(code ? "</code>" : "</strong>", out);
		plain = at = close + n;
	}
	html_span(plain, at, out);
}

/* A cell of words, not a figure: it reads left-aligned (a figure,
 * "490.4 [458.4, 508.0]" or "1.07x", stays right-aligned under its
 * column's head). Words: longer than 24 characters with 3 spaces or more
 * (a claim's sentence; "us per round trip" is short, an interval has 2). */
static int is_prose(const char *text)
{
	size_t spaces = 0;
	for (const char *c = text; c && *c; c++)
		spaces += *c == ' ';
	return text && strlen(text) > 24 && spaces >= 3;
}

/* A table in a box that scrolls sideways when its columns cannot shrink
 * to the page (a phone), so the page itself never does. */
static void html_table(json_t *block, FILE *out)
{
	json_t *row, *cell;
	size_t i, j;

	fputs("<div class=\"table\"><table>\n<tr>", out);
	json_array_foreach(json_object_get(block, "header"), i, cell) {
		fputs("<th>", out);
		html_inline(json_string_value(cell), out);
		fputs("</th>", out);
	}
	fputs("</tr>\n", out);
	json_array_foreach(json_object_get(block, "rows"), i, row) {
		fputs("<tr>", out);
		json_array_foreach(row, j, cell) {
			fputs(j > 0 && is_prose(json_string_value(cell)) ? "<td class=\"text\">" : "<td>", out);
			html_inline(json_string_value(cell), out);
			fputs("</td>", out);
		}
		fputs("</tr>\n", out);
	}
	fputs("</table></div>\n", out);
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
	html_inline(text_of(block, "title"), out);
	fputs("</figcaption></figure>\n", out);
	free(data);
	return 0;
}

/* Fits any window from a phone (390 px) up: the body at most 72em; text
 * wraps anywhere rather than widen the page; a table cell wraps at its
 * spaces and <wbr> (a kernel command line, the cgroup JSON, a benchmark's
 * name), and a table whose columns cannot shrink further scrolls in its
 * own box. tests/test_report.c measures it in Chromium at 1280 and 390 px. */
static const char html_head_start[] =
	"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
static const char html_head_end[] =
	"</title>\n<style>\n"
	"body{font-family:sans-serif;max-width:72em;margin:auto;padding:1em;color:#222;overflow-wrap:anywhere}\n"
	"div.table{max-width:100%;overflow-x:auto}table{border-collapse:collapse;margin:1em 0;font-size:90%}\n"
	"td,th{border:1px solid #ccc;padding:2px 6px;text-align:right;overflow-wrap:break-word}th{background:#f0f0f0}\n"
	"td:first-child,td.text{text-align:left}pre{background:#f6f6f6;padding:.5em;white-space:pre-wrap}\n"
	"code{background:#f0f0f0;padding:0 2px}img{max-width:100%;height:auto}figure{margin:1em 0}\n"
	"summary h1,summary h2,summary h3,summary h4{display:inline}summary{cursor:pointer;margin:.8em 0}\n"
	"</style>\n</head><body>\n";

/* A heading, or the summary line of a collapsible section. */
static void html_heading(json_t *block, FILE *out)
{
	int level = (int)json_integer_value(json_object_get(block, "level"));
	int details = strcmp(text_of(block, "kind"), "details") == 0;

	fprintf(out, "%s<h%d>", details ? "<details><summary>" : "", level);
	html_inline(text_of(block, "text"), out);
	fprintf(out, "</h%d>%s\n", level, details ? "</summary>" : "");
}

/* One block as HTML; open counts the sections still open. 0, or -1 with
 * err (an image that cannot be read). */
static int html_block(json_t *block, const char *run_dir, int *open, FILE *out, char *err, size_t err_len)
{
	const char *kind = text_of(block, "kind");

	if (strcmp(kind, "heading") == 0 || strcmp(kind, "details") == 0) {
		*open += kind[0] == 'd';
		html_heading(block, out);
	} else if (strcmp(kind, "details_end") == 0 && *open > 0) {
		(*open)--;
		fputs("</details>\n", out);
	} else if (strcmp(kind, "para") == 0) {
		fputs("<p>", out);
		html_inline(text_of(block, "text"), out);
		fputs("</p>\n", out);
	} else if (strcmp(kind, "code") == 0) {
		fputs("<pre>", out);
		fb_xml_escape(text_of(block, "text"), out);
		fputs("</pre>\n", out);
	} else if (strcmp(kind, "table") == 0) {
		html_table(block, out);
	} else if (strcmp(kind, "image") == 0) {
		return html_image(block, run_dir, out, err, err_len);
	}
	return 0;
}

int fb_doc_write_html(const struct fb_doc *doc, const char *title, const char *run_dir,
		      FILE *out, char *err, size_t err_len)
{
	json_t *block;
	size_t i;
	int open = 0;

	fputs(html_head_start, out);
	fb_xml_escape(title, out);
	fputs(html_head_end, out);
	json_array_foreach(doc->blocks, i, block)
		if (html_block(block, run_dir, &open, out, err, err_len))
			return -1;
	while (open--)   /* a section left open ends with the page */
		fputs("</details>\n", out);
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
