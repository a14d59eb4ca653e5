/* regress.c - `forkbench regress BASELINE [compare options]`: a new run made
 * like the baseline (its profile, sizes, modes, filter, repetitions and
 * minimum time, read from its manifest), then `compare BASELINE NEW`, which
 * reads the baseline's noise.json (its A/A noise) from the folder as well,
 * with figures divided by each run's bare fork loop unless the options say
 * otherwise, as a screen (compare --screen). What the screen finds slower
 * and the headline spawn cases are measured side by side with the
 * baseline's own code, built from its git revision (regress_side.c), and
 * that measurement decides them (compare --confirm-ab). When that code
 * cannot be had: the conservative rule, and what it finds slower measured
 * again in a run of its own against the baseline's figures (compare
 * --confirm), which holds only while the machine holds its speed. The exit
 * status is compare's: 0 no regression, 1 regression (a row decided
 * slower; an inconclusive one fails nothing, and compare's table says so),
 * 2 bad input. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "comparable.h"
#include "manifest.h"
#include "noise.h"
#include "options.h"
#include "regress.h"
#include "run_config.h"
#include "results.h"
#include "run_folder.h"
#include "cli.h"

/* Did the compare options ask to compare across machines? */
static int across_machines_allowed(const struct fb_opt_values *compare)
{
	return fb_opt_given(compare, "allow-different-machines") || strcmp(fb_opt_text(compare, "normalize"), "none");
}

/* Before minutes of benchmarks: is this the baseline's machine? compare
 * would refuse the two runs afterwards; say it now. 0, or -1 with err. */
static int check_machine(const json_t *baseline, const char *baseline_dir, const struct fb_opt_values *compare,
			 char *err, size_t len)
{
	char machine[640];
	struct fb_conditions_diff diff;

	if (across_machines_allowed(compare))
		return 0;
	json_t *here = json_pack("{s:o}", "environment", fb_manifest_environment_here());
	fb_conditions_compare(baseline, here, &diff);
	json_decref(here);
	if (!diff.machine)
		return 0;
	fb_conditions_machine_text(&diff, machine, sizeof(machine));
	snprintf(err, len, "the baseline %s was made on another machine (%s): make a baseline here (make baseline "
		 "NAME=...), or compare with --normalize syscall|touch or --allow-different-machines", baseline_dir, machine);
	return -1;
}

/* Before minutes of benchmarks: is the baseline's noise.json readable (or
 * absent, or ignored with --no-noise)? compare would refuse a corrupt one
 * afterwards. 0, or -1 with err. */
static int check_noise(const char *baseline_dir, const struct fb_opt_values *compare, char *err, size_t len)
{
	struct fb_noise noise;

	if (fb_opt_given(compare, "no-noise"))
		return 0;
	int got = fb_noise_load(baseline_dir, &noise, err, len);
	fb_noise_free(&noise);
	return got < 0 ? -1 : 0;
}

/* compare BASELINE NEW [--normalize bare] [--screen] [the user's options,
 * as parsed: each given one once, its value last given] [extra,
 * extra_value]: its exit status. */
static int compare_runs(const char *baseline, const struct fb_opt_values *user, const char *new_run, int bare,
			int screen, const char *extra, const char *extra_value)
{
	const char *cmp_argv[8 + 2 * FB_MAX_OPTIONS] = { "compare", baseline, new_run };
	char names[FB_MAX_OPTIONS][64];
	int n = 3;

	if (bare)
		cmp_argv[n++] = "--normalize", cmp_argv[n++] = "bare";
	if (screen)
		cmp_argv[n++] = "--screen";
	for (size_t i = 0; i < user->count; i++) {
		if (!user->given[i])
			continue;
		snprintf(names[i], sizeof(names[i]), "--%s", user->table[i].name);
		cmp_argv[n++] = names[i];
		if (user->table[i].type != FB_OPT_FLAG)
			cmp_argv[n++] = user->text[i];
	}
	if (extra)
		cmp_argv[n++] = extra, cmp_argv[n++] = extra_value;
	printf("\n");
	return fb_cmd_compare(n, (char **)cmp_argv);   /* the commands read their argv, never write it */
}

/* The keys of the benchmarks listed in path (compare --flagged-out), and
 * the bare loops that --normalize bare divides by. How many; 0 on error. */
static size_t flagged_keys(const char *path, int bare, struct fb_bench_key *keys, size_t max)
{
	static const struct fb_bench_key loops[] = { FB_KEY0("calibrate", "bare_fork"), FB_KEY0("calibrate", "bare_vfork") };
	char line[512];
	size_t n = 0;
	FILE *f = fopen(path, "r");

	while (f && n + 2 < max && fgets(line, sizeof(line), f))
		if (fb_key_parse(strtok(line, "\n"), &keys[n]) == 0)
			n++;
	if (f)
		fclose(f);
	for (size_t i = 0; bare && n && i < 2; i++)
		keys[n++] = loops[i];
	return n;
}

/* The benchmarks found slower, measured again in a run of their own (made
 * like the baseline, minutes later): one moment's drift of the machine is
 * not a regression. The run's folder into again. 0, or the run's status. */
static int measure_again(const struct fb_run_config *baseline, const char *flagged, int bare, char *again,
			 size_t len)
{
	struct fb_run_config config = *baseline;
	struct fb_bench_key keys[128];
	struct fb_argv run;
	size_t n = flagged_keys(flagged, bare, keys, 128);

	/* Too many for one filter: the whole run again, as the baseline was made. */
	if (n && fb_key_filter(keys, n, config.filter, sizeof(config.filter)))
		snprintf(config.filter, sizeof(config.filter), "%s", baseline->filter);
	if (!n || fb_run_config_run_argv(&config, &run)) {
		fb_error("regress: cannot measure the benchmarks found slower again (%s)", n ? "no run" : "none listed");
		return 2;
	}
	printf("\nregress: %zu benchmark%s found slower; measuring %s again before saying so\n\n", n - (bare ? 2 : 0),
	       n - (bare ? 2 : 0) == 1 ? "" : "s", n - (bare ? 2 : 0) == 1 ? "it" : "them");
	int rc = fb_run_main(run.argc, (char **)run.argv, again, len);
	return rc == 2 ? 2 : rc;
}

/* The headline spawn cases, measured side by side in every regress
 * whether the screen flagged them or not: against the baseline's figures a
 * 15% slow-down of every spawn case reached the screen in 2 of 4 runs (the
 * bare loop the figures are divided by moved 1.46x in one). */
static const struct fb_bench_key headline[] = {
	FB_KEY0("spawn", "fork"), FB_KEY0("spawn", "vfork"), FB_KEY0("spawn", "posix_spawn_static"),
};

/* Add to keys[0..*n) the headline cases the baseline ran, once. */
static void add_headline(const char *baseline, struct fb_bench_key *keys, size_t *n, size_t max)
{
	char err[PATH_MAX + 64];
	struct fb_run *run = fb_run_open(baseline, FB_RUN_RESULTS, FB_RUN_WORDS_LOADER, err, sizeof(err));

	if (!run)
		return;
	for (size_t h = 0; h < sizeof(headline) / sizeof(headline[0]) && *n < max; h++) {
		const struct fb_result *r = fb_results_get(&run->results, &headline[h]);
		size_t i = 0;
		while (i < *n && !fb_key_equal(&keys[i], &headline[h]))
			i++;
		if (i == *n && r && !r->error && r->nreps)
			keys[(*n)++] = headline[h];
	}
	fb_run_close(run);
}

/* The headline cases and the flagged benchmarks side by side with the
 * baseline's code, into <new run>-side-by-side. 0 with that folder in out,
 * or -1 (said why). */
static int side_by_side(const char *baseline_dir, const json_t *baseline, const struct fb_run_config *config,
			double threshold, const char *flagged, const char *new_run, char *out, size_t len)
{
	struct fb_bench_key keys[128];
	char why[PATH_MAX + 128];
	size_t n = flagged_keys(flagged, 0, keys, 128);

	add_headline(baseline_dir, keys, &n, 128);
	snprintf(out, len, "%s-side-by-side", new_run);
	if (n && fb_regress_side_by_side(baseline, config->min_time_s, threshold, keys, n, out, why, sizeof(why)) == 0)
		return 0;
	printf("\nregress: cannot measure the benchmarks found slower side by side with the baseline's code: %s; "
	       "measuring them again against the baseline's figures instead\n", n ? why : "none listed");
	return -1;
}

/* Does the baseline hold the bare fork loop, so that --normalize bare can
 * divide by it? */
static int has_bare_loop(const char *baseline)
{
	static const struct fb_bench_key bare = FB_KEY0("calibrate", "bare_fork");
	char err[PATH_MAX + 64];
	struct fb_run *run = fb_run_open(baseline, FB_RUN_RESULTS, FB_RUN_WORDS_LOADER, err, sizeof(err));

	if (!run)
		return 0;
	const struct fb_result *r = fb_results_get(&run->results, &bare);
	int has = r && !r->error && r->nreps;
	fb_run_close(run);
	return has;
}

int fb_cmd_regress(int argc, char **argv)
{
	char final[PATH_MAX], again[PATH_MAX + 32], why[PATH_MAX + 1024], flagged[] = "/tmp/fb-regress-XXXXXX";
	struct fb_opt_values compare;
	struct fb_argv run;

	/* the user's compare options (passed on as given), read with compare's own table */
	if (fb_options_parse(fb_compare_options, fb_ncompare_options, argc - 1, argv + 1, &compare, why, sizeof(why)))
		return fb_error("regress: %s", why), 2;
	if (compare.npositional != 1)
		return fb_usage(argc, argv, "forkbench regress BASELINE_FOLDER [compare options, see forkbench compare --help]");
	const char *baseline_dir = compare.positional[0];
	/* Run as the baseline was run: the same sweep, repetitions, filter
	 * and placement (which CPU parent and child share moves fork figures).
	 * Only its config is needed, so its manifest is not checked further. */
	struct fb_run *baseline = fb_run_open(baseline_dir, FB_RUN_UNCHECKED, FB_RUN_WORDS_LOADER, why, sizeof(why));
	if (!baseline)
		return fb_error("regress: %s", why), 2;
	const struct fb_run_config *config = &baseline->config;
	const json_t *m = baseline->manifest;
	if (!baseline->config_ok || fb_run_config_run_argv(config, &run)) {
		fb_error("regress: %s: %s", baseline->manifest_path, baseline->config_err);
		return fb_run_close(baseline), 2;
	}
	int bad = check_machine(m, baseline_dir, &compare, why, sizeof(why)) ||
		  check_noise(baseline_dir, &compare, why, sizeof(why));
	if (bad) {
		fb_run_close(baseline);
		return fb_error("regress: %s", why), 2;
	}
	/* By default figures are divided by each run's own bare fork loop: the
	 * machine's speed moves both alike, a change of forkbench's code only
	 * the figure. */
	int bare = !fb_opt_given(&compare, "normalize") && has_bare_loop(baseline_dir);
	int rc = fb_run_main(run.argc, (char **)run.argv, final, sizeof(final));
	int fd = rc ? -1 : mkstemp(flagged);
	if (rc || fd < 0) {
		fb_run_close(baseline);
		return rc ? (rc == 2 ? 2 : rc) : (fb_error("regress: mkstemp: %s", strerror(errno)), 2);
	}
	close(fd);
	/* With the baseline's code at hand, a screen (the medians beyond the
	 * threshold) whose candidates the side-by-side measurement decides;
	 * without, the conservative rule and a re-measurement against the
	 * baseline's figures. */
	int side = fb_regress_side_possible(m, why, sizeof(why));
	if (!side)
		printf("\nregress: %s: what is found slower will be measured again against the baseline's figures\n", why);
	rc = compare_runs(baseline_dir, &compare, final, bare, side, "--flagged-out", flagged);
	if (rc != 2 && side && side_by_side(baseline_dir, m, config, fb_opt_number(&compare, "threshold"), flagged, final,
					    again, sizeof(again)) == 0)
		rc = compare_runs(baseline_dir, &compare, final, bare, 1, "--confirm-ab", again);
	else if (rc == 1 && side)
		side = 0, rc = compare_runs(baseline_dir, &compare, final, bare, 0, "--flagged-out", flagged);
	if (rc == 1 && !side && (rc = measure_again(config, flagged, bare, again, sizeof(again))) == 0)
		rc = compare_runs(baseline_dir, &compare, final, bare, 0, "--confirm", again);
	unlink(flagged);
	fb_run_close(baseline);
	return rc;
}
