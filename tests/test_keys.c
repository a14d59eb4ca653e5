/* test_keys.c - a benchmark's identity in one place: the name format
 * round-trips, every name forkbench-bench registers parses back to a
 * registered case, and every table that points at a benchmark (ratios,
 * plots, consistency rules, precision's spread rows, claims, compare's
 * calibrations, the grader's references) names a case the families run;
 * and every counter harness/ reads is a value name of the cases it reads it
 * from (harness/counters.h). */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "benchkey.h"
#include "check.h"
#include "claims.h"
#include "commands.h"
#include "compare.h"
#include "consistency.h"
#include "counters.h"
#include "drift.h"
#include "family.h"
#include "grade.h"
#include "plot.h"
#include "ratios.h"
#include "testutil.h"
#include "jsonio.h"

static char build[PATH_MAX];

static void check_format_and_parse(void)
{
	const struct fb_bench_key key = { .family = "cow", .kase = "a/b", .mem_mib = 64, .mode = "thp" };
	struct fb_bench_key back;
	char name[FB_KEY_NAME_MAX];

	fb_key_format(&key, name, sizeof(name));
	CHECK(strcmp(name, "cow/a/b/mem_mib:64/mode:thp") == 0, "format: family/case/mem_mib:N/mode:M", "%s", name);
	CHECK(fb_key_parse("cow/a/b/mem_mib:64/mode:thp/manual_time", &back) == 0 && fb_key_equal(&back, &key),
	      "parse: a case holding '/', Google Benchmark's suffix ignored", "family %s case %s mib %ld mode %s",
	      back.family, back.kase, back.mem_mib, back.mode);
	static const char *const malformed[] = { "fork", "spawn/fork", "spawn/fork/mem_mib:x/mode:4k",
						 "spawn/fork/mem_mib:-1/mode:4k", "spawn/fork/mem_mib:0", "spawn//mem_mib:0/mode:4k" };
	int refused = 0;
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++)
		refused += fb_key_parse(malformed[i], &back) == -1;
	fb_key_parse("fork/manual_time", &back);
	CHECK(refused == 6 && strcmp(back.family, "fork") == 0 && back.mem_mib == 0 && strcmp(back.mode, "4k") == 0,
	      "malformed names refused, keeping what can be read (family, 0 MiB, 4k)", "%d of 6 refused", refused);
	const struct fb_bench_key unknown = FB_KEY0("spawn", "frok"), thp_only_4k = { .family = "threads",
		.kase = "pthread_create_join", .mem_mib = 0, .mode = "thp" };
	CHECK(!fb_key_registered(&unknown) && !fb_key_registered(&thp_only_4k),
	      "the registry refuses an unknown case and a mode off the case's axes", "accepted");
}

/* A case on an axis of its own: "case/axis:N" set and split back, and the
 * registry takes only the axis's own values (the families' tables: shape's
 * vmas, switch's cpus), also as a grader's reference. */
static void check_axis_keys(void)
{
	struct fb_bench_key key = FB_KEY0("shape", ""), back;
	char name[FB_KEY_NAME_MAX], base[64], axis[32];
	long value = 0;

	fb_key_set_case(&key, "fork_vmas", "vmas", 1024);
	fb_key_format(&key, name, sizeof(name));
	CHECK(strcmp(name, "shape/fork_vmas/vmas:1024/mem_mib:0/mode:4k") == 0, "axis: family/case/axis:N/mem_mib:..",
	      "%s", name);
	int split = fb_key_parse(name, &back) == 0 && fb_key_axis(&back, base, sizeof(base), axis, sizeof(axis), &value);
	CHECK(split && strcmp(base, "fork_vmas") == 0 && strcmp(axis, "vmas") == 0 && value == 1024,
	      "axis: the name parses back to case, axis and value", "%d %s %s %ld", split, base, axis, value);
	const struct fb_bench_key plain = FB_KEY0("cow", "a/b"), zero = FB_KEY0("shape", "fork_vmas/vmas:0");
	CHECK(!fb_key_axis(&plain, base, sizeof(base), axis, sizeof(axis), &value) && strcmp(base, "a/b") == 0 &&
	      !fb_key_axis(&zero, base, sizeof(base), axis, sizeof(axis), &value),
	      "axis: a case without 'axis:N' (or with a value of 0) is the case alone", "split %s", base);
	const struct fb_bench_key on = FB_KEY0("shape", "fork_vmas/vmas:1024"), off = FB_KEY0("shape", "fork_vmas/vmas:1000"),
				  other = FB_KEY0("shape", "fork_vmas/fds:1024"), bare = FB_KEY0("shape", "fork_vmas"),
				  noaxis = FB_KEY0("spawn", "fork/vmas:16");
	CHECK(fb_key_registered(&on) && !fb_key_registered(&off) && !fb_key_registered(&other) &&
	      !fb_key_registered(&bare) && !fb_key_registered(&noaxis),
	      "axis: the registry takes the axis's own values only, and never the case without its value",
	      "on %d off %d other %d bare %d noaxis %d", fb_key_registered(&on), fb_key_registered(&off),
	      fb_key_registered(&other), fb_key_registered(&bare), fb_key_registered(&noaxis));
	CHECK(fb_grade_reference_key("switch/pipe_pingpong_processes/cpus:1", 0, &back) == 0 &&
	      fb_grade_reference_key("shape/fork_vmas/vmas:1000", 0, &back) == -1,
	      "axis: an assignment's reference may name a case at a value of its axis", "refused or accepted wrongly");
}

/* Every name `forkbench-bench --benchmark_list_tests` prints, in the short
 * sweep of the cases' own axes and in the long one (more names). */
static int check_registered_names(const char *sweep, int fewer_than)
{
	char bin[PATH_MAX + 32], out[] = "/tmp/fb-test-keys-XXXXXX", line[256], name[96];
	int fd = mkstemp(out), listed = 0, good = 0;

	snprintf(bin, sizeof(bin), "%s/forkbench-bench", build);
	const char *argv[] = { bin, "--benchmark_list_tests", sweep, NULL };
	int rc = fd >= 0 ? run_command(argv, out, "/dev/null") : -1;
	FILE *f = fopen(out, "r");
	while (f && fgets(line, sizeof(line), f)) {
		struct fb_bench_key key;
		char again[FB_KEY_NAME_MAX], base[256];
		line[strcspn(line, "\n")] = '\0';
		fb_results_base_name(line, base, sizeof(base));
		listed++;
		good += fb_key_parse(base, &key) == 0 && fb_key_registered(&key) &&
			strcmp(fb_key_format(&key, again, sizeof(again)), base) == 0;
	}
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd), unlink(out);
	snprintf(name, sizeof(name), "%s: every benchmark forkbench-bench registers parses to a registered key "
		 "and formats back", sweep);
	CHECK(rc == 0 && listed > 100 && good == listed && listed > fewer_than, name,
	      "exit %d, %d of %d (more than %d expected)", rc, good, listed, fewer_than);
	return listed;
}

static void check_table(const char *what, const struct fb_bench_key *const *keys, size_t n)
{
	char name[160], bad[FB_KEY_NAME_MAX] = "";
	size_t registered = 0;

	for (size_t i = 0; i < n; i++)
		if (fb_key_registered(keys[i]))
			registered++;
		else
			fb_key_format(keys[i], bad, sizeof(bad));
	snprintf(name, sizeof(name), "%s: every key names a registered case", what);
	CHECK(n > 0 && registered == n, name, "%zu of %zu; not registered: %s", registered, n, bad);
}

static void check_tables(void)
{
	const struct fb_bench_key *keys[64];
	size_t n = 0;

	for (size_t i = 0; i < fb_nratios && n + 2 <= 64; i++) {
		keys[n++] = &fb_ratios[i].numerator;
		keys[n++] = &fb_ratios[i].denominator;
	}
	check_table("ratios", keys, n);
	for (n = 0; n < fb_plot_nthreads_keys && n < 64; n++)
		keys[n] = &fb_plot_threads_keys[n];
	check_table("the threads plot", keys, n);
	check_table("consistency rules", keys, fb_consistency_keys(keys, 64));
	check_table("precision's spread rows", keys, fb_precision_keys(keys, 64));
	check_table("drift's bare loops", keys, fb_drift_keys(keys, 64));
	check_table("claims", keys, fb_claims_keys(keys, 64));
	for (n = 0; n < fb_nnormalizers && n < 64; n++)
		keys[n] = &fb_normalizers[n].key;
	check_table("compare --normalize calibrations", keys, n);
}

/* Does the case family/kase (a case row's name, without an axis value)
 * report counter among its value_names? A family alone (kase NULL): does
 * any of its cases? */
static int reported(const char *family, const char *kase, const char *counter)
{
	for (const struct fb_family *const *f = fb_families; *f; f++) {
		if (strcmp((*f)->name, family))
			continue;
		for (size_t c = 0; c < (*f)->ncases; c++) {
			const struct fb_case *k = &(*f)->cases[c];
			if (kase && strcmp(k->name, kase))
				continue;
			for (size_t v = 0; k->value_names && k->value_names[v]; v++)
				if (strcmp(k->value_names[v], counter) == 0)
					return 1;
		}
	}
	return 0;
}

/* Does a row of a run bench/main.c really made (the CI baseline, committed)
 * carry counter? For the counters main.c adds to every point, which no
 * case's value_names list. */
static int in_run(const json_t *bench, const char *counter)
{
	const json_t *row;
	size_t i;

	json_array_foreach(json_object_get(bench, "benchmarks"), i, row)
		if (json_object_get(row, counter))
			return 1;
	return 0;
}

/* harness/counters.h: each counter harness/ reads is reported by every case
 * its row says it is read from (by some case, for a family read in a loop;
 * by a real run's rows, for one of bench/main.c's), so a misspelt counter
 * fails here instead of showing "-" in a cell. */
static void check_counter_reads(void)
{
	char bad[256] = "", path[PATH_MAX + 64];
	size_t good = 0;
	json_error_t jerr;

	snprintf(path, sizeof(path), "%s/../results/baselines/ci/bench.json", build);
	json_t *run = fb_json_load_lenient(path, &jerr);

	for (size_t i = 0; i < fb_ncounter_reads; i++) {
		const struct fb_counter_read *read = &fb_counter_reads[i];
		char from[512], *save = NULL;
		int places = 0, found = 0;
		snprintf(from, sizeof(from), "%s", read->from);
		for (char *at = strtok_r(from, " ", &save); at; at = strtok_r(NULL, " ", &save)) {
			char *kase = strchr(at, '/');
			places++;
			if (strcmp(at, FB_COUNTER_EVERY_POINT) == 0) {
				found += in_run(run, read->name);
				continue;
			}
			if (kase)
				*kase++ = '\0';
			found += reported(at, kase, read->name);
		}
		if (places > 0 && found == places)
			good++;
		else
			snprintf(bad, sizeof(bad), "%s (read from %s)", read->name, read->from);
	}
	json_decref(run);
	CHECK(run && fb_ncounter_reads > 0 && good == fb_ncounter_reads,
	      "every counter harness/ reads is a value name of the cases it reads it from",
	      "%s; %zu of %zu; not reported: %s", run ? "CI baseline read" : path, good, fb_ncounter_reads, bad);
}

/* The lab's spec: every measurement's reference at its size. */
static void check_spec_references(void)
{
	char path[PATH_MAX + 64];
	struct fb_bench_key key;
	int refs = 0, good = 0;
	json_t *test;
	size_t i;

	snprintf(path, sizeof(path), "%s/../assignments/lab-fork/spec.json", build);
	json_t *spec = json_load_file(path, 0, NULL);
	json_array_foreach(json_object_get(spec, "tests"), i, test) {
		const char *ref = json_string_value(json_object_get(test, "reference"));
		if (!ref)
			continue;
		refs++;
		good += fb_grade_reference_key(ref, (long)json_integer_value(json_object_get(test, "size_mib")), &key) == 0;
	}
	json_decref(spec);
	CHECK(refs > 0 && good == refs, "lab-fork's references name registered cases", "%d of %d", good, refs);
}

/* Every case says what one iteration is (a round trip, a switch, a burst
 * of 16 threads): the summary and the report print time per one of
 * those, never "per iteration" of an unnamed batch. */
static void check_case_units(void)
{
	char missing[512] = "";
	size_t used = 0, cases = 0;

	for (size_t f = 0; fb_families[f]; f++)
		for (size_t c = 0; c < fb_families[f]->ncases; c++, cases++)
			if (!fb_families[f]->cases[c].per && used < sizeof(missing) - 64)
				used += (size_t)snprintf(missing + used, sizeof(missing) - used, " %s/%s", fb_families[f]->name,
							 fb_families[f]->cases[c].name);
	CHECK(cases > 0 && !missing[0], "every case names what one iteration is (per)", "without:%s", missing);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	build_dir(build, sizeof(build));
	check_format_and_parse();
	check_axis_keys();
	check_registered_names("--sweep=long", check_registered_names("--sweep=short", 0));
	check_tables();
	check_counter_reads();
	check_spec_references();
	check_case_units();
	return check_done();
}
