/* test_doc.c - a table described once (struct fb_table in doc.h) comes out
 * on the terminal, in Markdown and in HTML as worked out here by hand:
 * widths and gaps, a cell on a line below, columns one output shows and
 * the other not, a column this rendering leaves out, rows left out, and
 * Markdown's '|' and HTML's '<' escaped; inline Markdown rendered in HTML
 * and reference sections folded there. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "testutil.h"
#include "doc.h"

struct sample {
	const char *name;
	double value_us;
	const char *detail;
	int hidden;
};

static const struct sample samples[] = {
	{ "fork", 44.25, "made by fork()", 0 },
	{ "gone", 1.0, "left out", 1 },
	{ "vfork", 3.5, "made by vfork()", 0 },
};

static const char *cell_name(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx, (void)buf, (void)len;
	return ((const struct sample *)row)->name;
}

static const char *cell_value(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx;
	snprintf(buf, len, "%.2f", ((const struct sample *)row)->value_us);
	return buf;
}

/* Terminal only: a star beside figures above 10. */
static const char *cell_flag(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx, (void)buf, (void)len;
	return ((const struct sample *)row)->value_us > 10 ? "*" : "";
}

/* Doc only, with the characters each format must escape. */
static const char *cell_remark(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx;
	snprintf(buf, len, "a|b <%s>", ((const struct sample *)row)->name);
	return buf;
}

static const char *cell_detail(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx, (void)buf, (void)len;
	return ((const struct sample *)row)->detail;
}

static int never(const void *ctx)
{
	(void)ctx;
	return 0;
}

static int shown_rows(const void *row, const void *ctx)
{
	(void)ctx;
	return !((const struct sample *)row)->hidden;
}

static const struct fb_col cols[] = {
	{ .header = "name", .cell = cell_name, .show = FB_SHOW_BOTH, .gap = 2, .width = -6 },
	{ .header = "value", .cell = cell_value, .show = FB_SHOW_BOTH, .gap = 1, .width = 7 },
	{ .header = "flag", .cell = cell_flag, .show = FB_SHOW_TERMINAL, .gap = 2 },
	{ .header = "remark", .cell = cell_remark, .show = FB_SHOW_DOC },
	{ .header = "detail", .cell = cell_detail, .show = FB_SHOW_TERMINAL, .below = "    detail: " },
	{ .header = "absent", .cell = cell_name, .show = FB_SHOW_BOTH, .gap = 1, .present = never },
};

static const struct fb_table table = { cols, sizeof(cols) / sizeof(cols[0]), NULL, .terminal_header = 1,
				       .row_size = sizeof(samples[0]), .keep = shown_rows };


static void check_terminal(void)
{
	struct captured c;
	const char *want = "  name     value  flag\n"
			   "  fork     44.25  *\n"
			   "    detail: made by fork()\n"
			   "  vfork     3.50  \n"
			   "    detail: made by vfork()\n";

	fb_table_print(&table, samples, 3, capture(&c));
	CHECK(strcmp(captured(&c), want) == 0, "terminal: header, rows padded by gap and width, a line below each, "
	      "the hidden row and the absent column left out", "got:\n%s", c.text);
	free(c.text);

	struct fb_table no_header = table;
	no_header.terminal_header = 0;
	fb_table_print_row(&no_header, &samples[2], capture(&c));
	CHECK(strcmp(captured(&c), "  vfork     3.50  \n    detail: made by vfork()\n") == 0,
	      "terminal: one row alone, no header", "got:\n%s", c.text);
	free(c.text);
}

static void check_markdown(void)
{
	struct captured c;
	const char *want = "| name | value | remark |\n"
			   "| --- | --- | --- |\n"
			   "| fork | 44.25 | a\\|b <fork> |\n"
			   "| vfork | 3.50 | a\\|b <vfork> |\n"
			   "\n";

	fb_table_write_md(&table, samples, 3, capture(&c));
	CHECK(strcmp(captured(&c), want) == 0, "Markdown: the doc's columns only, '|' escaped, hidden row left out",
	      "got:\n%s", c.text);
	free(c.text);
}

static void check_html(void)
{
	struct captured c;
	struct fb_doc doc;
	char err[256];
	const char *want = "<div class=\"table\"><table>\n<tr><th>name</th><th>value</th><th>remark</th></tr>\n"
			   "<tr><td>fork</td><td>44.25</td><td>a|b &lt;fork&gt;</td></tr>\n"
			   "<tr><td>vfork</td><td>3.50</td><td>a|b &lt;vfork&gt;</td></tr>\n</table></div>\n";

	fb_doc_init(&doc);
	fb_doc_add_table(&doc, &table, samples, 3);
	int e = fb_doc_write_html(&doc, "t", ".", capture(&c), err, sizeof(err));
	const char *html = captured(&c);
	CHECK(e == 0 && strstr(html, want), "HTML: the same columns and rows as Markdown, '<' escaped",
	      "write %d; got:\n%s", e, html);
	free(c.text);
	fb_doc_free(&doc);
}

/* A doc written both ways: its Markdown and its HTML, to be freed. */
static void write_both(const struct fb_doc *doc, struct captured *md, struct captured *html, int *e)
{
	char err[256];

	*e = fb_doc_write_md(doc, capture(md));
	captured(md);
	*e |= fb_doc_write_html(doc, "t", ".", capture(html), err, sizeof(err));
	captured(html);
}

/* Inline Markdown in a paragraph, a heading and a cell: Markdown keeps it,
 * HTML renders `code` and **strong** with what is inside escaped, leaves a
 * backtick without its closer as it is, and lets a long name break at its
 * joins and every 16 characters of a run without one. */
static void check_inline(void)
{
	static const char *const head[] = { "`key`" };
	static const char *const cell[] = { "**slower**" };
	const char *para = "`forkbench validate` in **this** run: `a<b` & 2 ``x`y`` ` left; 0123456789abcdef0123";
	struct captured md, html;
	struct fb_doc doc;
	int e;

	fb_doc_init(&doc);
	fb_doc_heading(&doc, 2, "The `spawn/fork` case");
	fb_doc_para(&doc, "%s", para);
	fb_doc_table(&doc, 1, head);
	fb_doc_row(&doc, cell);
	write_both(&doc, &md, &html, &e);
	CHECK(e == 0 && strstr(md.text, "## The `spawn/fork` case\n\n") && strstr(md.text, para) &&
	      strstr(md.text, "| `key` |\n| --- |\n| **slower** |\n"), "Markdown: inline code and strong as written",
	      "got:\n%s", md.text);
	CHECK(strstr(html.text, "<h2>The <code>spawn/<wbr>fork</code> case</h2>") &&
	      strstr(html.text, "<p><code>forkbench validate</code> in <strong>this</strong> run:<wbr> "
				"<code>a&lt;b</code> &amp; 2 <code>x`y</code> ` left;<wbr> 0123456789abcdef<wbr>0123</p>") &&
	      strstr(html.text, "<tr><th><code>key</code></th></tr>\n<tr><td><strong>slower</strong></td></tr>"),
	      "HTML: `code` and **strong** rendered and escaped, a lone backtick kept, breaks in long names",
	      "got:\n%s", html.text);
	free(md.text);
	free(html.text);
	fb_doc_free(&doc);
}

/* Reference sections: folded in HTML (<details>, the heading its
 * <summary>), nested; a stray end is ignored and one left open closes with
 * the page; Markdown writes each as a plain heading. */
static void check_details(void)
{
	struct captured md, html;
	struct fb_doc doc;
	int e;

	fb_doc_init(&doc);
	fb_doc_heading(&doc, 2, "Findings");
	fb_doc_details_end(&doc);   /* nothing open: ignored */
	fb_doc_details_begin(&doc, 2, "Environment");
	fb_doc_para(&doc, "kernel");
	fb_doc_details_begin(&doc, 3, "Every benchmark");
	fb_doc_para(&doc, "fork");
	fb_doc_details_end(&doc);
	fb_doc_details_end(&doc);
	fb_doc_details_begin(&doc, 2, "Left open");
	fb_doc_para(&doc, "last");
	write_both(&doc, &md, &html, &e);
	CHECK(e == 0 && strcmp(md.text, "## Findings\n\n## Environment\n\nkernel\n\n### Every benchmark\n\nfork\n\n"
				       "## Left open\n\nlast\n\n") == 0,
	      "Markdown: a reference section is its heading and its content", "got:\n%s", md.text);
	CHECK(strstr(html.text, "<h2>Findings</h2>\n<details><summary><h2>Environment</h2></summary>\n<p>kernel</p>\n"
				"<details><summary><h3>Every benchmark</h3></summary>\n<p>fork</p>\n</details>\n"
				"</details>\n<details><summary><h2>Left open</h2></summary>\n<p>last</p>\n"
				"</details>\n</body>"),
	      "HTML: reference sections fold, nest, and close; a stray end is ignored", "got:\n%s", html.text);
	free(md.text);
	free(html.text);
	fb_doc_free(&doc);
}

/* A sentence in a cell reads left-aligned; a figure, even a long one
 * with an interval, stays right-aligned under its head. */
static void check_prose_cells(void)
{
	static const char *const head[] = { "what", "sentence", "figure" };
	struct captured c;
	struct fb_doc doc;
	char err[256];

	fb_doc_init(&doc);
	fb_doc_table(&doc, 3, head);
	fb_doc_row(&doc, (const char *const[]){ "a", "Creating threads is cheaper than creating processes",
						"21687.8 [20449.0, 28365.2]" });
	int e = fb_doc_write_html(&doc, "t", ".", capture(&c), err, sizeof(err));
	const char *html = captured(&c);
	CHECK(e == 0 && strstr(html, "<td class=\"text\">Creating threads") && strstr(html, "<td>21687.8") &&
	      strstr(html, "td.text{text-align:left}"),
	      "HTML: a sentence left-aligned, a figure with its interval right-aligned", "write %d; got:\n%s", e, html);
	free(c.text);
	fb_doc_free(&doc);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	check_prose_cells();
	check_terminal();
	check_markdown();
	check_html();
	check_inline();
	check_details();
	return check_done();
}
