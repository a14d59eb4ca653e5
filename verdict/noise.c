/* noise.c - a baseline's A/A noise (see noise.h): `forkbench noise` measures
 * it into BASELINE/noise.json, compare reads it back. Two runs of the same
 * build minutes apart on a shared machine differ by a few percent, some
 * benchmarks by 15% or more; a fixed threshold flags those in unchanged
 * code, so each benchmark's threshold follows what this machine was seen to
 * do with nothing changed. */
#define _GNU_SOURCE
#include "noise.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "comparable.h"
#include "run_folder.h"
#include "cli.h"
#include "files.h"
#include "jsonio.h"

/* ---- reading noise.json ------------------------------------------------ */

/* Why an entry of "benchmarks" cannot be used, or NULL. */
static const char *bad_entry(const json_t *entry)
{
	const json_t *noise = json_object_get(entry, "noise");

	if (!json_is_object(entry))
		return "is not an object";
	const json_t *bare = json_object_get(entry, "noise_bare");

	if (!json_is_number(noise) || !isfinite(json_number_value(noise)) || json_number_value(noise) < 0)
		return "has no \"noise\" that is a non-negative number";
	if (bare && (!json_is_number(bare) || !isfinite(json_number_value(bare)) || json_number_value(bare) < 0))
		return "has a \"noise_bare\" that is not a non-negative number";
	return NULL;
}

/* "runs": the A/A runs' ids, kept as "a, b" for notes. 0 or -1. */
static int read_runs(const json_t *runs, struct fb_noise *out)
{
	size_t i, used = 0;
	const json_t *id;

	if (!json_is_array(runs) || !json_array_size(runs))
		return -1;
	json_array_foreach(runs, i, id) {
		if (!json_is_string(id))
			return -1;
		if (used < sizeof(out->runs))
			used += (size_t)snprintf(out->runs + used, sizeof(out->runs) - used, "%s%s", i ? ", " : "",
						 json_string_value(id));
	}
	return 0;
}

/* The document's shape, all of it checked here so that compare never meets
 * a half-usable file. 0, or -1 with why. */
static int check_doc(json_t *doc, struct fb_noise *out, char *why, size_t len)
{
	const json_t *version = json_object_get(doc, "schema_version");
	const char *name;
	json_t *entry;

	if (!json_is_object(doc))
		return snprintf(why, len, "not a JSON object"), -1;
	if (!json_is_integer(version) || json_integer_value(version) != FB_NOISE_SCHEMA_VERSION)
		return snprintf(why, len, "schema_version is not %d", FB_NOISE_SCHEMA_VERSION), -1;
	if (read_runs(json_object_get(doc, "runs"), out))
		return snprintf(why, len, "\"runs\" is not a list of run ids"), -1;
	json_t *benchmarks = json_object_get(doc, "benchmarks");
	if (!json_is_object(benchmarks))
		return snprintf(why, len, "\"benchmarks\" is not an object"), -1;
	json_object_foreach(benchmarks, name, entry) {
		const char *bad = bad_entry(entry);
		if (bad)
			return snprintf(why, len, "benchmark '%s' %s", name, bad), -1;
	}
	out->benchmarks = benchmarks;
	out->count = json_object_size(benchmarks);
	return 0;
}

int fb_noise_load(const char *run_dir, struct fb_noise *out, char *err, size_t len)
{
	struct stat st;
	json_error_t jerr;
	char why[320];

	memset(out, 0, sizeof(*out));
	if (stat(run_dir, &st) || !S_ISDIR(st.st_mode))
		return 0;
	snprintf(out->path, sizeof(out->path), "%s/%s", run_dir, FB_NOISE_FILE);
	if (stat(out->path, &st) && errno == ENOENT)
		return 0;
	out->root = json_load_file(out->path, 0, &jerr);
	if (!out->root)
		snprintf(why, sizeof(why), "not valid JSON (line %d: %s)", jerr.line, jerr.text);
	if (!out->root || check_doc(out->root, out, why, sizeof(why))) {
		/* One line naming the file, and the ways out. */
		snprintf(err, len, "%s: %s (remake it with make baseline, or ignore it with --no-noise)", out->path, why);
		fb_noise_free(out);
		return -1;
	}
	return 1;
}

double fb_noise_of(const struct fb_noise *noise, const char *name, const char *normalize)
{
	const json_t *entry = noise && noise->benchmarks ? json_object_get(noise->benchmarks, name) : NULL;
	const json_t *bare = json_object_get(entry, "noise_bare");
	const json_t *v = normalize && strcmp(normalize, "bare") == 0 && bare ? bare : json_object_get(entry, "noise");

	return json_is_number(v) ? json_number_value(v) : NAN;
}

void fb_noise_free(struct fb_noise *noise)
{
	json_decref(noise->root);
	memset(noise, 0, sizeof(*noise));
}

/* ---- forkbench noise --------------------------------------------------- */

/* A run folder as loaded for the command. */
struct aa_run {
	const char *path;
	struct fb_run *run;               /* its manifest and results */
	const struct fb_results *res;     /* run's */
	const json_t *manifest;           /* run's */
	const char *id;                   /* its manifest's run_id */
};

/* Only run folders: their manifests say how they were run, which is what
 * makes a second run an A/A run of the first. 0 or -1 with err. */
static int load_run(const char *path, struct aa_run *run, char *err, size_t len)
{
	struct stat st;

	run->path = path;
	if (stat(path, &st) == 0 && !S_ISDIR(st.st_mode))
		return snprintf(err, len, "%s: not a run folder (a bench.json alone does not say how it was run)",
				path), -1;
	if (!(run->run = fb_run_open(path, FB_RUN_CONFIG | FB_RUN_RESULTS, FB_RUN_WORDS_COMPARE, err, len)))
		return -1;
	run->res = &run->run->results;
	run->manifest = run->run->manifest;
	run->id = run->run->run_id;   /* checked: a string */
	return 0;
}

/* An A/A run is the baseline's machine and configuration again, and
 * another run: whatever else differs would be measured as noise. */
static int check_aa(const struct aa_run *base, const struct aa_run *other, char *err, size_t len)
{
	struct fb_conditions_diff diff;

	if (strcmp(base->id, other->id) == 0)
		return snprintf(err, len, "%s is the baseline's own run (%s): an A/A run is a second run", other->path,
				other->id), -1;
	fb_conditions_compare(base->manifest, other->manifest, &diff);
	if (!diff.count)
		return 0;
	return snprintf(err, len, "%s is no A/A run of %s: %s differs ('%s' vs '%s'); run it with the baseline's "
			"settings on this machine", other->path, base->path, diff.items[0].label, diff.items[0].base,
			diff.items[0].new_run), -1;
}

/* A median to divide by, or NAN for a benchmark that did not run. */
static double usable_median(const struct fb_result *r)
{
	double m = r && !r->error && r->nreps ? fb_result_median_ns(r) : NAN;
	return m > 0 ? m : NAN;
}

/* Six decimals: the file stays readable and is committed with the baseline. */
static double round6(double x)
{
	return round(x * 1e6) / 1e6;
}

static const struct fb_bench_key bare_loop = FB_KEY0("calibrate", "bare_fork");

/* One benchmark's entry: its ratio of medians in each A/A run (null where a
 * run lacks it) and the largest |ratio - 1|; where both runs have the bare
 * fork loop, that largest |ratio - 1| of the figures divided by it too
 * (noise_bare: what compare --normalize bare, regress's default, is up
 * against). NULL when no run has the benchmark. */
static json_t *benchmark_entry(const struct fb_result *b, const struct aa_run *base_run, const struct aa_run *runs,
			       size_t nruns)
{
	double base = usable_median(b), noise = -1, noise_bare = -1;
	double bare_base = usable_median(fb_results_get(base_run->res, &bare_loop));
	json_t *ratios = json_array();

	for (size_t i = 0; i < nruns; i++) {
		double ratio = usable_median(fb_results_find(runs[i].res, b->name)) / base;
		double bare = usable_median(fb_results_get(runs[i].res, &bare_loop)) / bare_base;
		json_array_append_new(ratios, isfinite(ratio) ? json_real(round6(ratio)) : json_null());
		if (isfinite(ratio) && fabs(ratio - 1) > noise)
			noise = fabs(ratio - 1);
		if (isfinite(ratio / bare) && fabs(ratio / bare - 1) > noise_bare)
			noise_bare = fabs(ratio / bare - 1);
	}
	if (noise < 0) {
		json_decref(ratios);
		return NULL;
	}
	json_t *entry = json_pack("{s:f, s:o}", "noise", round6(noise), "ratios", ratios);
	if (noise_bare >= 0)
		json_object_set_new(entry, "noise_bare", json_real(round6(noise_bare)));
	return entry;
}

static json_t *noise_doc(const struct aa_run *base, const struct aa_run *runs, size_t nruns)
{
	json_t *ids = json_array(), *benchmarks = json_object();

	for (size_t i = 0; i < nruns; i++)
		json_array_append_new(ids, json_string(runs[i].id));
	for (size_t i = 0; i < base->res->count; i++) {
		json_t *entry = benchmark_entry(&base->res->items[i], base, runs, nruns);
		if (entry)
			json_object_set_new(benchmarks, base->res->items[i].name, entry);
	}
	return json_pack("{s:i, s:s, s:o, s:o}", "schema_version", FB_NOISE_SCHEMA_VERSION, "baseline", base->id,
			 "runs", ids, "benchmarks", benchmarks);
}

/* For make baseline's log: how much moved, and how many benchmarks the
 * default threshold (FB_THRESHOLD_DEFAULT) would flag on noise alone. */
static void print_summary(const char *path, const json_t *doc, size_t nruns)
{
	const json_t *benchmarks = json_object_get(doc, "benchmarks");
	size_t count = json_object_size(benchmarks), raised = 0;
	const char *name, *worst = "-";
	json_t *entry;
	double most = 0;

	json_object_foreach((json_t *)benchmarks, name, entry) {
		double v = json_number_value(json_object_get(entry, "noise"));
		raised += FB_NOISE_FACTOR * v > FB_THRESHOLD_DEFAULT;
		if (v > most)
			most = v, worst = name;
	}
	printf("noise: wrote %s: %zu benchmark%s over %zu A/A run%s; largest %.1f%% (%s); %zu move enough that "
	       "compare raises their threshold above %.0f%% (to %.1f x their noise)\n", path, count,
	       count == 1 ? "" : "s", nruns, nruns == 1 ? "" : "s", most * 100, worst, raised, FB_THRESHOLD_DEFAULT * 100,
	       FB_NOISE_FACTOR);
}

/* Load BASELINE and the A/A runs (paths[0..n)), each checked against the
 * baseline. 0 or -1 with err. */
static int load_all(char **paths, size_t n, struct aa_run *runs, char *err, size_t len)
{
	for (size_t i = 0; i < n; i++) {
		if (load_run(paths[i], &runs[i], err, len))
			return -1;
		if (i > 0 && check_aa(&runs[0], &runs[i], err, len))
			return -1;
	}
	return 0;
}

static int write_noise(const struct aa_run *runs, size_t n, char *err, size_t len)
{
	char path[PATH_MAX + 16];
	json_t *doc = noise_doc(&runs[0], runs + 1, n - 1);
	int werr = doc ? 0 : -ENOMEM;

	snprintf(path, sizeof(path), "%s/%s", runs[0].path, FB_NOISE_FILE);
	/* Not fb_write_json_atomic: the keys in the order written (the version
	 * first) and ratios as 1.04, not 1.0400000000000001. */
	char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) : NULL;
	if (!werr)
		werr = text ? fb_write_file_atomic(path, text, strlen(text)) : -ENOMEM;
	free(text);
	if (werr)
		snprintf(err, len, "cannot write %s: %s", path, strerror(-werr));
	else
		print_summary(path, doc, n - 1);
	json_decref(doc);
	return werr ? -1 : 0;
}

int fb_cmd_noise(int argc, char **argv)
{
	char err[PATH_MAX + 512];
	struct fb_opt_values v;

	if (fb_options_parse(NULL, 0, argc - 1, argv + 1, &v, err, sizeof(err)) || v.npositional < 2)
		return fb_usage(argc, argv, "forkbench noise BASELINE_RUN OTHER_RUN...   (A/A runs of the same build "
				"and settings on this machine; writes BASELINE_RUN/%s)", FB_NOISE_FILE);
	size_t n = v.npositional;
	struct aa_run *runs = calloc(n, sizeof(*runs));
	int rc = !runs ? (snprintf(err, sizeof(err), "out of memory"), -1)
		       : load_all(v.positional, n, runs, err, sizeof(err)) ? -1 : write_noise(runs, n, err, sizeof(err));
	if (rc)
		fb_error("noise: %s", err);
	for (size_t i = 0; runs && i < n; i++)
		fb_run_close(runs[i].run);
	free(runs);
	return rc ? 2 : 0;
}
