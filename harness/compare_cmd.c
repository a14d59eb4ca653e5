/* compare_cmd.c - `forkbench compare BASE NEW`: exit 0 when no benchmark
 * regressed, 1 when one did, 2 on bad input. BASE and NEW are run folders
 * or bench.json files. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "comparable.h"
#include "compare.h"
#include "run_folder.h"
#include "options.h"
#include "stringify.h"
#include "cli.h"
#include "files.h"
#include "compare_out.h"

const struct fb_option fb_compare_options[] = {
	{ "alpha", FB_OPT_DOUBLE, 1e-6, 0.5, "0.05", "significance level of the U test" },
	{ "threshold", FB_OPT_DOUBLE, 0, 10, FB_STRINGIFY(FB_THRESHOLD_DEFAULT), "relative change that counts (0.10 = 10%)" },
	{ "family-threshold", FB_OPT_STRING, 0, 0, NULL, "per-family thresholds, e.g. spawn=0.2,cow=0.15" },
	{ "normalize", FB_OPT_STRING, 0, 0, "none", "divide by a calibration measured in each run: none, syscall, touch, bare (the bare fork loop)" },
	{ "no-noise", FB_OPT_FLAG, 0, 0, NULL, "ignore BASE/noise.json (its measured A/A noise: thresholds at least "
	  FB_STRINGIFY(FB_NOISE_FACTOR) " x it)" },
	{ "allow-different-machines", FB_OPT_FLAG, 0, 0, NULL, "compare runs of different machines as they are (refused without this or --normalize)" },
	{ "markdown", FB_OPT_STRING, 0, 0, NULL, "also write the comparison as Markdown to this file" },
	{ "junit", FB_OPT_STRING, 0, 0, NULL, "also write JUnit XML (one testcase per benchmark) to this file" },
	{ "confirm", FB_OPT_STRING, 0, 0, NULL, "a run that measured NEW's slower benchmarks again: slower only when slower there too" },
	{ "confirm-ab", FB_OPT_STRING, 0, 0, NULL, "a `forkbench ab` folder, BASE's code as A and NEW's as B: each benchmark it measured is slower exactly when B is slower there" },
	{ "screen", FB_OPT_FLAG, 0, 0, NULL, "slower when the medians' ratio, not its whole interval, is beyond the threshold: candidates for --confirm-ab" },
	{ "flagged-out", FB_OPT_STRING, 0, 0, NULL, "write the names of the benchmarks found slower to this file, one a line" },
	{ "help", FB_OPT_FLAG, 0, 0, NULL, "show this help" },
};
const size_t fb_ncompare_options = sizeof(fb_compare_options) / sizeof(fb_compare_options[0]);

/* A run folder (its manifest of our schema, kept for the conditions) or a
 * bare bench.json (Google Benchmark's JSON, no manifest). */
static struct fb_run *open_input(const char *path, char *err, size_t len)
{
	return fb_run_open(path, FB_RUN_CONFIG | FB_RUN_RESULTS | FB_RUN_BENCH_FILE, FB_RUN_WORDS_COMPARE, err, len);
}

typedef void (*exporter)(const struct fb_comparison *, const struct fb_compare_opts *, FILE *);

static int export_to(const char *path, exporter fn, const struct fb_comparison *cmp,
		     const struct fb_compare_opts *opts)
{
	struct fb_membuf buf;
	int err;

	if (!path)
		return 0;
	if ((err = fb_membuf_open(&buf)))
		return err;
	fn(cmp, opts, buf.f);
	if ((err = fb_membuf_commit(&buf, path)))
		fb_error("compare: cannot write %s: %s", path, strerror(-err));
	return err;
}

static int usage(const char *err)
{
	fb_error("compare: %s", err);
	return 2;
}

/* Runs of different machines differ for reasons other than the code: they
 * are refused unless their figures are normalised by a calibration each run
 * measured, or the user says the difference is what they want to see. */
static int check_comparable(const struct fb_conditions_diff *diff, const struct fb_compare_opts *opts, int allowed,
			    char *err, size_t len)
{
	char machine[640];

	if (!diff->machine || allowed || strcmp(opts->normalize, "none"))
		return 0;
	fb_conditions_machine_text(diff, machine, sizeof(machine));
	snprintf(err, len, "BASE and NEW come from different machines (%s): their figures differ for reasons "
		 "other than the code; use --normalize syscall|touch or --allow-different-machines", machine);
	return -1;
}

/* The most repetitions of any benchmark in a run. */
static size_t repetitions_of(const struct fb_results *res)
{
	size_t most = 0;
	for (size_t i = 0; i < res->count; i++)
		most = res->items[i].nreps > most ? res->items[i].nreps : most;
	return most;
}

/* BASE's A/A noise into opts unless --no-noise: 0 (read or none), or 2
 * with one line naming a corrupt file - thresholds silently back at 10%
 * would flag what the baseline's maker had measured as noise. */
static int load_noise(const char *base, const struct fb_opt_values *v, struct fb_noise *noise,
		      struct fb_compare_opts *opts)
{
	char err[PATH_MAX + 512];

	memset(noise, 0, sizeof(*noise));
	if (fb_opt_given(v, "no-noise"))
		return 0;
	int got = fb_noise_load(base, noise, err, sizeof(err));
	if (got < 0)
		return usage(err);
	opts->noise = got ? noise : NULL;
	return 0;
}

/* --flagged-out: the slower rows' names, one a line (regress measures
 * them again). 0, or -1. */
static int write_flagged(const char *path, const struct fb_comparison *cmp)
{
	struct fb_membuf buf;

	if (!path)
		return 0;
	if (fb_membuf_open(&buf))
		return -1;
	for (size_t i = 0; i < cmp->count; i++)
		if (cmp->rows[i].verdict == FB_SLOWER)
			fprintf(buf.f, "%s\n", cmp->rows[i].name);
	return fb_membuf_commit(&buf, path) ? -1 : 0;
}

/* --confirm RUN: BASE against RUN, and cmp's slower rows held to it. */
static int confirm(const struct fb_results *base, const char *path, const struct fb_compare_opts *opts,
		   struct fb_comparison *cmp, char *err, size_t len)
{
	struct fb_comparison second;
	struct fb_run *again = open_input(path, err, len);

	if (!again)
		return -1;
	int rc = fb_compare(base, &again->results, opts, &second, err, len);
	if (rc == 0) {
		fb_compare_confirm(cmp, &second, path);
		fb_comparison_free(&second);
	}
	fb_run_close(again);
	return rc;
}

/* --confirm-ab DIR: DIR/b against DIR/a, measured in the same minutes,
 * decides every benchmark it measured. Interleaved, the two sides share the
 * machine's drift, so neither the A/A noise between runs (noise.json) nor a
 * normaliser applies; the screen against the baseline's figures has already
 * asked for a change beyond the threshold, so here a change beyond half of
 * it, with the interval's confidence, shows that it is real. */
static int confirm_ab(const char *dir, const struct fb_compare_opts *opts, struct fb_comparison *cmp, char *err,
		      size_t len)
{
	struct fb_compare_opts side_by_side = { .alpha = opts->alpha, .threshold = opts->threshold / 2,
						.normalize = "none" };
	struct fb_results sides[2];
	struct fb_comparison second;
	char path[PATH_MAX + 16];
	int loaded = 0, rc = -1;

	for (; loaded < 2; loaded++) {
		snprintf(path, sizeof(path), "%s/%c/bench.json", dir, "ab"[loaded]);
		if (fb_results_load(path, &sides[loaded], err, len))
			break;
	}
	if (loaded == 2 && (rc = fb_compare(&sides[0], &sides[1], &side_by_side, &second, err, len)) == 0) {
		fb_compare_decide(cmp, &second, dir);
		fb_comparison_free(&second);
	}
	while (loaded--)
		fb_results_free(&sides[loaded]);
	return rc;
}

/* Compare, print, export: 0 same or faster, 1 a regression, 2 nothing comparable or an export failed. */
static int compare_and_export(const struct fb_results *base, const struct fb_results *new_run,
			      const struct fb_compare_opts *opts, const struct fb_conditions_diff *diff,
			      const struct fb_opt_values *v)
{
	struct fb_comparison cmp;
	char err[PATH_MAX + 256] = "";

	if (fb_compare(base, new_run, opts, &cmp, err, sizeof(err)))
		return usage(err);
	if (write_flagged(fb_opt_text(v, "flagged-out"), &cmp) ||
	    (fb_opt_text(v, "confirm") && confirm(base, fb_opt_text(v, "confirm"), opts, &cmp, err, sizeof(err))) ||
	    (fb_opt_text(v, "confirm-ab") && confirm_ab(fb_opt_text(v, "confirm-ab"), opts, &cmp, err, sizeof(err)))) {
		fb_comparison_free(&cmp);
		return usage(err[0] ? err : "cannot write --flagged-out");
	}
	cmp.conditions = *diff;
	cmp.base_repetitions = repetitions_of(base);
	fb_compare_print_table(&cmp, opts, stdout);
	if (cmp.not_comparable == cmp.count) {   /* nothing compared is no pass */
		fb_comparison_free(&cmp);
		return usage("no benchmark could be compared (see the table): not a pass");
	}
	int werr = export_to(fb_opt_text(v, "markdown"), fb_compare_write_markdown, &cmp, opts) ||
		   export_to(fb_opt_text(v, "junit"), fb_compare_write_junit, &cmp, opts);
	int rc = werr ? 2 : cmp.regressions ? 1 : 0;
	fb_comparison_free(&cmp);
	return rc;
}

int fb_cmd_compare(int argc, char **argv)
{
	struct fb_opt_values v;
	struct fb_compare_opts opts;
	struct fb_noise noise = { .root = NULL };
	char err[PATH_MAX + 256];

	if (fb_options_parse(fb_compare_options, fb_ncompare_options, argc - 1, argv + 1, &v, err, sizeof(err)))
		return usage(err);
	if (fb_opt_given(&v, "help")) {
		printf("usage: forkbench compare BASE NEW [options]   (run folders or bench.json files)\n");
		fb_options_help(fb_compare_options, fb_ncompare_options, stdout);
		return 0;
	}
	if (v.npositional != 2)
		return usage("needs BASE and NEW (run folders or bench.json files)");
	memset(&opts, 0, sizeof(opts));
	opts.alpha = fb_opt_number(&v, "alpha");
	opts.threshold = fb_opt_number(&v, "threshold");
	opts.normalize = fb_opt_text(&v, "normalize");
	opts.screen = fb_opt_given(&v, "screen");
	if (fb_opt_text(&v, "family-threshold"))
		snprintf(opts.family_thresholds, sizeof(opts.family_thresholds), "%s", fb_opt_text(&v, "family-threshold"));
	struct fb_run *base = open_input(v.positional[0], err, sizeof(err));
	if (!base)
		return usage(err);
	struct fb_run *new_run = open_input(v.positional[1], err, sizeof(err));
	if (!new_run) {
		fb_run_close(base);
		return usage(err);
	}
	struct fb_conditions_diff diff;
	fb_conditions_compare(base->manifest, new_run->manifest, &diff);
	int rc = check_comparable(&diff, &opts, fb_opt_given(&v, "allow-different-machines"), err, sizeof(err))
			 ? usage(err) : load_noise(v.positional[0], &v, &noise, &opts);
	if (rc == 0)
		rc = compare_and_export(&base->results, &new_run->results, &opts, &diff, &v);
	fb_noise_free(&noise);
	fb_run_close(base);
	fb_run_close(new_run);
	return rc;
}
