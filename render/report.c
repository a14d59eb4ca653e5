/* report.c - `forkbench report RUN`: report.md and a self-contained
 * report.html rendered only from the run folder's raw files (manifest.json,
 * bench.json, and hyperfine.json / perf-stat.json when present), so that
 * rendering twice gives the same bytes. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "claims.h"
#include "consistency.h"
#include "manifest.h"
#include "doc.h"
#include "plot.h"
#include "ratios.h"
#include "report.h"
#include "report_parts.h"
#include "run_config.h"
#include "run_folder.h"
#include "results.h"
#include "stats.h"
#include "cli.h"
#include "files.h"
#include "text.h"
#include "claims_out.h"
#include "findings.h"
#include "consistency_out.h"
#include "phase_checks.h"
#include "phases.h"
#include "phases_out.h"

struct run_files {
	const char *dir;
	struct fb_run *run;                 /* manifest, config, hyperfine, perf */
	const json_t *manifest;
	const struct fb_results *results;   /* the caller's, or the run's */
	const struct fb_claims *claims;     /* judged by the caller, or NULL */
};

/* An environment item as text: strings as they are, numbers as numbers
 * (settings are numbers since the conditions were recorded; strings in
 * older runs), arrays and objects as compact JSON. buf holds the text. */
static const char *env_text(const json_t *m, enum fb_env_field field, char *buf, size_t len)
{
	return fb_manifest_text(fb_run_env(m, field), buf, len);
}

static void section_environment(struct fb_doc *doc, const json_t *m)
{
	static const char *const head[] = { "item", "value" };
	char cores[64], buf[1024];

	fb_doc_details_begin(doc, 2, "Environment");
	fb_doc_table(doc, 2, head);
	for (enum fb_env_field f = FB_ENV_NONE; f < FB_ENV_COUNT; f++) {
		if (!fb_env_fields[f].report)
			continue;
		const char *value = env_text(m, f, buf, sizeof(buf));
		fb_doc_row(doc, (const char *const[]){ fb_env_fields[f].label, value ? value : "(not available)" });
	}
	snprintf(cores, sizeof(cores), "%lld%s", (long long)json_integer_value(fb_run_env(m, FB_ENV_CORES)),
		 json_is_true(fb_run_env(m, FB_ENV_HYPERVISOR)) ? ", virtual machine" : "");
	fb_doc_row(doc, (const char *const[]){ fb_env_fields[FB_ENV_CORES].label, cores });
	const json_t *dirty = fb_run_env(m, FB_ENV_GIT_DIRTY);
	fb_doc_row(doc, (const char *const[]){ fb_env_fields[FB_ENV_GIT_DIRTY].label, json_is_true(dirty) ? "yes" :
					       json_is_false(dirty) ? "no" : "unknown" });
	fb_doc_details_end(doc);
}

static void section_warnings(struct fb_doc *doc, const json_t *m)
{
	json_t *warnings = json_object_get(m, "warnings"), *w;
	size_t i;

	fb_doc_heading(doc, 2, "Conditions of this run");
	if (!json_array_size(warnings))
		fb_doc_para(doc, "No condition known to make these figures noisy was found.");
	json_array_foreach(warnings, i, w)
		fb_doc_para(doc, "Warning (%s): %s.", json_string_value(json_object_get(w, "name")),
			    json_string_value(json_object_get(w, "message")));
}

/* Fit median round trip against the parent's memory: the cost of copying
 * page tables (4k) or PMDs (thp) per GiB. */
static void slope_rows(struct fb_doc *doc, const struct fb_results *res, const char *kase, const char *mode)
{
	struct fb_fit fit;
	char slope[32], icpt[32], r2[16], count[8];

	if (fb_results_memory_fit(res, "spawn", kase, mode, &fit))
		return;
	fit.slope /= 1e3;        /* us per GiB */
	fit.intercept /= 1e3;
	snprintf(slope, sizeof(slope), "%.1f", fit.slope);
	snprintf(icpt, sizeof(icpt), "%.1f", fit.intercept);
	snprintf(r2, sizeof(r2), "%.4f", fit.r2);
	snprintf(count, sizeof(count), "%zu", fit.n);
	fb_doc_row(doc, (const char *const[]){ kase, mode, slope, icpt, r2, count });
}

static int section_spawn(struct fb_doc *doc, const struct run_files *run, char *err, size_t len)
{
	static const char *const head[] = { "case", "mode", "slope (us per GiB)", "intercept (us)", "R^2", "points" };
	static const char *const fitted[] = { "fork", "clone", "clone3", "fork_exec_static" };
	/* The primitives whose cost the lecture discusses, each in both page modes. */
	static const struct fb_plot_series series[] = {
		{ "fork", "spawn", "fork", NULL }, { "vfork", "spawn", "vfork", NULL },
		{ "clone3", "spawn", "clone3", NULL }, { "posix_spawn_static", "spawn", "posix_spawn_static", NULL },
		{ "fork_exec_static", "spawn", "fork_exec_static", NULL },
		{ "fork_exec_dynamic", "spawn", "fork_exec_dynamic", NULL },
	};
	int ncols = fb_plot_data_memory(run->results, run->dir, "spawn_memory", series,
					sizeof(series) / sizeof(series[0]));

	fb_doc_heading(doc, 2, "Process creation (spawn)");
	fb_doc_para(doc, "Round trip = spawn + child exit + waitpid, in a parent (fb-worker) holding the given "
		    "resident memory. fork copies the parent's page tables, so its cost grows with memory; "
		    "vfork and CLONE_VM share them and stay flat; with THP one PMD entry maps 2 MiB.");
	if (ncols) {
		if (fb_report_memory_plot(run->dir, "spawn_memory", ncols, "round trip: spawn + exit + reap (us, median)",
					  "Process creation cost vs parent memory (4k: solid, thp: dashed)", err, len))
			return -1;
		fb_doc_image(doc, "spawn_memory", "Spawn round trip vs parent memory (log-log)");
	}
	if (fb_plot_data_spawn_zero(run->results, run->dir)) {
		if (fb_plot_render(run->dir, "bars", "spawn_zero", "plottitle='Spawn primitives at 0 MiB, 4 KiB pages'; "
				   "ylab='round trip (us): bar median, whisker min..p90'; logy=0", err, len))
			return -1;
		fb_doc_image(doc, "spawn_zero", "Spawn primitives at 0 MiB: median, min..p90");
	}
	fb_doc_heading(doc, 3, "Cost per GiB of parent memory (least-squares fit of the median)");
	fb_doc_table(doc, 6, head);
	for (size_t i = 0; i < sizeof(fitted) / sizeof(fitted[0]); i++) {
		slope_rows(doc, run->results, fitted[i], "4k");
		slope_rows(doc, run->results, fitted[i], "thp");
	}
	fb_report_family_table(doc, run->dir, run->results, "spawn");
	return 0;
}

static int section_threads(struct fb_doc *doc, const struct run_files *run, char *err, size_t len)
{
	if (!fb_plot_data_threads(run->results, run->dir))
		return 0;
	fb_doc_heading(doc, 2, "Threads, processes and user-level contexts");
	fb_doc_para(doc, "Creation cost measured in the same worker process: a process (fork + exit + wait), "
		    "kernel threads (pthread, raw clone with CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|"
		    "CLONE_THREAD), and user-level contexts (makecontext + swapcontext, which makes one "
		    "rt_sigprocmask system call per switch, and a hand-written switch with none).");
	if (fb_plot_render(run->dir, "bars", "threads_cost", "plottitle='Creating a process, a thread, a user-level "
			   "context'; ylab='median (us, log scale), whisker min..p90'; logy=1", err, len))
		return -1;
	fb_doc_image(doc, "threads_cost", "Creation cost: process, kernel threads, user-level contexts");
	fb_ratios_add_table(doc, run->results);
	fb_report_family_table(doc, run->dir, run->results, "threads");
	return 0;
}

static void section_other_families(struct fb_doc *doc, const char *run_dir, const struct fb_results *res)
{
	const char *done[16];
	size_t ndone = 0;

	for (size_t i = 0; i < res->count && ndone < 16; i++) {
		const char *family = res->items[i].key.family;
		size_t j = 0;
		while (j < ndone && strcmp(done[j], family))
			j++;
		if (j < ndone || strcmp(family, "spawn") == 0 || strcmp(family, "threads") == 0 ||
		    strcmp(family, "cow") == 0 || strcmp(family, "shape") == 0 || strcmp(family, "switch") == 0 ||
		    strcmp(family, "storm") == 0)
			continue;
		done[ndone++] = family;
		fb_doc_heading(doc, 2, family);
		fb_report_family_table(doc, run_dir, res, family);
	}
}

/* hyperfine's exported JSON: results[] with command, mean, stddev, median,
 * min, max in seconds. */
static void section_hyperfine(struct fb_doc *doc, const json_t *hf)
{
	static const char *const head[] = { "command", "mean", "stddev", "median", "min", "max", "runs" };
	json_t *r;
	size_t i;

	if (!hf)
		return;
	fb_doc_heading(doc, 2, "Whole commands (hyperfine)");
	fb_doc_para(doc, "hyperfine times whole commands from outside, including the shell where one is used: "
		    "what a user waits for. Exported JSON: hyperfine.json.");
	fb_doc_table(doc, 7, head);
	json_array_foreach(json_object_get(hf, "results"), i, r) {
		static const char *const keys[] = { "mean", "stddev", "median", "min", "max" };
		char cells[5][32], runs[16];
		for (size_t k = 0; k < 5; k++)
			fb_fmt_ns(json_number_value(json_object_get(r, keys[k])) * 1e9, cells[k], sizeof(cells[k]));
		snprintf(runs, sizeof(runs), "%zu", json_array_size(json_object_get(r, "times")));
		fb_doc_row(doc, (const char *const[]){ json_string_value(json_object_get(r, "command")),
						       cells[0], cells[1], cells[2], cells[3], cells[4], runs });
	}
}

/* perf-stat.json: {"case", "perf_minor_faults", "suite_faults", "verdict",
 * "note"} written by the run from scripts/cow-perf-check.sh. */
static void section_perf(struct fb_doc *doc, const json_t *perf)
{
	if (!perf)
		return;
	fb_doc_heading(doc, 2, "perf stat cross-check");
	fb_doc_para(doc, "%s", json_string_value(json_object_get(perf, "summary")) ?
		    json_string_value(json_object_get(perf, "summary")) : "(no summary recorded)");
}

/* The totals line of a TAP text ("# 30 passed, 0 failed, 0 skipped"). */
static void tap_totals(const char *tap, char *out, size_t len)
{
	snprintf(out, len, "no totals line");
	for (const char *at = strstr(tap, "# "); at; at = strstr(at + 2, "\n# ")) {
		const char *text = at[0] == '\n' ? at + 3 : at + 2, *end = strchr(text, '\n');
		int n = end ? (int)(end - text) : (int)strlen(text);
		if (memmem(text, (size_t)n, " passed, ", 9))
			snprintf(out, len, "%.*s", n, text);
	}
}

/* validate.tap, when the run wrote one: the totals, and every check that
 * did not pass with what it saw, or why it was skipped. */
static void section_validate(struct fb_doc *doc, const char *dir)
{
	static const char *const head[] = { "check", "outcome", "what was seen, or why" };
	char path[PATH_MAX], totals[160], *save = NULL, *line, *pending = NULL;
	int rows = 0;

	snprintf(path, sizeof(path), "%s/validate.tap", dir);
	if (access(path, R_OK))
		return;
	char *tap = fb_slurp(path, 1 << 20);
	tap_totals(tap, totals, sizeof(totals));
	fb_doc_heading(doc, 2, "Semantic checks");
	fb_doc_para(doc, "`forkbench validate` in this run (validate.tap, TAP 13): %s.", totals);
	for (line = strtok_r(tap, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *name = strstr(line, " - ") ? strstr(line, " - ") + 3 : line;
		char *skip = strstr(line, " # SKIP ");
		if (pending && strncmp(line, "# ", 2) == 0) {
			if (!rows++)
				fb_doc_table(doc, 3, head);
			fb_doc_row(doc, (const char *const[]){ pending, "not ok", line + 2 });
			pending = NULL;
		} else if (strncmp(line, "not ok ", 7) == 0) {
			pending = (char *)name;
		} else if (skip) {
			*skip = '\0';
			if (!rows++)
				fb_doc_table(doc, 3, head);
			fb_doc_row(doc, (const char *const[]){ name, "skipped", skip + 8 });
		}
	}
	free(tap);
}

/* Recomputed from bench.json, like every figure of the report. */

static void section_reproduce(struct fb_doc *doc, const struct fb_run *run)
{
	char cmd[2048], rev[64];

	fb_doc_heading(doc, 2, "Reproduce this run");
	if (!run->config_ok) {
		fb_doc_para(doc, "The manifest's run configuration cannot be read back: %s.", run->config_err);
		return;
	}
	fb_run_config_command(&run->config, cmd, sizeof(cmd));
	const char *revision = env_text(run->manifest, FB_ENV_GIT_REVISION, rev, sizeof(rev));
	fb_doc_para(doc, "From a checkout of git revision %s (make all first):", revision ? revision : "unknown");
	fb_doc_code(doc, cmd);
}

/* What the report reads besides the results, judged once for the
 * findings and for their own sections: the claims (the caller's, or
 * judged here), the cross-checks, the phases (phases.json). */
struct judged {
	const struct fb_claims *claims;
	struct fb_consistency cons;
	int cons_ok;
	struct fb_phases phases;
	int has_phases;
	struct fb_phase_judgement phase_checks;
};

static void judge_all(const struct run_files *run, struct judged *j)
{
	static struct fb_claims own;   /* static: the rows are large for a stack */
	char err[256];

	memset(j, 0, sizeof(*j));
	if (!(j->claims = run->claims)) {
		fb_claims_evaluate(run->manifest, run->results, &own);
		j->claims = &own;
	}
	j->cons_ok = fb_consistency_evaluate(run->results, &j->cons) == 0;
	if ((j->has_phases = run->run->phases != NULL) &&
	    fb_phases_from_json(run->run->phases, &j->phases, err, sizeof(err)))
		fb_phases_not_run(&j->phases, err);
	fb_phase_judge(&j->phases, run->results, &j->phase_checks);
}

static void judged_free(struct judged *j)
{
	if (j->cons_ok)
		fb_consistency_free(&j->cons);
	fb_phase_judgement_free(&j->phase_checks);
	fb_phases_free(&j->phases);
}

/* The phases of the traced points, or why the folder has none. */
static void section_phases(struct fb_doc *doc, const struct run_files *run, const struct judged *j)
{
	if (!j->has_phases) {
		fb_doc_heading(doc, 2, "Where the time goes (kernel tracepoints)");
		fb_doc_para(doc, "This run folder has no phases.json: it was recorded before forkbench traced phases.");
		return;
	}
	fb_phases_section(doc, run->dir, &j->phases, &j->phase_checks);
}

/* Findings first; the sections that explain them; then the reference:
 * every cross-check, the machine's conditions and environment. */
static int build_doc(struct fb_doc *doc, const struct run_files *run, const struct judged *j, char *err, size_t len)
{
	const json_t *m = run->manifest;
	const struct fb_findings findings = { run->results, j->cons_ok ? &j->cons : NULL, j->claims, &j->phase_checks,
					      json_object_get(m, "warnings") };

	fb_doc_heading(doc, 1, "forkbench report");
	fb_doc_para(doc, "Run %s, finished %s, profile %s: %lld repetitions per benchmark, "
		    "figures are medians over repetitions.",
		    json_string_value(json_object_get(m, "run_id")),
		    json_string_value(json_object_get(m, "finished_utc")),
		    json_string_value(json_object_get(json_object_get(m, "config"), "profile")),
		    (long long)json_integer_value(json_object_get(json_object_get(m, "config"), "repetitions")));
	fb_findings_section(doc, &findings);
	if (section_spawn(doc, run, err, len))
		return -1;
	section_phases(doc, run, j);
	if (section_threads(doc, run, err, len))
		return -1;
	if (fb_report_cow(doc, run->dir, run->results, err, len))
		return -1;
	if (fb_report_breadth(doc, run->dir, run->results, err, len))
		return -1;
	section_other_families(doc, run->dir, run->results);
	section_hyperfine(doc, run->run->hyperfine);
	section_perf(doc, run->run->perf);
	fb_claims_section(doc, m, run->results, j->claims);
	section_validate(doc, run->dir);
	if (j->cons_ok)
		fb_consistency_section(doc, &j->cons);
	section_warnings(doc, m);
	section_environment(doc, m);
	section_reproduce(doc, run->run);
	return 0;
}

int fb_report_render(const char *run_dir, const struct fb_results *res, const struct fb_claims *claims, char *err,
		     size_t err_len)
{
	unsigned flags = FB_RUN_CONFIG | FB_RUN_EXTERNAL | (res ? 0 : FB_RUN_RESULTS);
	struct fb_run *opened = fb_run_open(run_dir, flags, FB_RUN_WORDS_REPORT, err, err_len);
	struct fb_doc doc;
	char log[PATH_MAX + 32];
	static struct judged judged;
	int rc;

	if (!opened)
		return -1;
	const struct run_files run = { .dir = run_dir, .run = opened, .manifest = opened->manifest,
				       .results = res ? res : &opened->results, .claims = claims };
	fb_doc_init(&doc);
	snprintf(log, sizeof(log), "%s/plots/gnuplot.log", run_dir);
	unlink(log);   /* each rendering starts its own log */
	judge_all(&run, &judged);
	rc = build_doc(&doc, &run, &judged, err, err_len) ||
	     fb_doc_write_files(&doc, run_dir, "report", "forkbench report", err, err_len) ? -1 : 0;
	judged_free(&judged);
	fb_doc_free(&doc);
	fb_run_close(opened);
	return rc;
}

int fb_cmd_report(int argc, char **argv)
{
	char err[PATH_MAX + 256];
	struct fb_opt_values v;

	if (fb_options_parse(NULL, 0, argc - 1, argv + 1, &v, err, sizeof(err)) || v.npositional != 1)
		return fb_usage(argc, argv, "forkbench report RUN_FOLDER   (writes RUN_FOLDER/report.md and report.html)");
	const char *run_dir = v.positional[0];
	if (fb_report_render(run_dir, NULL, NULL, err, sizeof(err))) {
		fb_error("report: %s", err);
		return 2;
	}
	printf("%s/report.md\n%s/report.html\n", run_dir, run_dir);
	return 0;
}
