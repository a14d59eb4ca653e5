/* regress.c - `forkbench regress BASELINE [compare options]`: a new run made
 * like the baseline (its profile, sizes, modes, filter, repetitions and
 * minimum time, read from its manifest), then `compare BASELINE NEW`, which
 * reads the baseline's noise.json (its A/A noise) from the folder as well.
 * The exit status is compare's: 0 no regression, 1 regression, 2 bad input. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "comparable.h"
#include "manifest.h"
#include "noise.h"
#include "run_config.h"
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

int fb_cmd_regress(int argc, char **argv)
{
	char path[PATH_MAX + 32], final[PATH_MAX], why[1024];
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
	json_decref(m);
	if (bad)
		return fb_error("regress: %s", why), 2;
	/* The commands read their argv, never write it. */
	int rc = fb_run_main(run.argc, (char **)run.argv, final, sizeof(final));
	if (rc)
		return rc == 2 ? 2 : rc;
	const char *cmp_argv[64] = { "compare", argv[1], final };
	int n = 3;
	for (int i = 2; i < argc && n < 63; i++)
		cmp_argv[n++] = argv[i];
	printf("\n");
	return fb_cmd_compare(n, (char **)cmp_argv);
}
