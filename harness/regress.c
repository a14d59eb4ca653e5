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
 * status is compare's: 0 no regression, 1 regression, 2 bad input. */
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
#include "regress.h"
#include "run_config.h"
#include "results.h"
#include "util.h"

/* Did the compare options (argv[2..]) ask to compare across machines? */
static int across_machines_allowed(int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		const char *normalize = strncmp(argv[i], "--normalize=", 12) == 0 ? argv[i] + 12
					: strcmp(argv[i], "--normalize") == 0 && i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(argv[i], "--allow-different-machines") == 0 || (normalize && strcmp(normalize, "none")))
			return 1;
	}
	return 0;
}

/* Before minutes of benchmarks: is this the baseline's machine? compare
 * would refuse the two runs afterwards; say it now. 0, or -1 with err. */
static int check_machine(const json_t *baseline, int argc, char **argv, char *err, size_t len)
{
	char machine[640];
	struct fb_conditions_diff diff;

	if (across_machines_allowed(argc, argv))
		return 0;
	json_t *here = json_pack("{s:o}", "environment", fb_manifest_environment_here());
	fb_conditions_compare(baseline, here, &diff);
	json_decref(here);
	if (!diff.machine)
		return 0;
	fb_conditions_machine_text(&diff, machine, sizeof(machine));
	snprintf(err, len, "the baseline %s was made on another machine (%s): make a baseline here (make baseline "
		 "NAME=...), or compare with --normalize syscall|touch or --allow-different-machines", argv[1], machine);
	return -1;
}

/* Before minutes of benchmarks: is the baseline's noise.json readable (or
 * absent, or ignored with --no-noise)? compare would refuse a corrupt one
 * afterwards. 0, or -1 with err. */
static int check_noise(int argc, char **argv, char *err, size_t len)
{
	struct fb_noise noise;

	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], "--no-noise") == 0)
			return 0;
	int got = fb_noise_load(argv[1], &noise, err, len);
	fb_noise_free(&noise);
	return got < 0 ? -1 : 0;
}

/* Does the user name a normalisation (compare's --normalize)? */
static int normalize_given(int argc, char **argv)
{
	for (int i = 2; i < argc; i++)
		if (strncmp(argv[i], "--normalize", 11) == 0)
			return 1;
	return 0;
}

/* compare BASELINE NEW [--normalize bare] [--screen] [the user's options]
 * [extra, extra_value]: its exit status. */
static int compare_runs(int argc, char **argv, const char *new_run, int bare, int screen, const char *extra,
			const char *extra_value)
{
	const char *cmp_argv[72] = { "compare", argv[1], new_run };
	int n = 3;

	if (bare)
		cmp_argv[n++] = "--normalize", cmp_argv[n++] = "bare";
	if (screen)
		cmp_argv[n++] = "--screen";
	for (int i = 2; i < argc && n < 68; i++)
		cmp_argv[n++] = argv[i];
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

/* compare's --threshold among the user's options (its default, FB_THRESHOLD_DEFAULT, else). */
static double threshold_given(int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		const char *t = strncmp(argv[i], "--threshold=", 12) == 0 ? argv[i] + 12
				: strcmp(argv[i], "--threshold") == 0 && i + 1 < argc ? argv[i + 1] : NULL;
		if (t)
			return atof(t);
	}
	return FB_THRESHOLD_DEFAULT;
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
	char path[PATH_MAX + 16], err[PATH_MAX + 64];
	struct fb_results res;

	snprintf(path, sizeof(path), "%s/bench.json", baseline);
	if (fb_results_load(path, &res, err, sizeof(err)))
		return;
	for (size_t h = 0; h < sizeof(headline) / sizeof(headline[0]) && *n < max; h++) {
		const struct fb_result *r = fb_results_get(&res, &headline[h]);
		size_t i = 0;
		while (i < *n && !fb_key_equal(&keys[i], &headline[h]))
			i++;
		if (i == *n && r && !r->error && r->nreps)
			keys[(*n)++] = headline[h];
	}
	fb_results_free(&res);
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
	char path[PATH_MAX + 16], err[256];
	struct fb_results res;

	snprintf(path, sizeof(path), "%s/bench.json", baseline);
	if (fb_results_load(path, &res, err, sizeof(err)))
		return 0;
	const struct fb_result *r = fb_results_get(&res, &bare);
	int has = r && !r->error && r->nreps;
	fb_results_free(&res);
	return has;
}

int fb_cmd_regress(int argc, char **argv)
{
	char path[PATH_MAX + 32], final[PATH_MAX], again[PATH_MAX + 32], why[1024], flagged[] = "/tmp/fb-regress-XXXXXX";
	struct fb_run_config config;
	struct fb_argv run;
	json_error_t jerr;

	if (argc < 2 || argv[1][0] == '-') {
		return fb_usage(argc, argv, "forkbench regress BASELINE_FOLDER [compare options, see forkbench compare --help]");
	}
	snprintf(path, sizeof(path), "%s/manifest.json", argv[1]);
	json_t *m = json_load_file(path, 0, &jerr);
	/* Run as the baseline was run: the same sweep, repetitions, filter
	 * and placement (which CPU parent and child share moves fork figures). */
	int bad = !m || fb_run_config_from_json(json_object_get(m, "config"), &config, why, sizeof(why)) ||
		  fb_run_config_run_argv(&config, &run);
	if (bad) {
		json_decref(m);
		return fb_error("regress: %s: %s", path, m ? why : jerr.text), 2;
	}
	bad = check_machine(m, argc, argv, why, sizeof(why)) || check_noise(argc, argv, why, sizeof(why));
	if (bad) {
		json_decref(m);
		return fb_error("regress: %s", why), 2;
	}
	/* By default figures are divided by each run's own bare fork loop: the
	 * machine's speed moves both alike, a change of forkbench's code only
	 * the figure. */
	int bare = !normalize_given(argc, argv) && has_bare_loop(argv[1]);
	int rc = fb_run_main(run.argc, (char **)run.argv, final, sizeof(final));
	int fd = rc ? -1 : mkstemp(flagged);
	if (rc || fd < 0) {
		json_decref(m);
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
	rc = compare_runs(argc, argv, final, bare, side, "--flagged-out", flagged);
	if (rc != 2 && side && side_by_side(argv[1], m, &config, threshold_given(argc, argv), flagged, final, again,
					    sizeof(again)) == 0)
		rc = compare_runs(argc, argv, final, bare, 1, "--confirm-ab", again);
	else if (rc == 1 && side)
		side = 0, rc = compare_runs(argc, argv, final, bare, 0, "--flagged-out", flagged);
	if (rc == 1 && !side && (rc = measure_again(&config, flagged, bare, again, sizeof(again))) == 0)
		rc = compare_runs(argc, argv, final, bare, 0, "--confirm", again);
	unlink(flagged);
	json_decref(m);
	return rc;
}
