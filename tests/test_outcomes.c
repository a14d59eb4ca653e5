/* test_outcomes.c - one outcome type from the bench side to every reader:
 * a row the bench side marked "no-resource: " (EAGAIN/ENOMEM, a machine
 * limit) is "no resource" in the results, "no-res" in the summary and
 * "not comparable: no resource" in compare, never ERROR or failed; skipped
 * and failed rows keep their own words. */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "compare.h"
#include "results.h"
#include "summary.h"

static char tmp[] = "/tmp/fb-test-outcomes-XXXXXX";

/* Five repetitions of each case; error: its error_message, or NULL. */
static void write_run(const char *path, const char *const errors[4])
{
	static const char *const cases[] = { "fork", "vfork", "clone", "clone3" };
	json_t *rows = json_array();
	char name[128];

	for (int c = 0; c < 4; c++)
		for (int r = 0; r < 5; r++) {
			snprintf(name, sizeof(name), "spawn/%s/mem_mib:0/mode:4k/manual_time", cases[c]);
			json_t *row = json_pack("{s:s, s:s, s:s, s:i, s:i, s:f, s:s}", "name", name, "run_name", name,
						"run_type", "iteration", "repetition_index", r, "iterations", 10,
						"real_time", 40.0 + r, "time_unit", "us");
			if (errors[c])
				json_object_update_new(row, json_pack("{s:b, s:s}", "error_occurred", 1, "error_message", errors[c]));
			json_array_append_new(rows, row);
		}
	json_t *doc = json_pack("{s:{s:s}, s:o}", "context", "date", "synthetic", "benchmarks", rows);
	json_dump_file(doc, path, 0);
	json_decref(doc);
}

/* The summary table of run: its rows start with the case name. */
static void check_summary(const struct fb_results *run)
{
	const char *name = "summary: the no-resource cell says no-res, the failed one ERROR";
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	if (!mem) {
		BROKEN(name, "open_memstream: %s", strerror(errno));
		return;
	}
	fb_summary_print(run, mem);
	fclose(mem);
	char *clone_row = strstr(text, "\nclone "), *clone3_row = strstr(text, "\nclone3 ");
	size_t clone_len = clone_row ? strcspn(clone_row + 1, "\n") : 0;
	CHECK(clone_row && clone3_row && memmem(clone_row + 1, clone_len, "no-res", 6) &&
	      !memmem(clone_row + 1, clone_len, "ERROR", 5) && strncmp(clone3_row, "\nclone3 ", 8) == 0 &&
	      strstr(clone3_row, "ERROR"), name, "%s", text);
	free(text);
}

int main(void)
{
	static const char *const base_errors[4] = { NULL, NULL, NULL, NULL };
	static const char *const new_errors[4] = { NULL, "skipped: THP disabled",
						   "no-resource: fork: Resource temporarily unavailable",
						   "failed (Input/output error): child left no start time" };
	char base_path[PATH_MAX], new_path[PATH_MAX], err[512];
	struct fb_results base, run;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!mkdtemp(tmp)) {
		BROKEN("a temporary folder for the two runs", "mkdtemp %s: %s", tmp, strerror(errno));
		return check_done();
	}
	snprintf(base_path, sizeof(base_path), "%s/base.json", tmp);
	snprintf(new_path, sizeof(new_path), "%s/new.json", tmp);
	write_run(base_path, base_errors);
	write_run(new_path, new_errors);
	if (!CHECK(fb_results_load(base_path, &base, err, sizeof(err)) == 0 &&
		   fb_results_load(new_path, &run, err, sizeof(err)) == 0, "both runs load", "%s", err))
		return check_done();

	const struct fb_result *ok = fb_results_find(&run, "spawn/fork/mem_mib:0/mode:4k");
	const struct fb_result *skip = fb_results_find(&run, "spawn/vfork/mem_mib:0/mode:4k");
	const struct fb_result *nores = fb_results_find(&run, "spawn/clone/mem_mib:0/mode:4k");
	const struct fb_result *failed = fb_results_find(&run, "spawn/clone3/mem_mib:0/mode:4k");
	CHECK(ok && skip && nores && failed && ok->outcome == FB_OUTCOME_OK && skip->outcome == FB_OUTCOME_SKIPPED &&
	      nores->outcome == FB_OUTCOME_NO_RESOURCE && failed->outcome == FB_OUTCOME_FAILED,
	      "results: ok, skipped, no resource and failed told apart", "outcomes wrong");

	check_summary(&run);

	struct fb_compare_opts opts = { .alpha = 0.05, .threshold = 0.10, .normalize = "none" };
	struct fb_comparison cmp;
	const char *compare_name = "compare: no resource, skipped and failed each named, none counted as a regression";
	if (fb_compare(&base, &run, &opts, &cmp, err, sizeof(err)) != 0) {
		BROKEN(compare_name, "compare of the two runs failed: %s", err);
	} else {
		const char *notes[4] = { "", "", "", "" };
		for (size_t i = 0; i < cmp.count; i++) {
			if (strstr(cmp.rows[i].name, "/vfork/"))
				notes[1] = cmp.rows[i].note;
			if (strstr(cmp.rows[i].name, "/clone/"))
				notes[2] = cmp.rows[i].note;
			if (strstr(cmp.rows[i].name, "/clone3/"))
				notes[3] = cmp.rows[i].note;
		}
		CHECK(strstr(notes[2], "no resource in NEW") && strstr(notes[1], "skipped in NEW") &&
		      strstr(notes[3], "failed in NEW") && cmp.not_comparable == 3 && cmp.regressions == 0, compare_name,
		      "'%s' '%s' '%s', %zu not comparable", notes[1], notes[2], notes[3], cmp.not_comparable);
		fb_comparison_free(&cmp);
	}
	fb_results_free(&base);
	fb_results_free(&run);
	unlink(base_path);
	unlink(new_path);
	rmdir(tmp);
	return check_done();
}
