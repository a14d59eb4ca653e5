/* test_claims.c - the lecture's claims are judged from the run's data, not
 * hard-coded: one synthetic set of measurements makes every claim hold, the
 * opposite set makes every claim fail, a mixed set gives "holds only under
 * thp", absent or skipped benchmarks give "not measured" naming them, a
 * missing size is scaled from the largest measured one; `forkbench claims`
 * writes valid claims.json with one entry per table row, and a missing or
 * corrupt run folder is exit 2 with one line naming the file. */
#define _GNU_SOURCE
#include <jansson.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "claims.h"
#include "testutil.h"

static char build[PATH_MAX], tmp[] = "/tmp/fb-test-claims-XXXXXX";

/* One synthetic benchmark: its time (us) per iteration, or < 0 for a
 * benchmark that was skipped; and one counter (NULL for none). */
struct bench_row {
	const char *name;
	double time_us;
	const char *counter;
	double value;
};

#define SP(c, mib, mode) "spawn/" c "/mem_mib:" #mib "/mode:" mode
#define COW(c, mib, mode) "cow/" c "/mem_mib:" #mib "/mode:" mode
#define TH(c) "threads/" c "/mem_mib:0/mode:4k"

/* Every claim holds: the lecture's own figures. */
static const struct bench_row holding[] = {
	{ COW("naive_copy", 1024, "4k"), 500e3, NULL, 0 },
	{ COW("naive_copy", 1024, "thp"), 400e3, NULL, 0 },
	{ SP("fork", 1024, "4k"), 120, "parent_ns", 50e3 },
	{ SP("fork", 1024, "thp"), 110, "parent_ns", 40e3 },
	{ COW("child_read_only", 1024, "4k"), 100, "vmpte_child_kib", 16 },
	{ COW("child_read_only", 1024, "thp"), 100, "vmpte_child_kib", 16 },
	{ TH("pthread_create_join"), 20, NULL, 0 },
	{ TH("fork_exit_wait"), 200, NULL, 0 },
	{ TH("ucontext_create"), 1, NULL, 0 },
	{ TH("bare_create"), 0.5, NULL, 0 },
	{ SP("fork_exec_static", 0, "4k"), 500, NULL, 0 },
	{ SP("fork_exec_static", 1024, "4k"), 5000, NULL, 0 },
	{ SP("fork_exec_static", 1024, "thp"), 1000, NULL, 0 },
	{ SP("posix_spawn_static", 0, "4k"), 500, NULL, 0 },
	{ SP("posix_spawn_static", 1024, "4k"), 500, NULL, 0 },
	{ TH("bare_switch"), 40, "ns_per_switch", 20 },
	{ "switch/futex_pingpong_threads/cpus:1/mem_mib:0/mode:4k", 400, "ns_per_switch", 1000 },  /* 50x */
	{ TH("clone_thread"), 15, NULL, 0 },                                          /* pthread 20: 1.3x */
	{ SP("fork_reap_late", 0, "4k"), 600, "zombie_seen", 1 },
};

/* Every claim fails: each figure far outside its rule. */
static const struct bench_row failing[] = {
	{ COW("naive_copy", 1024, "4k"), 10e3, NULL, 0 },          /* 10 ms: 50x below ~500 ms */
	{ COW("naive_copy", 1024, "thp"), 10e3, NULL, 0 },
	{ SP("fork", 1024, "4k"), 20e3, "parent_ns", 10e6 },         /* 10 ms: 200x above ~50 us */
	{ SP("fork", 1024, "thp"), 20e3, "parent_ns", 10e6 },
	{ COW("child_read_only", 1024, "4k"), 100, "vmpte_child_kib", 2048 },
	{ COW("child_read_only", 1024, "thp"), 100, "vmpte_child_kib", 2048 },
	{ TH("pthread_create_join"), 300, NULL, 0 },                 /* threads dearer than fork */
	{ TH("fork_exit_wait"), 200, NULL, 0 },
	{ TH("ucontext_create"), 100, NULL, 0 },                     /* 3x: below 10x */
	{ TH("bare_create"), 0.1, NULL, 0 },                         /* 3000x: beyond 100x */
	{ SP("fork_exec_static", 1024, "4k"), 5000, NULL, 0 },       /* copy only 2x the fork+exec */
	{ SP("fork_exec_static", 1024, "thp"), 5000, NULL, 0 },
	{ TH("bare_switch"), 40, "ns_per_switch", 20 },
	{ "switch/futex_pingpong_threads/cpus:1/mem_mib:0/mode:4k", 4000, "ns_per_switch", 5000 }, /* 250x */
	{ TH("clone_thread"), 3000, NULL, 0 },                          /* pthread 300 us: 0.1x, not a task's cost */
	{ SP("fork_reap_late", 0, "4k"), 600, "zombie_seen", 0 },                    /* never a zombie */
};

/* COW fork near 50 us only with huge pages. */
static const struct bench_row thp_only[] = {
	{ SP("fork", 1024, "4k"), 20e3, "parent_ns", 10e6 },
	{ SP("fork", 1024, "thp"), 110, "parent_ns", 40e3 },
};

/* 1024 MiB absent: the copy scales from 64 MiB (31.25 ms -> 500 ms); the
 * thp fork was skipped, the 4k one holds. */
static const struct bench_row partial[] = {
	{ COW("naive_copy", 64, "4k"), 31.25e3, NULL, 0 },
	{ SP("fork", 1024, "4k"), 120, "parent_ns", 50e3 },
	{ SP("fork", 1024, "thp"), -1, NULL, 0 },
	{ TH("pthread_create_join"), -1, NULL, 0 },
};

static json_t *bench_json(const struct bench_row *rows, size_t n)
{
	json_t *list = json_array();

	for (size_t i = 0; i < n; i++)
		for (int rep = 0; rep < 5; rep++) {
			char name[256];
			snprintf(name, sizeof(name), "%s/manual_time", rows[i].name);
			/* +-2% around the figure: a median CI that is not a point */
			double t = rows[i].time_us * (1 + 0.01 * (rep - 2));
			json_t *row = json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:f, s:f, s:s}", "name", name,
						"run_name", name, "run_type", "iteration", "repetitions", 5,
						"repetition_index", rep, "iterations", 10, "real_time", t, "cpu_time", t,
						"time_unit", "us");
			if (rows[i].time_us < 0) {
				json_object_set_new(row, "error_occurred", json_true());
				json_object_set_new(row, "error_message", json_string("skipped: THP is disabled"));
			}
			if (rows[i].counter)
				json_object_set_new(row, rows[i].counter, json_real(rows[i].value));
			json_array_append_new(list, row);
		}
	return json_pack("{s:{s:s}, s:o}", "context", "date", "synthetic", "benchmarks", list);
}

/* A run folder dir/name with bench.json from rows and a manifest; pid_max
 * NULL leaves it out. pid_max is recorded as a JSON number, as runs do
 * now; "str:N" records the text "N", as older runs did. */
static void write_run(char *dir, size_t len, const char *name, const struct bench_row *rows, size_t n,
		      const char *pid_max, int cores)
{
	char path[PATH_MAX + 64];
	json_t *settings = !pid_max ? json_object() : strncmp(pid_max, "str:", 4) == 0 ?
			   json_pack("{s:s}", "pid_max", pid_max + 4) : json_pack("{s:I}", "pid_max", (json_int_t)atoll(pid_max));
	json_t *manifest = json_pack("{s:i, s:s, s:{s:{s:s, s:s}, s:{s:i}, s:o}}", "schema_version", 1,
				     "run_id", name, "environment", "versions", "kernel", "6.1.0-test", "machine",
				     "x86_64", "cpu", "cores_online", cores, "kernel_settings", settings);
	json_t *bench = bench_json(rows, n);

	snprintf(dir, len, "%s/%s", tmp, name);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	json_dump_file(manifest, path, JSON_INDENT(1));
	snprintf(path, sizeof(path), "%s/bench.json", dir);
	json_dump_file(bench, path, JSON_INDENT(1));
	json_decref(manifest);
	json_decref(bench);
}

static const struct fb_claim_row *find_claim(const struct fb_claims *c, const char *id)
{
	for (size_t i = 0; i < c->count; i++)
		if (strcmp(c->rows[i].id, id) == 0)
			return &c->rows[i];
	return NULL;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Every claim's verdict starts with `expect` (and, for "not measured",
 * names something missing). */
static void check_all(const char *label, const struct bench_row *rows, size_t n, const char *pid_max,
		      int cores, const char *expect)
{
	static struct fb_claims claims;
	char dir[PATH_MAX], name[192];

	write_run(dir, sizeof(dir), label, rows, n, pid_max, cores);
	int rc = fb_claims_write(dir, NULL, &claims);
	for (size_t i = 0; i < claims.count; i++) {
		const struct fb_claim_row *r = &claims.rows[i];
		snprintf(name, sizeof(name), "%s: %s: %s", label, r->id, expect);
		int ok = strncmp(r->verdict, expect, strlen(expect)) == 0;
		/* "does not hold" must not be read as "holds" and vice versa */
		if (strcmp(expect, "holds") == 0)
			ok = ok && strcmp(r->verdict, "holds") == 0;
		/* "not measured" says what is missing */
		if (strncmp(expect, "not measured", 12) == 0)
			ok = ok && (strstr(r->verdict, "absent from bench.json") || strstr(r->verdict, "manifest.json has no"));
		CHECK(rc == 0 && ok, name, "verdict '%s'; measured '%s'", r->verdict, r->measured);
	}
	CHECK(rc == 0 && claims.count >= 8, label, "exit %d, %zu claims", rc, claims.count);
}

static void check_mixed(void)
{
	static struct fb_claims claims;
	char dir[PATH_MAX];
	const struct fb_claim_row *r;

	write_run(dir, sizeof(dir), "thp-only", thp_only, N(thp_only), "4194304", 2);
	fb_claims_write(dir, NULL, &claims);
	r = find_claim(&claims, "fork_with_cow_1g");
	CHECK(r && strcmp(r->verdict, "holds only under thp") == 0, "fork at 1 GiB near 50 us with THP only: "
	      "holds only under thp", "verdict '%s'", r ? r->verdict : "(no row)");
	r = find_claim(&claims, "pid_max");
	CHECK(r && strncmp(r->verdict, "holds only under the kernel's own default", 41) == 0 && r->value == 4194304,
	      "pid_max raised to 4194304 on 2 CPUs: holds only under the kernel's default", "verdict '%s'",
	      r ? r->verdict : "(no row)");

	write_run(dir, sizeof(dir), "old-manifest", thp_only, N(thp_only), "str:4194304", 2);
	fb_claims_write(dir, NULL, &claims);
	r = find_claim(&claims, "pid_max");
	CHECK(r && r->value == 4194304, "a run made before settings were numbers: pid_max read from its text",
	      "value %g", r ? r->value : 0);

	write_run(dir, sizeof(dir), "text-manifest", thp_only, N(thp_only), "str:32768x", 2);
	fb_claims_write(dir, NULL, &claims);
	r = find_claim(&claims, "pid_max");
	CHECK(r && strstr(r->verdict, "no numeric environment.kernel_settings.pid_max"),
	      "pid_max recorded as a text that is not a number: not measured, said so", "verdict '%s'",
	      r ? r->verdict : "(no row)");

	write_run(dir, sizeof(dir), "partial", partial, N(partial), "32768", 2);
	fb_claims_write(dir, NULL, &claims);
	r = find_claim(&claims, "fork_without_cow_1g");
	CHECK(r && strcmp(r->verdict, "holds") == 0 && fabs(r->value - 500) < 1 &&
	      strstr(r->conditions, "scaled linearly from 64 MiB"), "copy at 64 MiB scaled to 1 GiB, said so",
	      "verdict '%s', value %g, conditions '%s'", r ? r->verdict : "", r ? r->value : 0, r ? r->conditions : "");
	r = find_claim(&claims, "fork_with_cow_1g");
	CHECK(r && strcmp(r->verdict, "holds") == 0 && strstr(r->conditions, "skipped: THP is disabled"),
	      "thp skipped, 4k holds: holds, the skipped one named", "verdict '%s', conditions '%s'",
	      r ? r->verdict : "", r ? r->conditions : "");
	r = find_claim(&claims, "threads_cheaper");
	CHECK(r && strstr(r->verdict, "not measured in this run") && strstr(r->verdict, "pthread_create_join") &&
	      strstr(r->verdict, "did not run"), "a skipped thread benchmark: not measured, named",
	      "verdict '%s'", r ? r->verdict : "");
}

/* `forkbench claims` on the binary: claims.json is valid JSON with one
 * complete entry per printed table row. */
static void check_command(void)
{
	char bin[PATH_MAX + 16], dir[PATH_MAX], out[PATH_MAX + 16], err[PATH_MAX + 16], path[PATH_MAX + 32];
	static const char *const keys[] = { "id", "claim", "measured", "value", "unit", "benchmark",
					    "conditions", "verdict", "rule" };

	snprintf(bin, sizeof(bin), "%s/forkbench", build);
	snprintf(out, sizeof(out), "%s/stdout", tmp);
	snprintf(err, sizeof(err), "%s/stderr", tmp);
	write_run(dir, sizeof(dir), "command", holding, N(holding), "32768", 2);
	const char *argv[] = { bin, "claims", dir, NULL };
	int rc = run_command(argv, out, err);
	snprintf(path, sizeof(path), "%s/claims.json", dir);
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr), *claim;
	json_t *list = json_object_get(doc, "claims");
	int complete = json_integer_value(json_object_get(doc, "schema_version")) == 1 &&
		       strcmp(json_string_value(json_object_get(doc, "run_id")) ?: "", "command") == 0;
	size_t i, rows = 0;
	json_array_foreach(list, i, claim)
		for (size_t k = 0; k < N(keys); k++)
			complete = complete && json_object_get(claim, keys[k]);
	FILE *f = fopen(out, "r");
	char line[4096];
	while (f && fgets(line, sizeof(line), f))
		rows += line[0] != ' ' && strncmp(line, "claim ", 6) && !strstr(line, "claims.json");
	if (f)
		fclose(f);
	CHECK(rc == 0 && doc && complete && json_array_size(list) == rows && rows >= 8,
	      "claims.json is valid JSON, one complete entry per table row", "exit %d, %s, %zu entries, %zu rows",
	      rc, doc ? "parsed" : jerr.text, json_array_size(list), rows);
	json_decref(doc);
}

/* One line on stderr naming what is wrong, exit 2, for each bad folder. */
static void check_errors(void)
{
	char bin[PATH_MAX + 16], dir[PATH_MAX], err[PATH_MAX + 16], path[PATH_MAX + 32], name[128];
	const char *argv[] = { bin, "claims", dir, NULL };
	struct { const char *file, *content, *named; } cases[] = {
		{ NULL, NULL, "no such run folder" },
		{ "manifest.json", NULL, "manifest.json: missing" },
		{ "manifest.json", "{ broken", "manifest.json" },
		{ "bench.json", NULL, "bench.json: missing" },
		{ "bench.json", "{\"benchmarks\": [ {broken", "bench.json" },
	};

	snprintf(bin, sizeof(bin), "%s/forkbench", build);
	snprintf(err, sizeof(err), "%s/stderr", tmp);
	for (size_t i = 0; i < N(cases); i++) {
		write_run(dir, sizeof(dir), "bad", holding, N(holding), "32768", 2);
		if (!cases[i].file)
			snprintf(dir, sizeof(dir), "%s/no-such-run", tmp);
		else {
			snprintf(path, sizeof(path), "%s/%s", dir, cases[i].file);
			unlink(path);
			FILE *f = cases[i].content ? fopen(path, "w") : NULL;
			if (f)
				fputs(cases[i].content, f), fclose(f);
		}
		int rc = run_command(argv, NULL, err);
		size_t n;
		FILE *e = fopen(err, "r");
		char text[1024] = "";
		n = e ? fread(text, 1, sizeof(text) - 1, e) : 0;
		text[n] = '\0';
		if (e)
			fclose(e);
		snprintf(name, sizeof(name), "%s %s: exit 2, one line naming it", cases[i].content ? "corrupt" :
			 "missing", cases[i].file ? cases[i].file : "run folder");
		CHECK(rc == 2 && strstr(text, cases[i].named) && count_lines(err) == 1, name, "exit %d, stderr '%s'",
		      rc, text);
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	build_dir(build, sizeof(build));
	if (!mkdtemp(tmp))
		return 1;
	check_all("holding", holding, N(holding), "32768", 2, "holds");
	check_all("failing", failing, N(failing), "4194304", 64, "does not hold");
	check_all("empty", NULL, 0, NULL, 2, "not measured in this run: ");
	check_mixed();
	check_command();
	check_errors();

	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? check_done() : 1;
}
