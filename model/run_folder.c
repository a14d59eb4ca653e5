/* run_folder.c - open a run folder once (see run_folder.h), and the one
 * table of the environment items its manifest records. */
#define _GNU_SOURCE
#include "run_folder.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "manifest.h"

/* ---- how each command says what is wrong -------------------------------- */

/* A folder, or a file in it, that is not there is said the same way by
 * every command (open_parts, say_absent): "DIR: no such run folder", "DIR:
 * not a run folder (...)", "DIR/bench.json: missing". What is wrong inside
 * a file each command says in the words it always has: */

/* A manifest.json (or optional file) that is not JSON. */
enum json_words {
	JSON_TEXT_LINE,   /* "FILE: '[' expected (line 3)" */
	JSON_NOT_VALID,   /* "FILE: not valid JSON (line 3: '[' expected)" */
	JSON_TEXT,        /* "FILE: '[' expected" */
};

static const struct words {
	enum json_words json;
	int says_version;     /* another schema version said with both numbers */
} words_of[] = {
	[FB_RUN_WORDS_REPORT] = { JSON_TEXT_LINE },
	[FB_RUN_WORDS_CLAIMS] = { JSON_NOT_VALID },
	[FB_RUN_WORDS_MATRIX] = { JSON_NOT_VALID },
	[FB_RUN_WORDS_COMPARE] = { JSON_TEXT, .says_version = 1 },
	[FB_RUN_WORDS_LOADER] = { JSON_TEXT },
};

static void say_json(const struct words *w, const char *file, const char *text, int line, char *err, size_t len)
{
	if (w->json == JSON_TEXT_LINE)
		snprintf(err, len, "%s: %s (line %d)", file, text, line);
	else if (w->json == JSON_NOT_VALID)
		snprintf(err, len, "%s: not valid JSON (line %d: %s)", file, line, text);
	else
		snprintf(err, len, "%s: %s", file, text);
}

/* -1 with err when file is not there (never a JSON parser's "line -1");
 * 0 to go on and load it. */
static int say_absent(const char *file, char *err, size_t len)
{
	if (access(file, F_OK) == 0)
		return 0;
	if (errno == ENOENT)
		return snprintf(err, len, "%s: missing", file), -1;
	return snprintf(err, len, "%s: %s", file, strerror(errno)), -1;
}

/* ---- opening ------------------------------------------------------------ */

static json_t *load_json(const struct words *w, const char *file, char *err, size_t len)
{
	json_error_t jerr;
	json_t *json = json_load_file(file, 0, &jerr);

	if (!json)
		say_json(w, file, jerr.text, jerr.line, err, len);
	return json;
}

/* The manifest, and the run's settings typed. One schema version has been
 * written so far (FB_SCHEMA_VERSION): a manifest of another is refused
 * here; an older version, when there is one, is brought up to date here and
 * nowhere else. Runs of version 1 made before an item existed lack it:
 * run_config.c reads their settings ("" when not recorded) and
 * fb_manifest_number their kernel settings recorded as text. */
static int open_manifest(struct fb_run *run, unsigned flags, const struct words *w, char *err, size_t len)
{
	const json_t *version;
	char why[200];

	snprintf(run->manifest_path, sizeof(run->manifest_path), "%s/manifest.json", run->path);
	if (say_absent(run->manifest_path, err, len))
		return -1;
	if (!(run->manifest = load_json(w, run->manifest_path, err, len)))
		return -1;
	version = json_object_get(run->manifest, "schema_version");
	if (w->says_version && json_is_integer(version) && json_integer_value(version) != FB_SCHEMA_VERSION)
		return snprintf(err, len, "%s: schema version %lld, this forkbench reads version %d", run->manifest_path,
				(long long)json_integer_value(version), FB_SCHEMA_VERSION), -1;
	if (!(flags & FB_RUN_UNCHECKED) &&
	    fb_manifest_check(run->manifest, (flags & FB_RUN_CONFIG) != 0, why, sizeof(why)))
		return snprintf(err, len, "%s: %s", run->manifest_path, why), -1;
	run->run_id = json_string_value(json_object_get(run->manifest, "run_id"));
	run->config_ok = fb_run_config_from_json(json_object_get(run->manifest, "config"), &run->config,
						 run->config_err, sizeof(run->config_err)) == 0;
	if (run->config_ok)
		run->config_err[0] = '\0';
	return 0;
}

static int open_results(struct fb_run *run, const char *file, char *err, size_t len)
{
	if (say_absent(file, err, len))
		return -1;
	return fb_results_load(file, &run->results, err, len);
}

/* hyperfine.json, perf-stat.json and phases.json when present: each is tried, the last
 * one that cannot be read is said. */
static int open_external(struct fb_run *run, const struct words *w, char *err, size_t len)
{
	static const struct {
		const char *name;
		size_t offset;
	} files[] = {
		{ "hyperfine.json", offsetof(struct fb_run, hyperfine) },
		{ "perf-stat.json", offsetof(struct fb_run, perf) },
		{ "phases.json", offsetof(struct fb_run, phases) },
	};
	char file[PATH_MAX + 32];
	int rc = 0;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		json_t **slot = (json_t **)((char *)run + files[i].offset);
		snprintf(file, sizeof(file), "%s/%s", run->path, files[i].name);
		if (access(file, F_OK) == 0 && !(*slot = load_json(w, file, err, len)))
			rc = -1;
	}
	return rc;
}

/* Is the path a run folder at all? Said the same way for every command:
 * 0, 1 when it is a bench.json a command takes (FB_RUN_BENCH_FILE), or -1
 * with err. */
static int say_folder(const struct fb_run *run, unsigned flags, char *err, size_t len)
{
	char manifest[PATH_MAX + 16], bench[PATH_MAX + 16];
	struct stat st;

	if (stat(run->path, &st)) {
		if (errno != ENOENT && errno != ENOTDIR)
			return snprintf(err, len, "%s: %s", run->path, strerror(errno)), -1;
		return snprintf(err, len, "%s: no such run folder%s", run->path,
				flags & FB_RUN_BENCH_FILE ? " or bench.json" : ""), -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (flags & FB_RUN_BENCH_FILE)
			return 1;
		return snprintf(err, len, "%s: not a run folder (not a directory)", run->path), -1;
	}
	/* either file there: a run folder, of which one file may be missing */
	snprintf(manifest, sizeof(manifest), "%s/manifest.json", run->path);
	snprintf(bench, sizeof(bench), "%s/bench.json", run->path);
	if (access(manifest, F_OK) && errno == ENOENT && access(bench, F_OK) && errno == ENOENT)
		return snprintf(err, len, "%s: not a run folder (no manifest.json, no bench.json in it)", run->path), -1;
	return 0;
}

/* The folder's parts in the order the commands always read them: the
 * manifest, bench.json, the optional files. */
static int open_parts(struct fb_run *run, unsigned flags, const struct words *w, char *err, size_t len)
{
	char file[PATH_MAX + 16];
	int folder = say_folder(run, flags, err, len);

	if (folder)
		return folder < 0 ? -1 : fb_results_load(run->path, &run->results, err, len);
	if ((flags & (FB_RUN_MANIFEST | FB_RUN_CONFIG | FB_RUN_UNCHECKED)) && open_manifest(run, flags, w, err, len))
		return -1;
	snprintf(file, sizeof(file), "%s/bench.json", run->path);
	if ((flags & FB_RUN_RESULTS) && open_results(run, file, err, len))
		return -1;
	return flags & FB_RUN_EXTERNAL ? open_external(run, w, err, len) : 0;
}

struct fb_run *fb_run_open(const char *path, unsigned flags, enum fb_run_words words, char *err, size_t len)
{
	struct fb_run *run = calloc(1, sizeof(*run));

	if (!run)
		return snprintf(err, len, "%s: out of memory", path), NULL;
	snprintf(run->path, sizeof(run->path), "%s", path);
	if (open_parts(run, flags, &words_of[words], err, len)) {
		fb_run_close(run);
		return NULL;
	}
	return run;
}

void fb_run_close(struct fb_run *run)
{
	if (!run)
		return;
	json_decref(run->manifest);
	json_decref(run->hyperfine);
	json_decref(run->phases);
	json_decref(run->perf);
	fb_results_free(&run->results);
	free(run);
}

/* ---- the environment ----------------------------------------------------- */

/* Each item: where "environment" keeps it, what it is called, whether it
 * makes another machine, whether the report's Environment table shows it
 * (in this order). Labels differ where a command has always said them
 * otherwise: its output stays the same. */
const struct fb_env_field_row fb_env_fields[FB_ENV_COUNT] = {
	[FB_ENV_KERNEL] = { "versions.kernel", "kernel", .machine = 1, .report = 1 },
	[FB_ENV_DISTRIBUTION] = { "versions.distribution", "distribution", .report = 1 },
	[FB_ENV_CPU_MODEL] = { "cpu.model", "CPU", .label_compare = "CPU model", .machine = 1, .report = 1 },
	[FB_ENV_THP_ENABLED] = { "kernel_settings.thp_enabled", "THP enabled", .label_matrix = "THP", .report = 1 },
	[FB_ENV_THP_DEFRAG] = { "kernel_settings.thp_defrag", "THP defrag", .report = 1 },
	[FB_ENV_ASLR] = { "kernel_settings.aslr", "ASLR", .report = 1 },
	[FB_ENV_PERF_PARANOID] = { "kernel_settings.perf_event_paranoid", "perf_event_paranoid", .report = 1 },
	[FB_ENV_PID_MAX] = { "kernel_settings.pid_max", "pid_max", .report = 1 },
	[FB_ENV_THREADS_MAX] = { "kernel_settings.threads_max", "threads-max", .report = 1 },
	/* /proc/loadavg's line as text: "0.52 0.48 0.50 1/234 5678" */
	[FB_ENV_LOADAVG] = { "kernel_settings.loadavg", "load average at start", .report = 1 },
	[FB_ENV_VENDOR] = { "kernel_settings.sys_vendor", "vendor", .report = 1 },
	[FB_ENV_DAMON_KDAMONDS_ON] = { "conditions.damon.kdamonds_on", "DAMON kdamonds running", .report = 1 },
	[FB_ENV_DAMON_SCHEMES] = { "conditions.damon.scheme_actions", "DAMON schemes", .report = 1 },
	[FB_ENV_DAMON_THREADS] = { "conditions.damon.kdamond_threads", "DAMON kdamond threads", .report = 1 },
	[FB_ENV_KHUGEPAGED_PAGES] = { "conditions.khugepaged_pages_to_scan", "khugepaged pages per scan", .report = 1 },
	[FB_ENV_KHUGEPAGED_SLEEP_MS] = { "conditions.khugepaged_scan_sleep_ms", "khugepaged scan sleep, ms",
					 .report = 1 },
	[FB_ENV_KHUGEPAGED_DEFRAG] = { "conditions.khugepaged_defrag", "khugepaged defrag", .report = 1 },
	[FB_ENV_KHUGEPAGED_PTES_NONE] = { "conditions.khugepaged_max_ptes_none", "khugepaged max_ptes_none",
					  .report = 1 },
	[FB_ENV_KSM_RUN] = { "conditions.ksm_run", "KSM run", .report = 1 },
	[FB_ENV_SWAP_KIB] = { "conditions.swap.total_kib", "swap, KiB", .report = 1 },
	[FB_ENV_SWAP_USED_KIB] = { "conditions.swap.used_kib", "swap used, KiB", .report = 1 },
	[FB_ENV_ZSWAP] = { "conditions.zswap_enabled", "zswap", .report = 1 },
	[FB_ENV_NUMA_BALANCING] = { "conditions.numa_balancing", "NUMA balancing", .report = 1 },
	[FB_ENV_NUMA_NODES] = { "conditions.numa_nodes", "NUMA nodes", .report = 1 },
	[FB_ENV_SMT_ACTIVE] = { "conditions.smt_active", "SMT active", .report = 1 },
	[FB_ENV_CMDLINE] = { "conditions.kernel_cmdline.line", "kernel command line", .report = 1 },
	[FB_ENV_AFFINITY_CPUS] = { "conditions.affinity.cpus", "CPU affinity", .report = 1 },
	[FB_ENV_AFFINITY_COUNT] = { "conditions.affinity.count", "CPUs in the affinity", .report = 1 },
	[FB_ENV_CGROUP] = { "conditions.cgroup", "cgroup limits", .report = 1 },
	/* recorded after the run, not before it like the others */
	[FB_ENV_STEAL_PCT] = { "during_run.steal_pct", "steal during the run, %", .report = 1 },
	[FB_ENV_COMPILER] = { "versions.compiler", "compiler", .report = 1 },
	[FB_ENV_GLIBC] = { "versions.glibc", "glibc", .report = 1 },
	[FB_ENV_GOOGLE_BENCHMARK] = { "versions.google_benchmark", "Google Benchmark", .report = 1 },
	[FB_ENV_GIT_REVISION] = { "git.revision", "git revision", .report = 1 },
	/* the report says these in rows of their own ("cores", "uncommitted changes") */
	[FB_ENV_CORES] = { "cpu.cores_online", "cores", .label_compare = "cores online", .machine = 1 },
	[FB_ENV_HYPERVISOR] = { "cpu.hypervisor", "hypervisor", .machine = 1 },
	[FB_ENV_ARCH] = { "versions.machine", "architecture", .machine = 1 },
	/* a few MiB of MemTotal move with kernel reservations: compare says whole GiB */
	[FB_ENV_MEM_TOTAL_KIB] = { "limits.mem_total_kib", "memory, KiB", .label_compare = "memory (GiB)", .machine = 1 },
	[FB_ENV_LOADAVG_1MIN] = { "kernel_settings.loadavg_1min", "1-minute load average" },
	[FB_ENV_GOVERNOR] = { "kernel_settings.governor", "CPU frequency governor" },
	[FB_ENV_NO_TURBO] = { "kernel_settings.no_turbo", "turbo boost off" },
	[FB_ENV_GIT_DIRTY] = { "git.dirty", "uncommitted changes" },
	[FB_ENV_DAMON] = { "conditions.damon", "DAMON" },
	[FB_ENV_CMDLINE_PARAMS] = { "conditions.kernel_cmdline.params", "kernel command line parameters" },
};

const json_t *fb_env_get(const json_t *environment, enum fb_env_field field)
{
	const char *at = fb_env_fields[field].path;
	const json_t *v = at ? environment : NULL;

	while (v && *at) {
		size_t n = strcspn(at, ".");
		v = json_object_getn(v, at, n);
		at += n + (at[n] == '.');
	}
	return v;
}

const json_t *fb_run_env(const json_t *manifest, enum fb_env_field field)
{
	return fb_env_get(json_object_get(manifest, "environment"), field);
}

const char *fb_env_label_compare(enum fb_env_field field)
{
	return fb_env_fields[field].label_compare ? fb_env_fields[field].label_compare : fb_env_fields[field].label;
}

const char *fb_env_label_matrix(enum fb_env_field field)
{
	return fb_env_fields[field].label_matrix ? fb_env_fields[field].label_matrix : fb_env_fields[field].label;
}
