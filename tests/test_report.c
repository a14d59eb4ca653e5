/* test_report.c - the report is rendered only from the run folder's raw
 * files: twice gives identical bytes; a corrupt or missing raw file gives a
 * clear error naming it; gnuplot warns of nothing, also for a series left
 * empty, and every plot's labels are inside its canvas; cmark-gfm reads
 * report.md (its tables tables, its inline code report.html's); and the
 * HTML checked as people check it, in headless Chromium at 1280 and 390 px
 * wide: no wider than the window, every plot loaded, no Markdown backtick
 * left in its text, its DOM holding the report's sections and tables, and
 * a screenshot showing them: the window's size, text down the page and a
 * plot's colours (skipped, with the reason, where Chromium or cmark-gfm is
 * absent). */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <jansson.h>

#include "check.h"
#include "testutil.h"

/* The windows: a desktop's and a phone's width, the probe's height (the
 * page's own height is then measured and shot whole, up to a cap); the
 * pixels of clear colour that tell a plot is on a screenshot (its bars are
 * rgb(68, 119, 170) at half opacity, 58000 pixels in one plot at full
 * size); the scroll bar's columns, left out of the ink; a plot's edge that
 * must stay clear. */
#define SHOT_WIDTH 1280
#define PHONE_WIDTH 390
#define PROBE_HEIGHT 900
#define SHOT_MAX_HEIGHT 16000
#define PLOT_COLOUR_PIXELS 1000
#define SCROLLBAR_PX 32
#define PLOT_EDGE_PX 3

static char build[PATH_MAX];

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	*len = 0;
	if (!f)
		return NULL;
	FILE *mem = open_memstream(&data, len);
	for (int c; (c = getc(f)) != EOF;)
		putc(c, mem);
	fclose(mem);
	fclose(f);
	return data;
}

/* Concatenate the report files and every plot, in name order. */
static char *snapshot(const char *run_dir, size_t *len)
{
	static const char *const names[] = { "report.md", "report.html", "plots/spawn_memory.svg",
					     "plots/spawn_memory.png", "plots/spawn_zero.svg", "plots/spawn_zero.png" };
	char *all = NULL, path[PATH_MAX + 64];
	FILE *mem = open_memstream(&all, len);

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n;
		snprintf(path, sizeof(path), "%s/%s", run_dir, names[i]);
		char *data = slurp(path, &n);
		fprintf(mem, "%s:%zu:", names[i], data ? n : 0);
		if (data)
			fwrite(data, 1, n, mem);
		free(data);
	}
	fclose(mem);
	return all;
}

static int file_contains(const char *path, const char *needle)
{
	size_t n;
	char *data = slurp(path, &n);
	int found = data && memmem(data, n, needle, strlen(needle)) != NULL;
	free(data);
	return found;
}

/* A decoded 8-bit RGB or RGBA PNG: width x height pixels of channels bytes. */
struct png_image {
	uint32_t width, height;
	unsigned channels;
	unsigned char *pixels;
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* zlib's one-shot inflate, loaded at run time: the tests link no zlib. */
typedef int (*uncompress_fn)(unsigned char *dest, unsigned long *dest_len, const unsigned char *src,
			     unsigned long src_len);

static uncompress_fn zlib_uncompress(void)
{
	void *zlib = dlopen("libz.so.1", RTLD_NOW);
	return zlib ? (uncompress_fn)dlsym(zlib, "uncompress") : NULL;
}

static int paeth(int a, int b, int c)
{
	int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
	return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* Undo the PNG row filters: raw holds height rows of 1 filter byte and
 * stride bytes each; the pixels go to out. 0, or -1 on a bad filter. */
static int png_unfilter(const unsigned char *raw, unsigned char *out, uint32_t height, size_t stride, unsigned bpp)
{
	for (uint32_t y = 0; y < height; y++) {
		const unsigned char *in = raw + y * (stride + 1) + 1;
		unsigned char *row = out + y * stride, *up = y ? row - stride : NULL;
		int filter = in[-1];
		if (filter > 4)
			return -1;
		for (size_t x = 0; x < stride; x++) {
			int a = x >= bpp ? row[x - bpp] : 0, b = up ? up[x] : 0, c = up && x >= bpp ? up[x - bpp] : 0;
			int pred = filter == 1 ? a : filter == 2 ? b : filter == 3 ? (a + b) / 2 : filter == 4 ? paeth(a, b, c) : 0;
			row[x] = (unsigned char)(in[x] + pred);
		}
	}
	return 0;
}

/* Decode an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes).
 * 0, or -1 with what went wrong in err. */
static int png_decode(const unsigned char *data, size_t len, struct png_image *img, char *err, size_t err_len)
{
	static const unsigned char signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	unsigned char *idat = NULL;
	size_t idat_len = 0;
	int depth = 0, color = -1, interlace = 0;

	memset(img, 0, sizeof(*img));
	if (len < 8 || memcmp(data, signature, 8))
		return snprintf(err, err_len, "no PNG signature"), -1;
	for (size_t at = 8; at + 12 <= len;) {
		uint32_t n = be32(data + at);
		const unsigned char *type = data + at + 4, *body = data + at + 8;
		if (n > len - at - 12)
			break;
		if (memcmp(type, "IHDR", 4) == 0 && n >= 13) {
			img->width = be32(body), img->height = be32(body + 4);
			depth = body[8], color = body[9], interlace = body[12];
		} else if (memcmp(type, "IDAT", 4) == 0) {
			unsigned char *more = realloc(idat, idat_len + n);
			if (!more)
				break;
			idat = more;
			memcpy(idat + idat_len, body, n);
			idat_len += n;
		}
		at += 12 + (size_t)n;
	}
	img->channels = color == 6 ? 4 : color == 2 ? 3 : 0;
	uncompress_fn inflate_all = zlib_uncompress();
	if (depth != 8 || !img->channels || interlace || !idat || !inflate_all || !img->width || !img->height) {
		snprintf(err, err_len, "%ux%u, depth %d, colour type %d, interlace %d, %zu IDAT bytes, zlib %s", img->width,
			 img->height, depth, color, interlace, idat_len, inflate_all ? "loaded" : dlerror());
		free(idat);
		return -1;
	}
	size_t stride = (size_t)img->width * img->channels;
	unsigned long raw_len = (stride + 1) * img->height;
	unsigned char *raw = malloc(raw_len);
	img->pixels = malloc(stride * img->height);
	int bad = !raw || !img->pixels || inflate_all(raw, &raw_len, idat, idat_len) != 0 ||
		  raw_len != (stride + 1) * img->height || png_unfilter(raw, img->pixels, img->height, stride, img->channels);
	free(raw);
	free(idat);
	if (bad) {
		snprintf(err, err_len, "the image data of %ux%u pixels does not inflate and unfilter", img->width, img->height);
		free(img->pixels);
		img->pixels = NULL;
		return -1;
	}
	return 0;
}

/* What a reader sees of a screenshot: the rows holding anything but the
 * page's background (its top-left pixel: the margin) left of the scroll
 * bar, and the pixels of a clear colour (channels more than 48 apart): the
 * page's text and tables are grey (#222, #ccc, #f0f0f0), its plots are not. */
static void png_ink(const struct png_image *img, uint32_t *ink_rows, size_t *colour_pixels)
{
	const unsigned char *bg = img->pixels;

	*ink_rows = 0;
	*colour_pixels = 0;
	for (uint32_t y = 0; y < img->height; y++) {
		int ink = 0;
		for (uint32_t x = 0; x < img->width; x++) {
			const unsigned char *px = img->pixels + ((size_t)y * img->width + x) * img->channels;
			int lo = px[0] < px[1] ? px[0] : px[1], hi = px[0] > px[1] ? px[0] : px[1];
			lo = px[2] < lo ? px[2] : lo;
			hi = px[2] > hi ? px[2] : hi;
			ink |= x + SCROLLBAR_PX < img->width && memcmp(px, bg, 3) != 0;
			*colour_pixels += hi - lo > 48;
		}
		*ink_rows += ink;
	}
}

static const char *find_chromium(void)
{
	static const char *const candidates[] = { "/usr/bin/chromium", "/usr/bin/chromium-browser",
						  "/usr/bin/google-chrome" };
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
		if (access(candidates[i], X_OK) == 0)
			return candidates[i];
	return NULL;
}

/* The screenshot of a window of width x height: that size, and what a
 * reader would see in it: the report's text and tables down most of the
 * page (a blank, an error page or a page cut short leave most rows bare),
 * and the colours of its plots. */
static void check_screenshot(const char *shot, int rc, uint32_t width, uint32_t height)
{
	const char *size_name = "a screenshot of the report is a PNG of the window's size";
	const char *ink_name = "the screenshot shows the report: ink on most rows, and a plot's colours";
	struct png_image img;
	char err[200] = "";
	size_t len, colour_pixels;
	uint32_t ink_rows;
	unsigned char *data = (unsigned char *)slurp(shot, &len);

	if (rc != 0 || !data || png_decode(data, len, &img, err, sizeof(err))) {
		CHECK(0, size_name, "Chromium exit %d; %s", rc, data ? err : "no screenshot written");
		BROKEN(ink_name, "no screenshot to look at");
		free(data);
		return;
	}
	free(data);
	CHECK(img.width == width && img.height == height, size_name, "%ux%u, the window %ux%u", img.width, img.height,
	      width, height);
	png_ink(&img, &ink_rows, &colour_pixels);
	CHECK(ink_rows >= img.height / 2 && colour_pixels >= PLOT_COLOUR_PIXELS, ink_name,
	      "%u of %u rows hold ink, %zu pixels of a clear colour (want %u rows, %d pixels)", ink_rows, img.height,
	      colour_pixels, img.height / 2, PLOT_COLOUR_PIXELS);
	free(img.pixels);
}

/* What Chromium parsed and ran, as its DOM: the report's title, the spawn
 * section the run measured, the environment, and tables. */
static void check_dom(const char *dom)
{
	static const char *const headings[] = { "<h1>forkbench report</h1>", "<h2>Process creation (spawn)</h2>",
						"<h2>Environment</h2>" };
	size_t len, tables = 0;
	char *text = slurp(dom, &len);
	const char *missing = text ? NULL : "(no DOM)";

	for (size_t i = 0; text && i < sizeof(headings) / sizeof(headings[0]); i++)
		if (!missing && !memmem(text, len, headings[i], strlen(headings[i])))
			missing = headings[i];
	for (char *p = text; p && (p = memmem(p, len - (size_t)(p - text), "<table", 6)); p += 6)
		tables++;
	CHECK(!missing && tables >= 3, "Chromium's DOM of report.html holds its title, the spawn section, the environment "
	      "and tables", "missing %s, %zu tables", missing ? missing : "nothing", tables);
	free(text);
}

/* The edge of a picture: its outer rows and columns hold nothing but the
 * background (its top-left pixel). A label gnuplot put past the canvas's
 * edge is cut there (spawn_zero's last one was). */
static int png_edges_clear(const struct png_image *img, uint32_t edge_px)
{
	const unsigned char *bg = img->pixels;

	for (uint32_t y = 0; y < img->height; y++)
		for (uint32_t x = 0; x < img->width; x++) {
			const unsigned char *px = img->pixels + ((size_t)y * img->width + x) * img->channels;
			int edge = x < edge_px || y < edge_px || x + edge_px >= img->width || y + edge_px >= img->height;
			if (edge && memcmp(px, bg, 3) != 0)
				return 0;
		}
	return 1;
}

/* The PNG at path decoded and its edges clear: 1, 0, or -1 with err. */
static int png_file_edges_clear(const char *path, char *err, size_t err_len)
{
	struct png_image img;
	size_t len;
	unsigned char *data = (unsigned char *)slurp(path, &len);
	int clear = -1;

	if (!data)
		snprintf(err, err_len, "not written");
	else if (png_decode(data, len, &img, err, err_len) == 0)
		clear = png_edges_clear(&img, PLOT_EDGE_PX);
	free(data);
	if (clear >= 0)
		free(img.pixels);
	return clear;
}

/* Headless Chromium as root in a closed network: no sandbox, no background
 * connections, a fresh profile; the window width x height, then the
 * action (--dump-dom, --screenshot=...) on url. Its exit status. */
static int run_chromium(const char *chromium, const char *tmp, unsigned width, unsigned height, const char *action,
			const char *url, const char *out_path)
{
	char profile[PATH_MAX + 16], window[64], err[PATH_MAX + 16];
	const char *argv[] = { chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
			       "--no-first-run", "--disable-background-networking", "--disable-component-update",
			       "--disable-sync", "--disable-quic", "--hide-scrollbars", profile,
			       "--virtual-time-budget=5000", window, action, url, NULL };

	snprintf(profile, sizeof(profile), "--user-data-dir=%s/chromium", tmp);
	snprintf(window, sizeof(window), "--window-size=%u,%u", width, height);
	snprintf(err, sizeof(err), "%s/chromium.err", tmp);
	return run_command(argv, out_path, err);
}

/* An SVG as Chromium draws it, at its own size (width="960"
 * height="540"), into the PNG shot. 0, or -1. */
static int draw_svg(const char *chromium, const char *tmp, const char *svg_path, const char *shot)
{
	char url[2 * PATH_MAX], arg[2 * PATH_MAX];
	size_t len;
	char *svg = slurp(svg_path, &len), *w = svg ? strstr(svg, " width=\"") : NULL;
	char *h = svg ? strstr(svg, " height=\"") : NULL;
	unsigned width = w ? (unsigned)atoi(w + 8) : 0, height = h ? (unsigned)atoi(h + 9) : 0;

	free(svg);
	snprintf(url, sizeof(url), "file://%s", svg_path);
	snprintf(arg, sizeof(arg), "--screenshot=%s", shot);
	unlink(shot);
	return width && height && run_chromium(chromium, tmp, width, height, arg, url, NULL) == 0 ? 0 : -1;
}

/* Every plot's labels inside its canvas: the PNG gnuplot wrote (what
 * report.md shows) and the SVG as Chromium draws it (what report.html
 * shows; left out without Chromium), each with clear edges. */
static void check_plot_edges(const char *chromium, const char *run_dir, const char *tmp)
{
	char plots[PATH_MAX + 16], path[PATH_MAX + 300], shot[PATH_MAX + 32], err[200], cut[1024] = "";
	DIR *d;
	struct dirent *e;
	int checked = 0;

	snprintf(plots, sizeof(plots), "%s/plots", run_dir);
	snprintf(shot, sizeof(shot), "%s/plot.png", tmp);
	for (d = opendir(plots); d && (e = readdir(d));) {
		size_t n = strlen(e->d_name);
		int svg = n > 4 && strcmp(e->d_name + n - 4, ".svg") == 0, clear;
		if (!(svg || (n > 4 && strcmp(e->d_name + n - 4, ".png") == 0)) || (svg && !chromium))
			continue;
		snprintf(path, sizeof(path), "%s/%s", plots, e->d_name);
		if (svg && draw_svg(chromium, tmp, path, shot))
			clear = -1, snprintf(err, sizeof(err), "not drawn by Chromium");
		else
			clear = png_file_edges_clear(svg ? shot : path, err, sizeof(err));
		checked++;
		if (clear != 1)
			snprintf(cut + strlen(cut), sizeof(cut) - strlen(cut), " %s%s%s", e->d_name, clear < 0 ? ": " : "",
				 clear < 0 ? err : "");
	}
	if (d)
		closedir(d);
	CHECK(checked >= 2 && !cut[0], "every plot's labels inside its canvas: nothing on a PNG's or a drawn SVG's edge",
	      "%d plots looked at; on the edge or unreadable:%s", checked, cut[0] ? cut : " (none)");
}

/* What the probe saw of the report in one window (see probe_script). */
struct probe {
	long page_width, view_width, window_width, page_height;
	int images_loaded, images, backticks, codes;
	int wide_tables;   /* tables scrolling sideways in their box */
};

/* Added to a copy of report.html, it shows the page as a reader would
 * with every folded section opened, and once it has loaded says, in
 * data-probe="..." on its body and to the frame holding it: the page's
 * width (what a reader scrolls across), the viewport's and the window's,
 * the page's height, images decoded (naturalWidth > 0) and in all, the
 * backticks in the text a reader sees (code blocks and scripts left out:
 * a command may hold one), the <code> elements, and the tables wider than
 * their box (which scrolls sideways). The test's own, so report.html
 * carries no test hook. */
static const char probe_script[] =
	"<script>window.addEventListener('load',function(){"
	"var d=document,b=d.body,e=d.documentElement,im=d.images,n=0,k;"
	"d.querySelectorAll('details').forEach(function(x){x.open=true;});"
	"for(k=0;k<im.length;k++)if(im[k].complete&&im[k].naturalWidth>0)n++;"
	"var c=b.cloneNode(true);c.querySelectorAll('pre,script,style').forEach(function(x){x.remove();});"
	"var v=[e.scrollWidth,e.clientWidth,window.innerWidth,e.scrollHeight,n,im.length,"
	"c.textContent.split(String.fromCharCode(96)).length-1,d.querySelectorAll('code').length,"
	"[].filter.call(d.querySelectorAll('div.table'),function(t){return t.scrollWidth>t.clientWidth;}).length"
	"].join(' ');"
	"b.setAttribute('data-probe',v);if(parent!==window)parent.postMessage(v,'*');"
	"});</script>\n";

/* A copy of report.html at copy, the probe before its </body>. */
static int write_probe_copy(const char *html, const char *copy)
{
	size_t len;
	char *text = slurp(html, &len), *end = text ? memmem(text, len, "</body>", 7) : NULL;
	FILE *f = end ? fopen(copy, "w") : NULL;

	if (f) {
		fwrite(text, 1, (size_t)(end - text), f);
		fputs(probe_script, f);
		fputs(end, f);
	}
	free(text);
	return f && fclose(f) == 0 ? 0 : -1;
}

/* A page holding the probe's copy (tmp/probe.html) in a frame width x
 * height px: a window narrower than 500 px is widened by Chromium, a frame
 * is not, and in it the report lays out as on a phone that wide (its
 * viewport meta: width=device-width). The frame's probe marks this page's
 * body too. Its file:// URL in url, or -1. */
static int write_frame(const char *tmp, unsigned width, unsigned height, char *url, size_t url_len)
{
	char path[PATH_MAX + 32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/frame-%u.html", tmp, width);
	snprintf(url, url_len, "file://%s", path);
	if (!(f = fopen(path, "w")))
		return -1;
	fprintf(f, "<!DOCTYPE html><html><body style=\"margin:0\"><iframe src=\"probe.html\" width=\"%u\" height=\"%u\" "
		"style=\"border:0;display:block\"></iframe><script>window.addEventListener('message',function(m)"
		"{document.body.setAttribute('data-probe',m.data);});</script></body></html>\n", width, height);
	return fclose(f) == 0 ? 0 : -1;
}

/* Chromium's DOM of the frame page at width px. 0, or -1 (no DOM, or the
 * probe did not report). */
static int probe_at(const char *chromium, const char *tmp, unsigned width, const char *dom, struct probe *p)
{
	char url[PATH_MAX + 48], *text, *mark;
	size_t len;
	int got = 0;

	if (write_frame(tmp, width, PROBE_HEIGHT, url, sizeof(url)))
		return -1;
	run_chromium(chromium, tmp, width, PROBE_HEIGHT, "--dump-dom", url, dom);
	text = slurp(dom, &len);
	mark = text ? strstr(text, "data-probe=\"") : NULL;
	if (mark)
		got = sscanf(mark + 12, "%ld %ld %ld %ld %d %d %d %d %d", &p->page_width, &p->view_width,
			     &p->window_width, &p->page_height, &p->images_loaded, &p->images, &p->backticks, &p->codes,
			     &p->wide_tables);
	free(text);
	return got == 9 ? 0 : -1;
}

/* The report as people check it, at a desktop's width and a phone's: the
 * page no wider than its window (nothing to scroll across), every plot
 * decoded, and on a desktop every table within the page (on a phone a
 * table of many columns scrolls in its box); a screenshot of the whole
 * page shows it. */
static void check_width(const char *chromium, const char *tmp, unsigned width, struct probe *p)
{
	char name[160], dom[PATH_MAX + 32], shot[PATH_MAX + 32], arg[PATH_MAX + 48], url[PATH_MAX + 48];

	snprintf(dom, sizeof(dom), "%s/dom-%u.html", tmp, width);
	snprintf(name, sizeof(name), "report.html at %u px: no wider than the window%s, every plot loaded", width,
		 width >= SHOT_WIDTH ? " nor a table wider than the page" : "");
	if (probe_at(chromium, tmp, width, dom, p)) {
		BROKEN(name, "Chromium's DOM of %s/frame-%u.html lacks the probe's data-probe", tmp, width);
		BROKEN("a screenshot of the whole report", "no page height to take");
		return;
	}
	int desktop = width >= SHOT_WIDTH;
	CHECK(p->window_width == width && p->page_width <= p->view_width && p->images >= 2 &&
	      p->images_loaded == p->images && (!desktop || p->wide_tables == 0), name, "window %ld px, page %ld px "
	      "wide in a viewport of %ld; %d of %d images decoded; %d tables wider than the page", p->window_width,
	      p->page_width, p->view_width, p->images_loaded, p->images, p->wide_tables);
	unsigned height = p->page_height < SHOT_MAX_HEIGHT ? (unsigned)p->page_height : SHOT_MAX_HEIGHT;
	snprintf(shot, sizeof(shot), "%s/report-%u.png", tmp, width);
	snprintf(arg, sizeof(arg), "--screenshot=%s", shot);
	int rc = write_frame(tmp, width, height, url, sizeof(url)) ? -1
									     : run_chromium(chromium, tmp, width, height, arg, url, NULL);
	check_screenshot(shot, rc, width, height);
}

/* Inline code spans of a Markdown file (outside ``` blocks): pairs of
 * backticks. */
static int md_code_spans(const char *md_path)
{
	FILE *f = fopen(md_path, "r");
	char line[8192];
	int fenced = 0, ticks = 0;

	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "```", 3) == 0) {
			fenced = !fenced;
			continue;
		}
		for (const char *c = line; !fenced && *c; c++)
			ticks += *c == '`';
	}
	if (f)
		fclose(f);
	return ticks / 2;
}

/* report.html in headless Chromium at 1280 and 390 px (a phone), through
 * a copy carrying the probe; and Markdown's inline code rendered, not
 * pasted: no backtick left in the text a reader sees, one <code> element
 * for each span of report.md. */
static void check_browser(const char *run_dir, const char *tmp)
{
	static const unsigned widths[] = { SHOT_WIDTH, PHONE_WIDTH };
	const char *chromium = find_chromium();
	char html[PATH_MAX + 32], md[PATH_MAX + 32], copy[PATH_MAX + 16], dom[PATH_MAX + 32], url[PATH_MAX + 32];
	struct probe p = { 0 };

	if (!chromium) {
		SKIP("report.html opens in headless Chromium at 1280 and 390 px",
		     "Chromium is not installed (Debian package chromium; CI installs it)");
		check_plot_edges(NULL, run_dir, tmp);
		return;
	}
	snprintf(html, sizeof(html), "%s/report.html", run_dir);
	snprintf(md, sizeof(md), "%s/report.md", run_dir);
	snprintf(copy, sizeof(copy), "%s/probe.html", tmp);
	if (write_probe_copy(html, copy)) {
		BROKEN("report.html opens in headless Chromium at 1280 and 390 px", "%s: no </body> to copy", html);
		return;
	}
	for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++)
		check_width(chromium, tmp, widths[i], &p);
	int spans = md_code_spans(md);
	CHECK(p.images && p.backticks == 0 && p.codes >= spans, "report.html renders report.md's inline code: no "
	      "backtick in the text a reader sees, a <code> element per span", "%d backticks shown, %d <code> "
	      "elements for %d spans", p.backticks, p.codes, spans);
	/* the report's own DOM (the frame page's holds only the frame) */
	snprintf(dom, sizeof(dom), "%s/report-dom.html", tmp);
	snprintf(url, sizeof(url), "file://%s", copy);
	run_chromium(chromium, tmp, SHOT_WIDTH, PROBE_HEIGHT, "--dump-dom", url, dom);
	check_dom(dom);
	check_plot_edges(chromium, run_dir, tmp);
}

static void check_errors(const char *run_dir, const char *err_path)
{
	char bin[PATH_MAX + 16], path[PATH_MAX + 32], saved[PATH_MAX + 48];
	const char *argv[] = { bin, "report", run_dir, NULL };
	static const char *const files[] = { "bench.json", "manifest.json", "hyperfine.json" };

	snprintf(bin, sizeof(bin), "%s/forkbench", build);
	for (size_t i = 0; i < 3; i++) {
		char name[96];
		snprintf(path, sizeof(path), "%s/%s", run_dir, files[i]);
		snprintf(saved, sizeof(saved), "%s.saved", path);
		snprintf(name, sizeof(name), "corrupt %s: exit 2, error names it", files[i]);
		/* set aside (an optional file the run did not write has nothing to keep) */
		int kept = rename(path, saved) == 0;
		FILE *f = kept || errno == ENOENT ? fopen(path, "w") : NULL;
		if (!f) {
			BROKEN(name, "%s: set aside and replaced: %s", path, strerror(errno));
			if (kept)
				rename(saved, path);
			continue;
		}
		fputs("{\"benchmarks\": [ {broken", f);
		fclose(f);
		int rc = run_command(argv, NULL, err_path);
		CHECK(rc == 2 && file_contains(err_path, files[i]), name, "exit %d", rc);
		unlink(path);
		if (i < 2) {   /* hyperfine.json is optional: only bench and manifest are required */
			rc = run_command(argv, NULL, err_path);
			snprintf(name, sizeof(name), "missing %s: exit 2, error names it", files[i]);
			CHECK(rc == 2 && file_contains(err_path, files[i]) && file_contains(err_path, "missing"),
			      name, "exit %d", rc);
		}
		rename(saved, path);
	}
}

/* gnuplot warned of nothing while the folder's plots were drawn (a series
 * with no point warned "Skipping data file with no valid points"):
 * plots/gnuplot.log is empty or absent. */
static void check_gnuplot_log(const char *run_dir, const char *what)
{
	char path[PATH_MAX + 32], name[160];
	size_t len;
	char *log;

	snprintf(path, sizeof(path), "%s/plots/gnuplot.log", run_dir);
	log = slurp(path, &len);
	snprintf(name, sizeof(name), "gnuplot warns of nothing drawing %s (plots/gnuplot.log empty)", what);
	CHECK(!log || len == 0, name, "%zu bytes: %.*s", len, (int)(len < 400 ? len : 400), log ? log : "");
	free(log);
}

/* bench.json of run_dir without the results of family/kase in mode:
 * what a filter or a page mode the machine lacks leaves out. 0 or -1. */
static int drop_results(const char *run_dir, const char *prefix, const char *mode)
{
	char path[PATH_MAX + 32];
	json_t *bench, *list;
	size_t i = 0;

	snprintf(path, sizeof(path), "%s/bench.json", run_dir);
	if (!(bench = json_load_file(path, 0, NULL)) || !(list = json_object_get(bench, "benchmarks")))
		return json_decref(bench), -1;
	while (i < json_array_size(list)) {
		const char *name = json_string_value(json_object_get(json_array_get(list, i), "name"));
		if (name && strncmp(name, prefix, strlen(prefix)) == 0 && strstr(name, mode))
			json_array_remove(list, i);
		else
			i++;
	}
	int e = json_dump_file(bench, path, JSON_COMPACT);
	json_decref(bench);
	return e;
}

/* The run rendered again without vfork's thp results: spawn_memory then
 * has a series with no point, which gnuplot must not be handed. */
static void check_series_left_out(const char *bin, const char *run_dir, const char *tmp, const char *err_path)
{
	char copy[PATH_MAX + 16], log[PATH_MAX + 48];
	const char *argv_cp[] = { "cp", "-a", run_dir, copy, NULL };
	const char *argv_report[] = { bin, "report", copy, NULL };
	int rc;

	snprintf(copy, sizeof(copy), "%s/without", tmp);
	snprintf(log, sizeof(log), "%s/plots/gnuplot.log", copy);
	if (run_command(argv_cp, NULL, err_path) || (unlink(log) && errno != ENOENT) ||
	    drop_results(copy, "spawn/vfork/", "/mode:thp/")) {
		BROKEN("a run without vfork's thp results renders", "%s: copied and its bench.json filtered", copy);
		return;
	}
	rc = run_command(argv_report, NULL, err_path);
	if (CHECK(rc == 0, "a run without vfork's thp results renders", "exit %d", rc))
		check_gnuplot_log(copy, "a run with a series left empty");
}

/* Occurrences of needle in the file at path. */
static int count_in(const char *path, const char *needle)
{
	size_t len;
	char *data = slurp(path, &len);
	int n = 0;

	for (char *p = data; p && (p = memmem(p, len - (size_t)(p - data), needle, strlen(needle))); p++)
		n++;
	free(data);
	return n;
}

/* report.md as cmark-gfm (GitHub's Markdown) reads it: no error, one
 * table for each delimiter row, no raw HTML (a '<' it would take for a
 * tag), and the inline code it finds is what report.html renders as
 * <code>: a second renderer of the same text. */
static void check_cmark(const char *run_dir, const char *tmp)
{
	const char *name = "cmark-gfm renders report.md: no error, its tables tables, its code spans report.html's";
	char md[PATH_MAX + 32], html[PATH_MAX + 32], out[PATH_MAX + 32], err[PATH_MAX + 32];
	const char *argv[] = { "cmark-gfm", "-e", "table", md, NULL };
	size_t err_len;

	snprintf(md, sizeof(md), "%s/report.md", run_dir);
	snprintf(html, sizeof(html), "%s/report.html", run_dir);
	snprintf(out, sizeof(out), "%s/cmark.html", tmp);
	snprintf(err, sizeof(err), "%s/cmark.err", tmp);
	int rc = run_command(argv, out, err);
	if (rc < 0 || rc == 127) {
		SKIP(name, "cmark-gfm is not installed (Debian package cmark-gfm; CI installs it)");
		return;
	}
	char *errors = slurp(err, &err_len);
	int tables = count_in(out, "<table>"), delimiters = count_in(md, "\n| --- |");
	int codes = count_in(out, "<code>") - count_in(out, "<pre><code"), our_codes = count_in(html, "<code>");
	int raw = count_in(out, "raw HTML omitted");
	CHECK(rc == 0 && err_len == 0 && tables == delimiters && tables >= 3 && !raw && codes == our_codes, name,
	      "exit %d, %zu bytes on stderr; %d tables for %d delimiter rows; %d raw HTML; %d inline code in cmark's, "
	      "%d in report.html", rc, err_len, tables, delimiters, raw, codes, our_codes);
	free(errors);
}

/* A run folder rendered again, broken, and opened in a browser. */
/* Findings first: report.md opens with them (the headline table, what
 * needs attention) before any section that explains them, and the
 * reference (every benchmark, the cross-checks, the environment) comes
 * last, folded in report.html. */
static void check_order(const char *run_dir)
{
	char path[PATH_MAX + 32];
	size_t len;

	snprintf(path, sizeof(path), "%s/report.md", run_dir);
	char *md = slurp(path, &len);
	snprintf(path, sizeof(path), "%s/report.html", run_dir);
	char *html = slurp(path, &len);
	const char *findings = md ? strstr(md, "\n## Findings\n") : NULL, *spawn = md ? strstr(md, "\n## Process creation") : NULL;
	const char *attention = md ? strstr(md, "### Needs attention") : NULL;
	const char *consistency = md ? strstr(md, "## Consistency") : NULL, *env = md ? strstr(md, "\n## Environment") : NULL;
	CHECK(findings && attention && spawn && consistency && env && findings < attention && attention < spawn &&
	      spawn < consistency && consistency < env && strstr(findings, "| fork | us per round trip |"),
	      "report.md: the findings first (headline figures, needs attention), the reference last",
	      "findings at %ld, attention %ld, spawn %ld, consistency %ld, environment %ld", findings ? findings - md : -1,
	      attention ? attention - md : -1, spawn ? spawn - md : -1, consistency ? consistency - md : -1,
	      env ? env - md : -1);
	CHECK(html && strstr(html, "<details") && strstr(html, "Environment</h2></summary>") &&
	      strstr(html, "Every spawn benchmark</h3></summary>") &&
	      strstr(html, "every pair measured twice</h2></summary>"),
	      "report.html folds the reference sections (every benchmark, consistency, environment)", "%s",
	      html ? "a <details> section is missing" : "no report.html");
	free(md);
	free(html);
}

static void check_rendered(const char *bin, const char *run_dir, const char *err_path, const char *tmp)
{
	const char *argv_report[] = { bin, "report", run_dir, NULL };
	size_t len1, len2;

	char *first = snapshot(run_dir, &len1);
	int rc = run_command(argv_report, NULL, err_path);
	char *second = snapshot(run_dir, &len2);
	CHECK(rc == 0 && len1 == len2 && memcmp(first, second, len1) == 0 && len1 > 5000,
	      "rendering twice gives identical bytes (report.md, report.html, plots)",
	      "exit %d, %zu vs %zu bytes", rc, len1, len2);
	free(first);
	free(second);
	check_gnuplot_log(run_dir, "the test's run, twice");
	check_order(run_dir);
	check_series_left_out(bin, run_dir, tmp, err_path);
	check_cmark(run_dir, tmp);
	check_errors(run_dir, err_path);
	check_browser(run_dir, tmp);
}

int main(void)
{
	char tmp[] = "/tmp/fb-test-report-XXXXXX", results[PATH_MAX], err_path[PATH_MAX], run_dir[PATH_MAX + 300];
	char bin[PATH_MAX + 16];

	setvbuf(stdout, NULL, _IOLBF, 0);
	build_dir(build, sizeof(build));
	snprintf(bin, sizeof(bin), "%s/forkbench", build);
	if (!mkdtemp(tmp)) {
		BROKEN("a temporary folder for the run", "mkdtemp %s: %s", tmp, strerror(errno));
		return check_done();
	}
	snprintf(results, sizeof(results), "%s/results", tmp);
	snprintf(err_path, sizeof(err_path), "%s/stderr", tmp);
	const char *argv_run[] = { bin, "run", "--profile", "quick", "--max-mem", "16", "--min-time", "0.002",
				   "--filter", "spawn/", "--results", results, NULL };
	int rc = run_command(argv_run, NULL, err_path);
	DIR *d = opendir(results);
	struct dirent *e;
	run_dir[0] = '\0';
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			snprintf(run_dir, sizeof(run_dir), "%s/%s", results, e->d_name);
	if (d)
		closedir(d);
	/* without a run folder nothing below has anything to look at (and
	 * check_errors would replace files under "/") */
	if (CHECK(rc == 0 && run_dir[0], "a quick run writes a run folder with a report", "exit %d", rc))
		check_rendered(bin, run_dir, err_path, tmp);

	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? check_done() : 1;
}
