/* test_findings.c - the findings first, and every figure in the unit of its
 * operation: on a hand-made run (9 repetitions each, figures chosen so the
 * medians, intervals and ratios can be worked out by hand), the terminal
 * findings and the summary print what a reader came for, in the right
 * unit, and what needs attention: a pair within its tolerance whose
 * intervals do not meet, a pair that disagrees. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "testutil.h"
#include "files.h"
#include "findings.h"
#include "results.h"
#include "summary.h"

/* Repetition r of a benchmark: base + step x r (us), r = 0..8, so the
 * median is base + 4 step and the 95% interval of the median (ranks 2 and
 * 8 of 9: 96%) is [base + step, base + 7 step]. */
static json_t *rows_of(const char *name, double base_us, double step_us, const char *counter, double counter_value)
{
	json_t *rows = json_array();
	char run_name[200];

	snprintf(run_name, sizeof(run_name), "%s/manual_time", name);
	for (int r = 0; r < 9; r++) {
		double us = base_us + step_us * r;
		json_t *row = json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:f, s:f, s:s, s:f}", "name", run_name, "run_name",
					run_name, "run_type", "iteration", "repetitions", 9, "repetition_index", r,
					"iterations", 10, "real_time", us, "cpu_time", us, "time_unit", "us",
					"iter_median_ns", us * 1e3);
		if (counter)
			json_object_set_new(row, counter, json_real(counter_value));
		json_array_append_new(rows, row);
	}
	return rows;
}

static int load_run(struct fb_results *res)
{
	static const struct { const char *name; double base, step; const char *counter; double value; } points[] = {
		{ "spawn/fork/mem_mib:0/mode:4k", 400, 10, NULL, 0 },           /* 440 [410, 470] */
		{ "spawn/fork/mem_mib:1024/mode:4k", 12000, 100, NULL, 0 },     /* 12400 [12100, 12700] */
		{ "spawn/fork/mem_mib:1024/mode:thp", 800, 10, NULL, 0 },
		{ "calibrate/bare_fork/mem_mib:0/mode:4k", 396, 10, NULL, 0 },  /* 436: fork 1.01x */
		{ "switch/futex_pingpong_threads/cpus:1/mem_mib:0/mode:4k", 1160, 1, "ns_per_switch", 2905 },
		{ "threads/bare_create/mem_mib:0/mode:4k", 0.027, 0.001, NULL, 0 },   /* 31 ns, never 0.0 */
	};
	json_t *all = json_array();
	char dir[] = "/tmp/fb-findings-XXXXXX", file[64], err[256];

	for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
		json_t *rows = rows_of(points[i].name, points[i].base, points[i].step, points[i].counter, points[i].value);
		json_array_extend(all, rows);
		json_decref(rows);
	}
	json_t *doc = json_pack("{s:{}, s:o}", "context", "benchmarks", all);
	snprintf(file, sizeof(file), "%s/bench.json", mkdtemp(dir) ? dir : "/nonexistent");
	int rc = json_dump_file(doc, file, 0) || fb_results_load(file, res, err, sizeof(err));
	json_decref(doc);
	unlink(file);
	rmdir(dir);
	return rc;
}

/* The text a printer writes, into a string the caller frees. */
static char *printed(const struct fb_findings *f, const struct fb_results *res)
{
	struct captured c;
	FILE *out = capture(&c);
	if (f)
		fb_findings_print(f, out);
	else
		fb_summary_print(res, out);
	captured(&c);
	return c.text;
}

static void test_headline(const struct fb_results *res)
{
	struct fb_pair_result pairs[2] = {
		{ .label = "clone(SIGCHLD) = fork", .a = "spawn/clone/mem_mib:0/mode:4k", .b = "spawn/fork/mem_mib:0/mode:4k",
		  .ratio = 0.88, .tolerance = 0.15, .intervals_overlap = 0, .verdict = FB_AGREE },
		{ .label = "fork in 4k and thp", .a = "x", .b = "y", .ratio = 1.4, .tolerance = 0.15, .verdict = FB_DISAGREE },
	};
	struct fb_consistency cons = { .pairs = pairs, .npairs = 2 };
	const struct fb_findings f = { res, &cons, NULL, NULL, NULL };
	char *text = printed(&f, res);

	CHECK(text && strstr(text, "fork ") && strstr(text, "us per round trip") && strstr(text, "440.0 [410.0, 470.0]") &&
	      strstr(text, "12400.0 [12100.0, 12700.0]") && strstr(text, "1024 MiB, 4 KiB pages") && strstr(text, "1.01x"),
	      "findings: fork's median and 95% interval at 0 and 1024 MiB, and its ratio to the bare loop", "%s", text ? text : "(nothing printed)");
	CHECK(text && strstr(text, "a context switch") && strstr(text, "2905 ns"), "findings: ns per switch",
	      "%s", text ? text : "(nothing printed)");
	const char *apart = text ? strstr(text, "pair within its tolerance but apart: clone(SIGCHLD) = fork") : NULL;
	const char *attention = text ? strstr(text, "needs attention:") : NULL;
	CHECK(attention && apart > attention && strstr(text, "pair disagrees: fork in 4k and thp"),
	      "findings: a pair apart within its tolerance and a pair that disagrees need attention", "%s", text ? text : "(nothing printed)");
	free(text);
}

/* Every row in its own unit: a switch in ns per switch (the iteration's
 * 200 round trips divided out), bare_create in ns, never 0.0. */
static void test_units(const struct fb_results *res)
{
	char *text = printed(NULL, res);
	const char *sw = text ? strstr(text, "futex_pingpong_threads/cpus:1") : NULL;
	const char *bc = text ? strstr(text, "bare_create") : NULL;

	/* 1164 us per iteration of 200 round trips: 1164000 / 400 switches = 2910.0 ns */
	CHECK(sw && strstr(sw, "ns per switch") && strstr(sw, "2910.0") && strstr(sw, "2910.0") < strchr(sw, '\n'),
	      "summary: a switch row in ns per switch", "%.120s", sw ? sw : "(no row)");
	CHECK(bc && strstr(bc, "ns per create and switch back") && strstr(bc, "31.0") && !strstr(text, " 0.0\n"),
	      "summary: bare_create in ns, no 0.0", "%.120s", bc ? bc : "(no row)");
	free(text);
}

int main(void)
{
	struct fb_results res;

	if (load_run(&res)) {
		BROKEN("findings: a hand-made run", "cannot write or load the hand-made bench.json");
		return check_done();
	}
	test_headline(&res);
	test_units(&res);
	fb_results_free(&res);
	check_min_ran(5);
	return check_done();
}
