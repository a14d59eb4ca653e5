/* commands.c - forkbench's command table: what main() dispatches to and
 * lists in its usage, and what tests/test_cli.c walks to ask every command
 * for its help, its version and a run folder that is not there. */
#include "commands.h"

#include "ab.h"
#include "claims_out.h"
#include "grade.h"
#include "matrix.h"
#include "noise.h"
#include "report.h"

const struct fb_command fb_commands[] = {
	{ "run", fb_cmd_run, "run the benchmarks into a new results/<run-id>/ folder", NULL },
	{ "compare", fb_cmd_compare, "compare two runs (BASE NEW): exit 1 on a significant slow-down", "RUN RUN" },
	{ "regress", fb_cmd_regress, "run like a baseline run folder, then compare against it", "RUN" },
	{ "claims", fb_cmd_claims, "judge the lecture's claims from a run folder into RUN/claims.json", "RUN" },
	{ "consistency", fb_cmd_consistency,
	  "a run's own cross-checks (pairs measured twice, overhead); --strict: exit 1 on a disagreement", "RUN" },
	{ "precision", fb_cmd_precision, "spread, overhead and interval coverage over consecutive runs (make precision)",
	  "RUN RUN" },
	{ "report", fb_cmd_report, "render RUN/report.md and RUN/report.html from a run folder", "RUN" },
	{ "validate", fb_cmd_validate, "semantic checks of fork, COW, vfork, clone, exec and threads (TAP 13)", NULL },
	{ "grade", fb_cmd_grade, "grade a student submission: --assignment NAME DIR, Gradescope results.json", NULL },
	{ "noise", fb_cmd_noise,
	  "measure a baseline's A/A noise from second runs of the same build into BASELINE/noise.json", "RUN RUN" },
	{ "ab", fb_cmd_ab, "A/B on this machine: two builds or environments measured interleaved, then compared", NULL },
	{ "matrix", fb_cmd_matrix, "one table of chosen figures across run folders of several machines (--out DIR)",
	  "RUN RUN --out DIR" },
};
const size_t fb_ncommands = sizeof(fb_commands) / sizeof(fb_commands[0]);
