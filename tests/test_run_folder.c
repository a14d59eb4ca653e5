/* test_run_folder.c - a run folder opened in one place (run_folder.h): the
 * committed CI baseline read into typed fields, checked against values read
 * off its manifest.json by hand; copies of it with an older manifest (kernel
 * settings as text, no placement, family limits or sweep), a field missing
 * and another schema version, with the error line each command has always
 * given; the environment table's rows; and the one reader of "a number, or
 * text in older runs". */
#define _GNU_SOURCE
#include <jansson.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "manifest.h"
#include "run_folder.h"
#include "testutil.h"
#include "files.h"

static char build[PATH_MAX - 64], tmp[] = "/tmp/fb-test-run-folder-XXXXXX";
static char ci[PATH_MAX];

/* dir: a copy of the CI baseline whose manifest edit() changed. 0 or -1. */
static int copy_ci(const char *dir, void (*edit)(json_t *manifest))
{
	char cmd[3 * PATH_MAX], path[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "cp -r '%s' '%s'", ci, dir);
	if (system(cmd))
		return -1;
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	json_t *m = json_load_file(path, 0, NULL);
	if (!m)
		return -1;
	edit(m);
	int rc = json_dump_file(m, path, JSON_INDENT(1));
	json_decref(m);
	return rc;
}

/* ---- the CI baseline ------------------------------------------------------ */

/* The values below are read off results/baselines/ci/manifest.json by eye. */

/* A setting of c as its option spells it ("4k,thp"), through the table. */
static void setting_text(const struct fb_run_config *c, const char *option, char *buf, size_t len)
{
	const struct fb_setting *s = fb_setting_named(option);
	if (s)
		fb_setting_format(c, s, buf, len);
	else
		snprintf(buf, len, "(no setting %s)", option);
}

static int recorded_setting(const struct fb_run_config *c, const char *option)
{
	const struct fb_setting *s = fb_setting_named(option);
	return s && fb_setting_recorded(c, s);
}
static void check_ci(void)
{
	char err[PATH_MAX + 256] = "";
	struct fb_run *run = fb_run_open(ci, FB_RUN_CONFIG | FB_RUN_RESULTS | FB_RUN_EXTERNAL, FB_RUN_WORDS_REPORT, err,
					  sizeof(err));

	if (!run) {
		BROKEN("the CI baseline opens", "%s", err);
		return;
	}
	CHECK(run->run_id && strcmp(run->run_id, "ci") == 0, "run id", "%s", run->run_id ? run->run_id : "(null)");
	const struct fb_run_config *c = &run->config;
	CHECK(run->config_ok && !run->config_err[0], "its config reads back", "%s", run->config_err);
	CHECK(strcmp(c->profile, "quick") == 0 && c->repetitions == 5 && c->min_time_s == 0.01,
	      "profile quick, 5 repetitions, 0.01 s", "%s %d %g", c->profile, c->repetitions, c->min_time_s);
	CHECK(c->sizes.count == 5 && c->sizes.mib[0] == 0 && c->sizes.mib[1] == 1 && c->sizes.mib[2] == 16 &&
	      c->sizes.mib[3] == 64 && c->sizes.mib[4] == 256, "sizes 0,1,16,64,256 as numbers", "%zu sizes",
	      c->sizes.count);
	char modes[32], placement[32];
	setting_text(c, "modes", modes, sizeof(modes));
	setting_text(c, "placement", placement, sizeof(placement));
	CHECK(strcmp(modes, "4k,thp") == 0 && strcmp(placement, "one-cpu") == 0 && strcmp(c->cpus, "1") == 0,
	      "modes, placement, CPUs", "%s %s %s", modes, placement, c->cpus);
	/* made before the per-family limits and the axes: not recorded */
	int recorded = recorded_setting(c, "family-max") + recorded_setting(c, "sweep");
	CHECK(recorded == 0 && !c->filter[0], "family limits, sweep and filter not recorded", "%d recorded, filter '%s'",
	      recorded, c->filter);
	const struct fb_result *fork = fb_results_at(&run->results, "spawn", "fork", 0, "4k");
	CHECK(run->results.count > 0 && fork && fork->nreps == 5, "bench.json: spawn/fork at 0 MiB, 4k, 5 repetitions",
	      "%zu results, fork %s", run->results.count, fork ? "found" : "missing");
	CHECK(!run->hyperfine && !run->perf, "no hyperfine.json or perf-stat.json: none read", "read one");
	const json_t *model = fb_run_env(run->manifest, FB_ENV_CPU_MODEL);
	CHECK(json_is_string(model) && strcmp(json_string_value(model), "Intel(R) Xeon(R) Processor") == 0,
	      "environment: CPU model", "%s", json_string_value(model));
	CHECK(json_integer_value(fb_run_env(run->manifest, FB_ENV_CORES)) == 2 &&
	      json_integer_value(fb_run_env(run->manifest, FB_ENV_PID_MAX)) == 32768 &&
	      json_is_true(fb_run_env(run->manifest, FB_ENV_HYPERVISOR)),
	      "environment: 2 cores, pid_max 32768, a hypervisor", "other values");
	CHECK(!fb_run_env(run->manifest, FB_ENV_NONE) && !fb_run_env(NULL, FB_ENV_KERNEL), "no item: NULL", "an item");
	fb_run_close(run);
}

/* ---- the environment table ------------------------------------------------ */

static void check_table(void)
{
	int paths = 1, labels = 1, machine = 0;

	for (int f = FB_ENV_NONE + 1; f < FB_ENV_COUNT; f++) {
		paths &= fb_env_fields[f].path && fb_env_fields[f].path[0] && !strstr(fb_env_fields[f].path, "..");
		labels &= fb_env_fields[f].label != NULL;
		machine += fb_env_fields[f].machine;
		for (int g = FB_ENV_NONE + 1; g < f; g++) {
			paths &= strcmp(fb_env_fields[f].path, fb_env_fields[g].path) != 0;
			labels &= !fb_env_fields[f].report || !fb_env_fields[g].report ||
				  strcmp(fb_env_fields[f].label, fb_env_fields[g].label) != 0;
		}
	}
	CHECK(paths, "every environment item has one path of its own", "a path missing or twice");
	CHECK(labels, "every item has a label, the report's all different", "a label missing or twice");
	/* CPU model, cores, hypervisor, kernel, architecture, memory */
	CHECK(machine == 6, "six items make another machine", "%d", machine);
	CHECK(strcmp(fb_env_label_compare(FB_ENV_CPU_MODEL), "CPU model") == 0 &&
	      strcmp(fb_env_label_matrix(FB_ENV_CPU_MODEL), "CPU") == 0 &&
	      strcmp(fb_env_label_matrix(FB_ENV_THP_ENABLED), "THP") == 0 &&
	      strcmp(fb_env_label_compare(FB_ENV_THP_ENABLED), "THP enabled") == 0,
	      "per-use labels: compare's CPU model, matrix's THP", "other labels");
}

/* ---- a number, or text in older runs -------------------------------------- */

static void check_number(void)
{
	static const struct {
		const char *json;
		int whole_rc, leading_rc;
		double value;   /* when read */
	} rows[] = {
		{ "32768", 0, 0, 32768 },               /* a number since the conditions were recorded */
		{ "\"32768\"", 0, 0, 32768 },           /* text in older runs */
		{ "\"32768\\n\"", 0, 0, 32768 },        /* a blank after it */
		{ "\"32768x\"", -1, 0, 32768 },         /* more than the number */
		{ "\"0.52 0.48 0.50 1/234 5678\"", -1, 0, 0.52 }, /* /proc/loadavg's line */
		{ "\"abc\"", -1, -1, 0 },
		{ "null", -1, -1, 0 },
		{ "[1]", -1, -1, 0 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		json_t *v = json_loads(rows[i].json, JSON_DECODE_ANY, NULL);
		double whole = -1, leading = -1;
		int rw = fb_manifest_number(v, FB_NUMBER_WHOLE, &whole);
		int rl = fb_manifest_number(v, FB_NUMBER_LEADING, &leading);
		char name[96];
		snprintf(name, sizeof(name), "a setting of %s read as a number", rows[i].json);
		CHECK(rw == rows[i].whole_rc && rl == rows[i].leading_rc &&
		      (rw || whole == rows[i].value) && (rl || leading == rows[i].value), name,
		      "whole %d (%g), leading %d (%g)", rw, whole, rl, leading);
		json_decref(v);
	}
	double v = -1;
	CHECK(fb_manifest_number(NULL, FB_NUMBER_LEADING, &v) == -1, "an absent setting is none", "read %g", v);
}

/* ---- older, broken and other manifests ------------------------------------ */

/* As a run before the conditions were recorded wrote it: settings as text,
 * and no placement, CPUs, family limits or sweep. */
static void make_old(json_t *m)
{
	json_t *settings = json_object_get(json_object_get(m, "environment"), "kernel_settings");
	json_t *config = json_object_get(m, "config");

	json_object_set_new(settings, "pid_max", json_string("32768"));
	json_object_set_new(settings, "aslr", json_string("2"));
	json_object_del(settings, "loadavg_1min");
	json_object_del(config, "placement");
	json_object_del(config, "cpus");
}

static void drop_run_id(json_t *m)
{
	json_object_del(m, "run_id");
}

static void drop_config(json_t *m)
{
	json_object_del(m, "config");
}

static void version_2(json_t *m)
{
	json_object_set_new(m, "schema_version", json_integer(2));
}

static void check_old(void)
{
	char dir[PATH_MAX], err[PATH_MAX + 256] = "";
	double pid_max = 0, load = 0;

	snprintf(dir, sizeof(dir), "%s/old", tmp);
	struct fb_run *run = copy_ci(dir, make_old) ? NULL :
			     fb_run_open(dir, FB_RUN_CONFIG | FB_RUN_RESULTS, FB_RUN_WORDS_COMPARE, err, sizeof(err));
	if (!run) {
		BROKEN("an older manifest opens", "%s", err);
		return;
	}
	CHECK(run->config_ok && !recorded_setting(&run->config, "placement") && !run->config.cpus[0] &&
	      run->config.repetitions == 5, "an older manifest: its config reads back, placement and CPUs not recorded",
	      "%s, placement %s, cpus '%s'", run->config_err,
	      recorded_setting(&run->config, "placement") ? "recorded" : "not recorded", run->config.cpus);
	const json_t *text = fb_run_env(run->manifest, FB_ENV_PID_MAX);
	CHECK(json_is_string(text) && fb_manifest_number(text, FB_NUMBER_WHOLE, &pid_max) == 0 && pid_max == 32768,
	      "an older manifest: pid_max recorded as text reads as 32768", "%g", pid_max);
	CHECK(!fb_run_env(run->manifest, FB_ENV_LOADAVG_1MIN) &&
	      fb_manifest_number(fb_run_env(run->manifest, FB_ENV_LOADAVG), FB_NUMBER_LEADING, &load) == 0 &&
	      load == 3.06, "an older manifest: the load average from /proc/loadavg's line", "%g", load);
	fb_run_close(run);
}

/* What open refuses, and the line each command says it with: what is wrong
 * inside a manifest in the words each command always gave; a folder that
 * is not there, or not a run folder, the same way for every command. */
static void check_refused(void)
{
	static const struct {
		const char *folder;           /* under tmp ("" for tmp/none, not made) */
		void (*edit)(json_t *);
		unsigned flags;
		enum fb_run_words words;
		const char *said;             /* after "<tmp>/" */
	} rows[] = {
		{ "no-id", drop_run_id, FB_RUN_MANIFEST, FB_RUN_WORDS_CLAIMS,
		  "no-id/manifest.json: run_id is not a string" },
		{ "no-config", drop_config, FB_RUN_CONFIG, FB_RUN_WORDS_REPORT,
		  "no-config/manifest.json: config is not an object" },
		{ "v2", version_2, FB_RUN_MANIFEST, FB_RUN_WORDS_MATRIX, "v2/manifest.json: schema_version is not 1" },
		{ "v2", NULL, FB_RUN_CONFIG, FB_RUN_WORDS_COMPARE,   /* the copy the row above made */
		  "v2/manifest.json: schema version 2, this forkbench reads version 1" },
		{ "none", NULL, FB_RUN_CONFIG, FB_RUN_WORDS_REPORT, "none: no such run folder" },
		{ "none", NULL, FB_RUN_MANIFEST, FB_RUN_WORDS_CLAIMS, "none: no such run folder" },
		{ "none", NULL, FB_RUN_MANIFEST, FB_RUN_WORDS_MATRIX, "none: no such run folder" },
		{ "none", NULL, FB_RUN_UNCHECKED, FB_RUN_WORDS_LOADER, "none: no such run folder" },
		{ "none", NULL, FB_RUN_CONFIG | FB_RUN_RESULTS | FB_RUN_BENCH_FILE, FB_RUN_WORDS_COMPARE,
		  "none: no such run folder or bench.json" },
		/* made empty below */
		{ "empty", NULL, FB_RUN_CONFIG, FB_RUN_WORDS_REPORT,
		  "empty: not a run folder (no manifest.json, no bench.json in it)" },
		{ "empty", NULL, FB_RUN_RESULTS | FB_RUN_BENCH_FILE, FB_RUN_WORDS_LOADER,
		  "empty: not a run folder (no manifest.json, no bench.json in it)" },
	};
	char dir[PATH_MAX], err[PATH_MAX + 256], want[PATH_MAX + 256];

	snprintf(dir, sizeof(dir), "%s/empty", tmp);
	mkdir(dir, 0755);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/%s", tmp, rows[i].folder);
		if (rows[i].edit && copy_ci(dir, rows[i].edit)) {
			BROKEN(rows[i].said, "cannot make %s", dir);
			continue;
		}
		err[0] = '\0';
		struct fb_run *run = fb_run_open(dir, rows[i].flags, rows[i].words, err, sizeof(err));
		snprintf(want, sizeof(want), "%s/%s", tmp, rows[i].said);
		CHECK(!run && strcmp(err, want) == 0, rows[i].said, "%s", run ? "opened" : err);
		fb_run_close(run);
	}
}

/* A run folder (the v2 copy) whose manifest.json was removed: the file
 * named, the same way by every command. */
static void check_manifest_missing(void)
{
	static const enum fb_run_words words[] = { FB_RUN_WORDS_REPORT, FB_RUN_WORDS_CLAIMS, FB_RUN_WORDS_MATRIX,
						   FB_RUN_WORDS_COMPARE, FB_RUN_WORDS_LOADER };
	char dir[PATH_MAX], manifest[PATH_MAX + 16], err[PATH_MAX + 256], want[PATH_MAX + 32];

	snprintf(dir, sizeof(dir), "%s/v2", tmp);
	snprintf(manifest, sizeof(manifest), "%s/manifest.json", dir);
	snprintf(want, sizeof(want), "%s: missing", manifest);
	if (unlink(manifest)) {
		BROKEN("a run folder without its manifest.json", "cannot remove %s", manifest);
		return;
	}
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		err[0] = '\0';
		struct fb_run *run = fb_run_open(dir, FB_RUN_CONFIG | FB_RUN_RESULTS, words[i], err, sizeof(err));
		CHECK(!run && strcmp(err, want) == 0, "a run folder without its manifest.json: 'DIR/manifest.json: missing'",
		      "%s", run ? "opened" : err);
		fb_run_close(run);
	}
}

/* The config is only needed by some: without FB_RUN_CONFIG a manifest
 * without one opens, and says why it has no settings. */
static void check_no_config(void)
{
	char dir[PATH_MAX], err[PATH_MAX + 256] = "";

	snprintf(dir, sizeof(dir), "%s/no-config", tmp);
	struct fb_run *run = fb_run_open(dir, FB_RUN_MANIFEST, FB_RUN_WORDS_CLAIMS, err, sizeof(err));
	CHECK(run && !run->config_ok && strcmp(run->config_err, "no run configuration (config) in it") == 0,
	      "no config: opens for claims, the settings say why they are missing", "%s",
	      run ? run->config_err : err);
	fb_run_close(run);
}

/* A bare bench.json where a command takes one; a folder without one. */
static void check_bench(void)
{
	char path[PATH_MAX + 32], err[PATH_MAX + 256] = "", want[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/bench.json", ci);
	struct fb_run *run = fb_run_open(path, FB_RUN_CONFIG | FB_RUN_RESULTS | FB_RUN_BENCH_FILE,
					 FB_RUN_WORDS_COMPARE, err, sizeof(err));
	CHECK(run && !run->manifest && !run->run_id && run->results.count > 0,
	      "a bare bench.json: results, no manifest", "%s", run ? "a manifest" : err);
	fb_run_close(run);
	snprintf(path, sizeof(path), "%s/no-bench", tmp);
	snprintf(want, sizeof(want), "%s/bench.json: missing", path);
	/* bench.json alone is asked for: the manifest (here without a run id) is not read */
	if (copy_ci(path, drop_run_id) == 0) {
		char bench[PATH_MAX + 48];
		snprintf(bench, sizeof(bench), "%s/bench.json", path);
		unlink(bench);
		run = fb_run_open(path, FB_RUN_RESULTS, FB_RUN_WORDS_CLAIMS, err, sizeof(err));
		CHECK(!run && strcmp(err, want) == 0, "no bench.json: said by name", "%s", run ? "opened" : err);
		fb_run_close(run);
	} else {
		BROKEN("no bench.json: said by name", "cannot make %s", path);
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	build_dir(build, sizeof(build));
	snprintf(ci, sizeof(ci), "%s/../results/baselines/ci", build);
	if (!mkdtemp(tmp))
		return 1;
	check_ci();
	check_table();
	check_number();
	check_old();
	check_refused();
	check_manifest_missing();
	check_no_config();
	check_bench();
	int failed = check_done();
	if (!failed)
		fb_remove_tree(tmp);   /* kept on failure, to look at */
	return failed;
}
