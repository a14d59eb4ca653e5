/* main.c - forkbench: the driver. `forkbench COMMAND [options]`. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "ab.h"
#include "matrix.h"
#include "noise.h"
#include "cli.h"
#include "claims_out.h"
#include "report.h"
#include "grade.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "run", fb_cmd_run, "run the benchmarks into a new results/<run-id>/ folder" },
	{ "compare", fb_cmd_compare, "compare two runs (BASE NEW): exit 1 on a significant slow-down" },
	{ "regress", fb_cmd_regress, "run like a baseline run folder, then compare against it" },
	{ "claims", fb_cmd_claims, "judge the lecture's claims from a run folder into RUN/claims.json" },
	{ "consistency", fb_cmd_consistency, "a run's own cross-checks (pairs measured twice, overhead); --strict: exit 1 on a disagreement" },
	{ "precision", fb_cmd_precision, "spread, overhead and interval coverage over consecutive runs (make precision)" },
	{ "report", fb_cmd_report, "render RUN/report.md and RUN/report.html from a run folder" },
	{ "validate", fb_cmd_validate, "semantic checks of fork, COW, vfork, clone, exec and threads (TAP 13)" },
	{ "grade", fb_cmd_grade, "grade a student submission: --assignment NAME DIR, Gradescope results.json" },
	{ "noise", fb_cmd_noise, "measure a baseline's A/A noise from second runs of the same build into BASELINE/noise.json" },
	{ "ab", fb_cmd_ab, "A/B on this machine: two builds or environments measured interleaved, then compared" },
	{ "matrix", fb_cmd_matrix, "one table of chosen figures across run folders of several machines (--out DIR)" },
};

static int usage(FILE *out)
{
	fprintf(out, "usage: forkbench COMMAND [options]   (COMMAND --help for its options)\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
	return out == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);   /* fork hygiene: nothing buffered twice */
	if (argc < 2)
		return usage(stderr);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0)
		return usage(stdout);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
		return printf("forkbench %s\n", FB_VERSION), 0;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fb_error("unknown command '%s' (try forkbench --help)", argv[1]);
	return 2;
}
