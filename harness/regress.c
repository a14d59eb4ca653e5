/* regress.c - `forkbench regress BASELINE [compare options]`: a new run made
 * like the baseline (its profile, sizes, modes, filter, repetitions and
 * minimum time, read from its manifest), then `compare BASELINE NEW`. The
 * exit status is compare's: 0 no regression, 1 regression, 2 bad input. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "run_config.h"
#include "util.h"

int fb_cmd_regress(int argc, char **argv)
{
	char path[PATH_MAX + 32], final[PATH_MAX], why[256];
	struct fb_run_config config;
	struct fb_argv run;
	json_error_t jerr;

	if (argc < 2 || argv[1][0] == '-') {
		fb_error("usage: forkbench regress BASELINE_FOLDER [compare options, see forkbench compare --help]");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/manifest.json", argv[1]);
	json_t *m = json_load_file(path, 0, &jerr);
	/* Run as the baseline was run: the same sweep, repetitions, filter
	 * and placement (which CPU parent and child share moves fork figures). */
	int bad = !m || fb_run_config_from_json(json_object_get(m, "config"), &config, why, sizeof(why)) ||
		  fb_run_config_run_argv(&config, &run);
	json_decref(m);
	if (bad)
		return fb_error("regress: %s: %s", path, m ? why : jerr.text), 2;
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
