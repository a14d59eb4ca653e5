/* regress.c - `forkbench regress BASELINE [compare options]`: a new run made
 * like the baseline (its profile, sizes, modes, filter, repetitions and
 * minimum time, read from its manifest), then `compare BASELINE NEW`. The
 * exit status is compare's: 0 no regression, 1 regression, 2 bad input. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "manifest.h"
#include "util.h"

static const char *config_text(json_t *cfg, const char *key)
{
	return json_string_value(json_object_get(cfg, key));
}

int fb_cmd_regress(int argc, char **argv)
{
	char path[PATH_MAX + 32], final[PATH_MAX], reps[16], min_time[32];
	json_error_t jerr;

	if (argc < 2 || argv[1][0] == '-') {
		fb_error("usage: forkbench regress BASELINE_FOLDER [compare options, see forkbench compare --help]");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/manifest.json", argv[1]);
	json_t *m = json_load_file(path, 0, &jerr);
	json_t *cfg = json_object_get(m, "config");
	if (!m || !config_text(cfg, "sizes_mib") || !config_text(cfg, "modes") || !config_text(cfg, "profile")) {
		fb_error("regress: %s: %s", path, m ? "no run configuration in it" : jerr.text);
		json_decref(m);
		return 2;
	}
	snprintf(reps, sizeof(reps), "%lld", (long long)json_integer_value(json_object_get(cfg, "repetitions")));
	snprintf(min_time, sizeof(min_time), "%g", json_number_value(json_object_get(cfg, "min_time_s")));
	/* Run as the baseline was run: the same sweep, repetitions, filter
	 * and placement (which CPU parent and child share moves fork figures). */
	const char *run_argv[24] = { "run", "--profile", config_text(cfg, "profile"),
				     "--sizes", config_text(cfg, "sizes_mib"), "--modes", config_text(cfg, "modes"),
				     "--repetitions", reps, "--min-time", min_time };
	int run_argc = 11;
	static const char *const copied[][2] = { { "filter", "--filter" }, { "placement", "--placement" },
						 { "cpus", "--cpus" } };
	for (size_t i = 0; i < sizeof(copied) / sizeof(copied[0]); i++) {
		if (!config_text(cfg, copied[i][0]))
			continue;
		run_argv[run_argc++] = copied[i][1];
		run_argv[run_argc++] = config_text(cfg, copied[i][0]);
	}
	/* The commands read their argv, never write it. */
	int rc = fb_run_main(run_argc, (char **)run_argv, final, sizeof(final));
	json_decref(m);
	if (rc)
		return rc == 2 ? 2 : rc;
	const char *cmp_argv[64] = { "compare", argv[1], final };
	int n = 3;
	for (int i = 2; i < argc && n < 63; i++)
		cmp_argv[n++] = argv[i];
	printf("\n");
	return fb_cmd_compare(n, (char **)cmp_argv);
}
