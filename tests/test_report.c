/* test_report.c - the report is rendered only from the run folder's raw
 * files: twice gives identical bytes; a corrupt or missing raw file gives a
 * clear error naming it; the HTML opens in headless Chromium with every plot
 * loaded (skipped, with the reason, where Chromium is absent). */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "check.h"
#include "testutil.h"

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

static const char *find_chromium(void)
{
	static const char *const candidates[] = { "/usr/bin/chromium", "/usr/bin/chromium-browser",
						  "/usr/bin/google-chrome" };
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
		if (access(candidates[i], X_OK) == 0)
			return candidates[i];
	return NULL;
}

/* Headless Chromium as root in a closed network: no sandbox, no background
 * connections, a fresh profile. The page's own script marks the body with
 * data-images-loaded="decoded/total" once every image has loaded. */
static void check_browser(const char *run_dir, const char *tmp)
{
	const char *chromium = find_chromium();
	char url[PATH_MAX + 64], html[PATH_MAX + 32], profile[PATH_MAX + 16], dom[PATH_MAX + 16];
	char shot[PATH_MAX + 32], shot_arg[PATH_MAX + 48], err[PATH_MAX + 16], expect[64];

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
	common[n] = "--window-size=1200,3000";
	common[n + 1] = shot_arg;
	common[n + 2] = url;
	rc = run_command(common, NULL, err);
	struct stat st;
	CHECK(rc == 0 && stat(shot, &st) == 0 && st.st_size > 10000 && file_contains(shot, "PNG"),
	      "a screenshot of the report is taken", "exit %d", rc);
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
		rename(path, saved);
		FILE *f = fopen(path, "w");
		fputs("{\"benchmarks\": [ {broken", f);
		fclose(f);
		int rc = run_command(argv, NULL, err_path);
		snprintf(name, sizeof(name), "corrupt %s: exit 2, error names it", files[i]);
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

int main(void)
{
	char tmp[] = "/tmp/fb-test-report-XXXXXX", results[PATH_MAX], err_path[PATH_MAX], run_dir[PATH_MAX + 300];
	char bin[PATH_MAX + 16];
	size_t len1, len2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	build_dir(build, sizeof(build));
	snprintf(bin, sizeof(bin), "%s/forkbench", build);
	if (!mkdtemp(tmp))
		return 1;
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
	CHECK(rc == 0 && run_dir[0], "a quick run writes a run folder with a report", "exit %d", rc);

	char *first = snapshot(run_dir, &len1);
	const char *argv_report[] = { bin, "report", run_dir, NULL };
	rc = run_command(argv_report, NULL, err_path);
	char *second = snapshot(run_dir, &len2);
	CHECK(rc == 0 && len1 == len2 && memcmp(first, second, len1) == 0 && len1 > 5000,
	      "rendering twice gives identical bytes (report.md, report.html, plots)",
	      "exit %d, %zu vs %zu bytes", rc, len1, len2);
	free(first);
	free(second);
	check_errors(run_dir, err_path);
	check_browser(run_dir, tmp);

	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? check_done() : 1;
}
