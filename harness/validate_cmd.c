/* validate_cmd.c - `forkbench validate [options]`: run the semantic checks, print
 * TAP 13, optionally write TAP and JUnit files. Exit 0 when no check
 * failed, 1 when one did, 2 on a usage error. Also the run folder's step
 * (fb_validate_to_file). */
#define _GNU_SOURCE
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "options.h"
#include "cli.h"
#include "files.h"
#include "validate.h"

static const struct fb_option validate_options[] = {
	{ "junit", FB_OPT_STRING, 0, 0, NULL, "also write JUnit XML (one testcase per check) to this file" },
	{ "tap", FB_OPT_STRING, 0, 0, NULL, "also write the TAP output to this file" },
	{ "filter", FB_OPT_STRING, 0, 0, NULL, "only the checks whose name holds this substring or matches this regex" },
	{ "timeout", FB_OPT_INT, 1, 3600, "10", "seconds a check may take before its process group is killed" },
	{ "list", FB_OPT_FLAG, 0, 0, NULL, "list the selected checks' names and exit" },
	{ "help", FB_OPT_FLAG, 0, 0, NULL, "show this help" },
};
#define N_VALIDATE_OPTIONS (sizeof(validate_options) / sizeof(validate_options[0]))

/* The rows whose name holds filter, or matches it as an extended regex (a
 * filter that is no valid regex is a plain substring). */
static void select_checks(struct fb_vrun *run, const char *filter)
{
	regex_t re;
	int have_re = filter && regcomp(&re, filter, REG_EXTENDED | REG_NOSUB) == 0;

	run->count = 0;
	for (size_t i = 0; i < fb_nchecks && run->count < FB_MAX_CHECKS; i++) {
		const char *name = fb_checks[i].name;
		if (!filter || strstr(name, filter) || (have_re && regexec(&re, name, 0, NULL, 0) == 0))
			run->checks[run->count++] = &fb_checks[i];
	}
	if (have_re)
		regfree(&re);
}

/* Run the selected checks with TAP to stdout (unless quiet) and to
 * tap_path, JUnit to junit_path (either may be NULL). The failed count,
 * -EINTR, or -errno when a file could not be written. */
static int run_and_write(struct fb_vrun *run, int quiet, const char *tap_path, const char *junit_path)
{
	struct fb_membuf tap = { 0 }, junit;
	int err;

	run->tap[0] = quiet ? NULL : stdout;
	run->tap[1] = NULL;
	if (tap_path && (err = fb_membuf_open(&tap)))
		return err;
	run->tap[1] = tap_path ? tap.f : NULL;
	int failed = fb_validate_run(run);
	if (tap_path && failed < 0) {   /* interrupted: no half a TAP file */
		fclose(tap.f);
		free(tap.data);
	} else if (tap_path && (err = fb_membuf_commit(&tap, tap_path)))
		failed = err;
	if (failed >= 0 && junit_path) {
		if ((err = fb_membuf_open(&junit)))
			return err;
		fb_junit_write(run, junit.f);
		if ((err = fb_membuf_commit(&junit, junit_path)))
			failed = err;
	}
	return failed;
}

int fb_validate_to_file(const char *tap_path, const char *junit_path)
{
	static struct fb_vrun run;   /* static: some 30 KiB of results */

	memset(&run, 0, sizeof(run));
	run.timeout_s = 10;
	select_checks(&run, NULL);
	return run_and_write(&run, 1, tap_path, junit_path);
}

static int usage_error(const char *err)
{
	fb_error("validate: %s", err);
	return 2;
}

int fb_cmd_validate(int argc, char **argv)
{
	static struct fb_vrun run;
	struct fb_opt_values v;
	char err[512];

	if (fb_options_parse(validate_options, N_VALIDATE_OPTIONS, argc - 1, argv + 1, &v, err, sizeof(err)))
		return usage_error(err);
	if (fb_opt_given(&v, "help")) {
		printf("usage: forkbench validate [options]   (TAP 13 on stdout)\n");
		fb_options_help(validate_options, N_VALIDATE_OPTIONS, stdout);
		return 0;
	}
	if (v.npositional)
		return usage_error("takes no positional arguments (try --help)");
	const char *filter = fb_opt_text(&v, "filter");
	select_checks(&run, filter);
	if (run.count == 0) {
		snprintf(err, sizeof(err), "no check matches --filter '%s' (try --list)", filter);
		return usage_error(err);
	}
	if (fb_opt_given(&v, "list")) {
		for (size_t i = 0; i < run.count; i++)
			printf("%s\n", run.checks[i]->name);
		return 0;
	}
	run.timeout_s = (int)fb_opt_number(&v, "timeout");
	const char *tap_path = fb_opt_text(&v, "tap"), *junit_path = fb_opt_text(&v, "junit");
	int failed = run_and_write(&run, 0, tap_path, junit_path);
	if (failed == -EINTR)
		return 130;
	if (failed < 0) {
		snprintf(err, sizeof(err), "could not write the --tap or --junit file: %s", strerror(-failed));
		return usage_error(err);
	}
	return failed ? 1 : 0;
}
