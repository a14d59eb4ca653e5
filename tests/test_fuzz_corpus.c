/* test_fuzz_corpus.c - every file of tests/fuzz/corpus (bench.json inputs:
 * truncated, nested, wrong-typed, NaN, negative, huge, duplicated, format
 * strings, long names...) through the results loader, the summary, the
 * consistency checks, compare (against itself and a valid run), claims
 * and the report; every file of tests/fuzz/manifests as a run's manifest
 * through claims and the report. Under AddressSanitizer and UBSan (the
 * test's build): nothing may crash, and a refused input says which file.
 * A file whose name starts with "bad-" must be refused (exit 2, one line
 * naming the file and the field); every other one must load and render. */
#define _GNU_SOURCE
#include <dirent.h>
#include <jansson.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "claims.h"
#include "compare.h"
#include "consistency.h"
#include "report.h"
#include "results.h"
#include "summary.h"
#include "testutil.h"
#include "fuzz/downstream.h"
#include "files.h"
#include "claims_out.h"

static char build[PATH_MAX - 32], src[PATH_MAX], tmp[] = "/tmp/fb-test-fuzz-XXXXXX";

static void copy_file(const char *from, const char *to)
{
	char *text = fb_slurp(from, 64 << 20);
	struct stat st;
	size_t len = stat(from, &st) == 0 ? (size_t)st.st_size : 0;
	fb_write_file_atomic(to, text, strlen(text) < len ? strlen(text) : len);
	free(text);
}

/* A run folder from a bench.json and a manifest; claims and the report
 * rendered from it, in this process (under the sanitizers: plots cannot be
 * drawn here, the gnuplot scripts are found from the forkbench binary) and
 * by the forkbench binary. The binary's exit status (0 rendered, 2 refused). */
static int render_folder(const char *bench, const char *manifest)
{
	static int serial;
	char dir[PATH_MAX], path[PATH_MAX + 32], err[PATH_MAX + 256];
	struct fb_claims claims;
	const char *report[] = { "report", dir, NULL };

	snprintf(dir, sizeof(dir), "%s/run%d", tmp, ++serial);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/bench.json", dir);
	copy_file(bench, path);
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	copy_file(manifest, path);
	fb_claims_write(dir, NULL, &claims);
	fb_report_render(dir, NULL, NULL, err, sizeof(err));
	return run_forkbench_in(build, report, NULL, NULL);
}

static void corpus_file(const char *file, const struct fb_results *valid, const char *valid_manifest)
{
	char path[PATH_MAX + 300], err[PATH_MAX + 512], name[400];
	struct fb_results res;

	snprintf(path, sizeof(path), "%s/corpus/%s", src, file);
	int loaded = fb_results_load(path, &res, err, sizeof(err)) == 0;
	if (loaded) {
		FILE *null = fopen("/dev/null", "w");
		fb_fuzz_downstream(&res, valid, null);
		fclose(null);
		fb_results_free(&res);
	}
	int report = render_folder(path, valid_manifest), bad = strncmp(file, "bad-", 4) == 0;
	snprintf(name, sizeof(name), "corpus/%s: %s; forkbench report exits %s, no crash", file,
		 bad ? "refused with the file named" : "loaded and used everywhere", bad ? "2" : "0");
	CHECK(loaded == !bad && (loaded || strstr(err, file)) && report == (bad ? 2 : 0), name,
	      "loaded %d, report exit %d: %s", loaded, report, loaded ? "" : err);
}

static void manifest_file(const char *file, const char *valid_bench)
{
	char path[PATH_MAX + 300], name[400];

	snprintf(path, sizeof(path), "%s/manifests/%s", src, file);
	int report = render_folder(valid_bench, path), bad = strncmp(file, "bad-", 4) == 0;
	snprintf(name, sizeof(name), "manifests/%s: claims and report %s, no crash", file,
		 bad ? "refused (exit 2)" : "rendered");
	CHECK(report == (bad ? 2 : 0), name, "forkbench report exit %d", report);
}

/* The files of a corpus folder, sorted (readdir's order is the disk's). */
static size_t list(const char *dir, char names[][256], size_t max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	while (d && (e = readdir(d)) && n < max)
		if (e->d_name[0] != '.')
			snprintf(names[n++], 256, "%s", e->d_name);
	if (d)
		closedir(d);
	qsort(names, n, 256, (int (*)(const void *, const void *))strcmp);
	return n;
}

int main(void)
{
	static char names[256][256];
	char dir[PATH_MAX + 32], valid_bench[PATH_MAX + 64], valid_manifest[PATH_MAX + 64], err[512];
	struct fb_results valid;

	setvbuf(stdout, NULL, _IOLBF, 0);
	build_dir(build, sizeof(build));
	snprintf(src, sizeof(src), "%s/../tests/fuzz", build);
	if (!mkdtemp(tmp))
		return 1;
	snprintf(valid_bench, sizeof(valid_bench), "%s/corpus/valid.json", src);
	snprintf(valid_manifest, sizeof(valid_manifest), "%s/manifests/valid.json", src);
	if (!CHECK(fb_results_load(valid_bench, &valid, err, sizeof(err)) == 0, "corpus/valid.json loads", "%s", err))
		return check_done();
	snprintf(dir, sizeof(dir), "%s/corpus", src);
	for (size_t i = 0, n = list(dir, names, 256); i < n; i++)
		corpus_file(names[i], &valid, valid_manifest);
	snprintf(dir, sizeof(dir), "%s/manifests", src);
	for (size_t i = 0, n = list(dir, names, 256); i < n; i++)
		manifest_file(names[i], valid_bench);
	fb_results_free(&valid);
	const char *rm[] = { "rm", "-rf", tmp, NULL };
	run_command(rm, NULL, NULL);
	return check_done();
}
