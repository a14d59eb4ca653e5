/* test_report.c - the report is rendered only from the run folder's raw
 * files: twice gives identical bytes; a corrupt or missing raw file gives a
 * clear error naming it; the HTML opens in headless Chromium with every plot
 * loaded, its DOM holds the report's sections and tables, and a screenshot
 * shows them: the window's size, text down the page and a plot's colours
 * (skipped, with the reason, where Chromium is absent). */
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

#include "check.h"
#include "testutil.h"

/* The screenshot's window: tall enough to hold the first plots of the
 * quick spawn run's report (3000-4500 px down, below the consistency table),
 * with room for the report to grow; the pixels of clear colour that tell a
 * plot is on it (its bars are rgb(68, 119, 170) at half opacity, 58000
 * pixels in one plot); the scroll bar's columns, left out of the ink. */
#define SHOT_WIDTH 1200
#define SHOT_HEIGHT 8000
#define PLOT_COLOUR_PIXELS 1000
#define SCROLLBAR_PX 32

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

static int count_imgs(const char *html_path)
{
	size_t n;
	char *data = slurp(html_path, &n);
	int imgs = 0;
	for (char *p = data; p && (p = memmem(p, n - (size_t)(p - data), "<img ", 5)); p += 5)
		imgs++;
	free(data);
	return imgs;
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

/* Headless Chromium as root in a closed network: no sandbox, no background
 * connections, a fresh profile. The page's own script marks the body with
 * data-images-loaded="decoded/total" once every image has loaded. */
static void check_browser(const char *run_dir, const char *tmp)
{
	const char *chromium = find_chromium();
	char url[PATH_MAX + 64], html[PATH_MAX + 32], profile[PATH_MAX + 16], dom[PATH_MAX + 16];
	char shot[PATH_MAX + 32], shot_arg[PATH_MAX + 48], err[PATH_MAX + 16], expect[64], window[64];

	if (!chromium) {
		SKIP("report.html opens in headless Chromium with every plot loaded",
		     "Chromium is not installed (Debian package chromium; CI installs it)");
		return;
	}
	snprintf(html, sizeof(html), "%s/report.html", run_dir);
	snprintf(url, sizeof(url), "file://%s", html);
	snprintf(profile, sizeof(profile), "--user-data-dir=%s/chromium", tmp);
	snprintf(dom, sizeof(dom), "%s/dom.html", tmp);
	snprintf(err, sizeof(err), "%s/chromium.err", tmp);
	snprintf(shot, sizeof(shot), "%s/report.png", tmp);
	snprintf(shot_arg, sizeof(shot_arg), "--screenshot=%s", shot);
	snprintf(window, sizeof(window), "--window-size=%u,%u", SHOT_WIDTH, SHOT_HEIGHT);
	const char *common[] = { chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				 "--no-first-run", "--disable-background-networking", "--disable-component-update",
				 "--disable-sync", "--disable-quic", profile, "--virtual-time-budget=5000", NULL, NULL, NULL, NULL };
	size_t n = 12;
	common[n] = "--dump-dom";
	common[n + 1] = url;
	int rc = run_command(common, dom, err);
	int imgs = count_imgs(html);
	snprintf(expect, sizeof(expect), "data-images-loaded=\"%d/%d\"", imgs, imgs);
	CHECK(rc == 0 && imgs >= 2 && file_contains(dom, expect), "report.html: every plot loaded in Chromium",
	      "exit %d, %d images, DOM lacks %s", rc, imgs, expect);
	check_dom(dom);
	common[n] = window;
	common[n + 1] = shot_arg;
	common[n + 2] = url;
	rc = run_command(common, NULL, err);
	check_screenshot(shot, rc, SHOT_WIDTH, SHOT_HEIGHT);
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

/* A run folder rendered again, broken, and opened in a browser. */
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
