/* ab.c - `forkbench ab`: A/B on one machine in one session. Shared CI
 * runners differ from job to job (and a VM drifts between minutes), so the
 * robust comparison runs both sides here, interleaved: one repetition of A,
 * one of B, then B, A (ABBA...), so that drift falls on both alike; then
 * compares them as `forkbench compare` does. A side is a build folder (two
 * revisions of forkbench: --a-build, --b-build) and/or an environment: a
 * command prefix its benchmark binary runs under (--b-prefix 'setarch -R',
 * 'env GLIBC_TUNABLES=...', another cgroup's 'cgexec -g cpu:slow'...).
 * Writes DIR/a/bench.json, DIR/b/bench.json (strict JSON, one row per
 * repetition, as Google Benchmark's own), DIR/ab.log and the comparison
 * (DIR/compare.md, DIR/junit.xml). Exit status: compare's (0 no
 * regression of B against A, 1 regression, 2 bad input). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ab.h"
#include "commands.h"
#include "noise.h"
#include "options.h"
#include "run_config.h"
#include "stringify.h"
#include "cli.h"
#include "files.h"
#include "jsonio.h"
#include "proc.h"

static const struct fb_option ab_options[] = {
	{ "out", FB_OPT_STRING, 0, 0, NULL, "folder to create for both sides and the comparison (must not exist)" },
	{ "a-build", FB_OPT_STRING, 0, 0, NULL, "side A's build folder (default: this forkbench's)" },
	{ "b-build", FB_OPT_STRING, 0, 0, NULL, "side B's build folder (default: this forkbench's)" },
	{ "a-prefix", FB_OPT_STRING, 0, 0, NULL, "command prefix side A's benchmarks run under, words split at spaces" },
	{ "b-prefix", FB_OPT_STRING, 0, 0, NULL, "command prefix side B's benchmarks run under, e.g. 'setarch -R'" },
	{ "rounds", FB_OPT_INT, 3, 99, FB_TEXT_OF(FB_REPETITIONS_RECOMMENDED), "repetitions per side, interleaved ABBA..." },
	{ "filter", FB_OPT_STRING, 0, 0, "^spawn/(fork|vfork|posix_spawn_static)/", "benchmarks (regex)" },
	{ "sizes", FB_OPT_STRING, 0, 0, "0,64", "memory sizes in MiB" },
	{ "modes", FB_OPT_STRING, 0, 0, "4k", "page modes: 4k, thp or 4k,thp" },
	{ "min-time", FB_OPT_DOUBLE, 0.001, 60, "0.03", "minimum measured seconds per repetition" },
	{ "threshold", FB_OPT_DOUBLE, 0, 10, FB_STRINGIFY(FB_THRESHOLD_DEFAULT), "relative change that counts (compare --threshold)" },
	{ "help", FB_OPT_FLAG, 0, 0, NULL, "show this help" },
};
#define N_AB_OPTIONS (sizeof(ab_options) / sizeof(ab_options[0]))

#define MAX_PREFIX_WORDS 8

/* One side: where its benchmark binary is, what it runs under, the rows
 * gathered so far. */
struct side {
	char name;                        /* 'a' or 'b' */
	char bench[PATH_MAX];             /* BUILD/forkbench-bench */
	char prefix_text[256];
	const char *prefix[MAX_PREFIX_WORDS + 1];
	json_t *rows;                     /* the iteration rows of every round */
	json_t *first;                    /* the first round's document (its context) */
};

static int side_setup(struct side *s, char name, const char *build, const char *prefix, char *err, size_t len)
{
	char self[PATH_MAX];
	char *save = NULL;
	size_t n = 0;

	memset(s, 0, sizeof(*s));
	s->name = name;
	if (!build)
		fb_self_dir(self, sizeof(self));
	snprintf(s->bench, sizeof(s->bench), "%.4070s/forkbench-bench", build ? build : self);
	if (access(s->bench, X_OK))
		return snprintf(err, len, "side %c: %s: %s (a build folder holds forkbench-bench)", name - 32, s->bench,
				strerror(errno)), -1;
	snprintf(s->prefix_text, sizeof(s->prefix_text), "%s", prefix ? prefix : "");
	for (char *w = strtok_r(s->prefix_text, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (n == MAX_PREFIX_WORDS)
			return snprintf(err, len, "side %c: a prefix of at most %d words", name - 32, MAX_PREFIX_WORDS), -1;
		s->prefix[n++] = w;
	}
	s->rows = json_array();
	return 0;
}

/* One repetition of side s into DIR/<s>/round-R.json, pinned where we are
 * pinned; its rows appended to s->rows with their repetition renumbered. */
static int run_round(struct side *s, const struct fb_run_config *cfg, const char *dir, int round, int rounds,
		     char *err, size_t len)
{
	char out[PATH_MAX + 64], log[PATH_MAX + 16];
	const char *argv[48];
	struct fb_argv bench;
	size_t n = 0;

	snprintf(out, sizeof(out), "%s/%c/round-%d.json", dir, s->name, round);
	snprintf(log, sizeof(log), "%s/ab.log", dir);
	if (fb_run_config_bench_argv(cfg, s->bench, out, NULL, &bench))
		return snprintf(err, len, "the benchmark's arguments are too long"), -1;
	for (size_t i = 0; s->prefix[i]; i++)
		argv[n++] = s->prefix[i];
	for (int i = 0; i < bench.argc && n < 47; i++)
		argv[n++] = bench.argv[i];
	argv[n] = NULL;
	const struct fb_fd_action actions[] = { { 1, log, O_WRONLY | O_CREAT | O_APPEND, -1 }, { 2, NULL, 0, 1 } };
	long pid = fb_spawn(argv, actions, 2, 1);
	int status = pid < 0 ? -1 : fb_wait(pid);
	if (status != 0)
		return snprintf(err, len, "side %c, round %d: %s exited with status %d (see %s)", s->name - 32, round + 1,
				argv[0], status < 0 ? -1 : WEXITSTATUS(status), log), -1;
	json_error_t jerr;
	json_t *doc = fb_json_load_lenient(out, &jerr), *row;
	size_t i;
	if (!doc)
		return snprintf(err, len, "%s: %s", out, jerr.text), -1;
	json_array_foreach(json_object_get(doc, "benchmarks"), i, row) {
		if (json_object_get(row, "aggregate_name"))
			continue;
		json_object_set_new(row, "repetition_index", json_integer(round));
		json_object_set_new(row, "repetitions", json_integer(rounds));
		json_array_append(s->rows, row);
	}
	if (!s->first)
		s->first = doc;
	else
		json_decref(doc);
	return 0;
}

/* DIR/<side>/bench.json: the first round's document with every round's rows. */
static int write_side(struct side *s, const char *dir, char *err, size_t len)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%c/bench.json", dir, s->name);
	json_object_set(s->first, "benchmarks", s->rows);
	json_object_set_new(json_object_get(s->first, "context"), "forkbench_ab_side",
			    json_string(s->name == 'a' ? "A" : "B"));
	char *text = json_dumps(s->first, JSON_INDENT(2));
	int e = text ? fb_write_file_atomic(path, text, strlen(text)) : -ENOMEM;
	free(text);
	return e ? (snprintf(err, len, "%s: %s", path, strerror(-e)), -1) : 0;
}

/* One CPU for both sides, the last we may use: the placement `forkbench
 * run` uses by default (parent and child share it). */
static void pin_like_run(void)
{
	cpu_set_t allowed, one;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return;
	int last = fb_cpu_last(&allowed, sizeof(allowed));
	CPU_ZERO(&one);
	CPU_SET(last, &one);
	sched_setaffinity(0, sizeof(one), &one);
}

/* Interleave ABBA ABBA...: each side runs first in half of the rounds. */
static int run_sides(struct side sides[2], const struct fb_run_config *cfg, const char *dir, int rounds, char *err,
		     size_t len)
{
	for (int round = 0; round < rounds; round++) {
		int first = round % 2;
		fprintf(stderr, "ab: round %d of %d\n", round + 1, rounds);
		if (run_round(&sides[first], cfg, dir, round, rounds, err, len) ||
		    run_round(&sides[!first], cfg, dir, round, rounds, err, len))
			return -1;
	}
	return write_side(&sides[0], dir, err, len) || write_side(&sides[1], dir, err, len) ? -1 : 0;
}

/* The settings both sides run with, through the settings' own parsers. */
static int config_from(const struct fb_opt_values *v, struct fb_run_config *c, char *err, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->repetitions = 1;   /* one per round: the rounds are the repetitions */
	c->min_time_s = fb_opt_number(v, "min-time");
	if (fb_run_config_set(c, "profile", "ab", err, len) || fb_run_config_set(c, "placement", "one-cpu", err, len) ||
	    fb_run_config_set(c, "filter", fb_opt_text(v, "filter"), err, len) ||
	    fb_run_config_set(c, "modes", fb_opt_text(v, "modes"), err, len) ||
	    fb_run_config_set(c, "sizes", fb_opt_text(v, "sizes"), err, len))
		return -1;
	return fb_sizes_check_memory(&c->sizes, err, len);
}

static int make_dirs(const char *dir, char *err, size_t len)
{
	char sub[PATH_MAX + 4];

	if (mkdir(dir, 0755))
		return snprintf(err, len, "%s: %s (a new folder: earlier results are never overwritten)", dir,
				strerror(errno)), -1;
	for (const char *s = "ab"; *s; s++) {
		snprintf(sub, sizeof(sub), "%s/%c", dir, *s);
		if (mkdir(sub, 0755))
			return snprintf(err, len, "%s: %s", sub, strerror(errno)), -1;
	}
	return 0;
}

/* compare DIR/a/bench.json DIR/b/bench.json, with Markdown and JUnit beside them. */
static int compare_sides(const char *dir, const struct fb_opt_values *v)
{
	char a[PATH_MAX + 16], b[PATH_MAX + 16], md[PATH_MAX + 16], junit[PATH_MAX + 16], threshold[32];

	snprintf(a, sizeof(a), "%s/a/bench.json", dir);
	snprintf(b, sizeof(b), "%s/b/bench.json", dir);
	snprintf(md, sizeof(md), "%s/compare.md", dir);
	snprintf(junit, sizeof(junit), "%s/junit.xml", dir);
	snprintf(threshold, sizeof(threshold), "%g", fb_opt_number(v, "threshold"));
	const char *argv[] = { "compare", a, b, "--threshold", threshold, "--markdown", md, "--junit", junit };
	return fb_cmd_compare((int)(sizeof(argv) / sizeof(argv[0])), (char **)argv);
}

int fb_cmd_ab(int argc, char **argv)
{
	struct fb_opt_values v;
	struct fb_run_config cfg;
	struct side sides[2];
	char err[PATH_MAX + 256];

	if (fb_options_parse(ab_options, N_AB_OPTIONS, argc - 1, argv + 1, &v, err, sizeof(err)))
		return fb_error("ab: %s", err), 2;
	if (fb_opt_given(&v, "help")) {
		printf("usage: forkbench ab --out DIR [--a-build DIR] [--b-build DIR] [--a-prefix CMD] [--b-prefix CMD]\n");
		fb_options_help(ab_options, N_AB_OPTIONS, stdout);
		return 0;
	}
	const char *dir = fb_opt_text(&v, "out");
	if (!dir || v.npositional)
		return fb_error("ab: needs --out DIR and no other arguments (try --help)"), 2;
	memset(sides, 0, sizeof(sides));
	int rc = config_from(&v, &cfg, err, sizeof(err)) ||
		 side_setup(&sides[0], 'a', fb_opt_text(&v, "a-build"), fb_opt_text(&v, "a-prefix"), err, sizeof(err)) ||
		 side_setup(&sides[1], 'b', fb_opt_text(&v, "b-build"), fb_opt_text(&v, "b-prefix"), err, sizeof(err)) ||
		 make_dirs(dir, err, sizeof(err));
	if (!rc) {
		pin_like_run();
		rc = run_sides(sides, &cfg, dir, (int)fb_opt_number(&v, "rounds"), err, sizeof(err));
	}
	for (int i = 0; i < 2; i++) {
		json_decref(sides[i].rows);
		json_decref(sides[i].first);
	}
	if (rc)
		return fb_error("ab: %s", err), 2;
	printf("A: %s%s%s\nB: %s%s%s\n", sides[0].bench, sides[0].prefix[0] ? " under " : "",
	       fb_opt_text(&v, "a-prefix") ? fb_opt_text(&v, "a-prefix") : "", sides[1].bench,
	       sides[1].prefix[0] ? " under " : "", fb_opt_text(&v, "b-prefix") ? fb_opt_text(&v, "b-prefix") : "");
	return compare_sides(dir, &v);
}
