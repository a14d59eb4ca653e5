/* test_run.c - `forkbench run` end to end: a new run folder with a valid
 * manifest.json and a bench.json with a row for every case x size x mode,
 * none failed, and a recorded skip or no-resource only where this test sees
 * the reason itself (a kernel call missing, THP off, a limit too low, one
 * CPU); an impossible size refused with status 2, one stderr line and no
 * folder; Ctrl-C leaves no folder, no temp folder and no process. */
#define _GNU_SOURCE
#include <sched.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "benchkey.h"
#include "check.h"
#include "probe.h"
#include "commands.h"
#include "family.h"
#include "results.h"
#include "testutil.h"
#include "files.h"

static char build[PATH_MAX];

/* Run forkbench with args in its own process group; stderr into err_path.
 * When interrupt_after_ms > 0, send SIGINT to the group after that long. */
static int run_forkbench(const char *const *args, const char *err_path, int interrupt_after_ms)
{
	char bin[PATH_MAX + 16];
	const char *argv[24] = { bin };
	posix_spawnattr_t attr;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status, n = 1;

	snprintf(bin, sizeof(bin), "%s/forkbench", build);
	while (args[n - 1] && n < 23)
		argv[n] = args[n - 1], n++;
	argv[n] = NULL;
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int err = posix_spawn(&pid, bin, &fa, &attr, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (err)
		return -1;
	if (interrupt_after_ms > 0) {
		struct timespec ts = { interrupt_after_ms / 1000, (interrupt_after_ms % 1000) * 1000000L };
		nanosleep(&ts, NULL);
		kill(-pid, SIGINT);   /* as a terminal's Ctrl-C: the whole group */
	}
	waitpid(pid, &status, 0);
	/* Whatever the group held must be gone (give PDEATHSIG a moment). */
	for (int i = 0; i < 50 && kill(-pid, 0) == 0; i++)
		usleep(20000);
	if (kill(-pid, 0) == 0)
		return -2;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Folder entries of dir: run folders (into first) and temp folders. */
static int count_entries(const char *dir, char *first, size_t len, int *temps)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int runs = 0;

	*temps = 0;
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, ".incomplete", 11) == 0)
			(*temps)++;
		else if (e->d_name[0] != '.' && runs++ == 0)
			snprintf(first, len, "%s/%s", dir, e->d_name);
	}
	if (d)
		closedir(d);
	return runs;
}

/* What became of a benchmark in bench.json, from its row as bench/main.c
 * writes it: a time, or an error_message (Google Benchmark 1.8+ may write
 * a skip as skipped + skip_message) that starts "skipped: " or
 * "no-resource: "; any other message, or no time, is a failure. In order
 * of severity: of several rows of one name the worst counts. */
enum row_outcome { ROW_MISSING, ROW_RAN, ROW_SKIPPED, ROW_NO_RESOURCE, ROW_FAILED };

static enum row_outcome row_outcome(json_t *row, const char **message)
{
	const char *error = json_string_value(json_object_get(row, "error_message"));
	const char *skip = json_string_value(json_object_get(row, "skip_message"));

	*message = "";
	if (json_is_true(json_object_get(row, "error_occurred")) || (json_is_true(json_object_get(row, "skipped")) && skip)) {
		*message = json_is_true(json_object_get(row, "error_occurred")) ? (error ? error : "(no message)") : skip;
		return strncmp(*message, "skipped: ", 9) == 0 ? ROW_SKIPPED :
		       strncmp(*message, "no-resource: ", 13) == 0 ? ROW_NO_RESOURCE : ROW_FAILED;
	}
	if (json_is_number(json_object_get(row, "real_time")))
		return ROW_RAN;
	*message = "no real_time and no error_message";
	return ROW_FAILED;
}

static enum row_outcome find_outcome(json_t *benchmarks, const char *name, const char **message)
{
	enum row_outcome worst = ROW_MISSING;
	size_t i;
	json_t *row;

	*message = "";
	json_array_foreach(benchmarks, i, row) {
		const char *n = json_string_value(json_object_get(row, "run_name")), *m;
		char base[256];
		if (!n)
			continue;
		fb_results_base_name(n, base, sizeof(base));
		enum row_outcome o = strcmp(base, name) ? ROW_MISSING : row_outcome(row, &m);
		if (o > worst)
			worst = o, *message = m;
	}
	return worst;
}

/* --- why a row may skip here, as this test sees it itself ----------------- */

/* One point of the sweep: family, case, the value on its own axis (0:
 * none) and the page mode. */
struct point {
	const char *family;
	const struct fb_case *k;
	long value;
	const char *mode;
};

static int cpus_here(void)
{
	cpu_set_t mask;
	return sched_getaffinity(0, sizeof(mask), &mask) ? 1 : CPU_COUNT(&mask);
}

static int thp_off(const struct point *p)
{
	char line[128] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	int never = !f || !fgets(line, sizeof(line), f) || strstr(line, "[never]");

	if (f)
		fclose(f);
	return strcmp(p->mode, "thp") == 0 && (never || prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) == 1);
}

static int no_clone3(const struct point *p)
{
	(void)p;
	return !probe_have_clone3();
}

static int no_pidfd_calls(const struct point *p)
{
	(void)p;
	return !probe_have_pidfd_calls();
}

static int old_glibc(const struct point *p)
{
	(void)p;
	return !__GLIBC_PREREQ(2, 39);
}

static int one_cpu_for_two(const struct point *p)
{
	return p->value == 2 && cpus_here() < 2;
}

static int one_cpu(const struct point *p)
{
	(void)p;
	return cpus_here() < 2;
}

static int forkers_above_twice_cpus(const struct point *p)
{
	return p->value > 2L * cpus_here();
}

/* A burst of N threads asks for RLIMIT_NPROC and kernel.threads-max each
 * at least 2N. */
static int no_room_for_burst(const struct point *p)
{
	return !probe_room_for_threads(p->k->param);
}

static int not_x86_64(const struct point *p)
{
	(void)p;
#ifdef __x86_64__
	return 0;
#else
	return 1;
#endif
}

/* N more fds beside the worker's own (well under 1024) above the hard
 * RLIMIT_NOFILE, which the worker inherits from us. */
static int nofile_short(const struct point *p)
{
	struct rlimit nofile;
	return getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_max != RLIM_INFINITY &&
	       nofile.rlim_max < (rlim_t)p->value + 1024;
}

/* N more VMAs beside the worker's own (well under 1024) above
 * vm.max_map_count. */
static int map_count_short(const struct point *p)
{
	long max_map_count = probe_proc_number("/proc/sys/vm/max_map_count");

	return max_map_count >= 0 && max_map_count < p->value + 1024;
}

/* close_range on a descriptor of our own: ENOSYS before Linux 5.9. */
static int no_close_range(const struct point *p)
{
	int fd = dup(2);
	int failed = fd >= 0 && syscall(SYS_close_range, (unsigned)fd, (unsigned)fd, 0) != 0, missing = failed && errno == ENOSYS;

	(void)p;
	if (failed)
		close(fd);
	return missing;
}

/* The rows that may skip (or be no-resource): family (NULL: any), a part
 * of the case's name (NULL: any), the outcome, the condition this test
 * checks, and a word the row's message must hold (NULL: no one word). No
 * case needs root. */
static const struct allowed_skip {
	const char *family, *kase;
	enum row_outcome outcome;
	int (*holds)(const struct point *p);
	const char *word;
} allowed_skips[] = {
	{ NULL, NULL, ROW_SKIPPED, thp_off, NULL },
	{ "spawn", "clone3", ROW_SKIPPED, no_clone3, "does not implement" },
	{ "spawn", "pidfd", ROW_SKIPPED, no_pidfd_calls, "kernel" },
	{ "spawn", "pidfd_spawn", ROW_SKIPPED, old_glibc, "2.39" },
	{ "switch", NULL, ROW_SKIPPED, one_cpu_for_two, "only one CPU" },
	{ "storm", "parallel_fork", ROW_SKIPPED, forkers_above_twice_cpus, "CPU" },
	{ "storm", "fork_while_faulting", ROW_SKIPPED, one_cpu, "CPU" },
	{ "threads", "burst_", ROW_SKIPPED, no_room_for_burst, NULL },
	{ "threads", "bare_", ROW_SKIPPED, not_x86_64, "x86-64" },
	{ "shape", "fork_exec_fds", ROW_NO_RESOURCE, nofile_short, "RLIMIT_NOFILE" },
	{ "shape", "close_range", ROW_SKIPPED, no_close_range, "close_range" },
	{ "shape", "fork_vmas", ROW_NO_RESOURCE, map_count_short, "max_map_count" },
};

static int skip_expected(const struct point *p, enum row_outcome outcome, const char *message)
{
	for (size_t i = 0; i < sizeof(allowed_skips) / sizeof(allowed_skips[0]); i++) {
		const struct allowed_skip *a = &allowed_skips[i];
		if ((!a->family || strcmp(a->family, p->family) == 0) && (!a->kase || strstr(p->k->name, a->kase)) &&
		    a->outcome == outcome && a->holds(p) && (!a->word || strstr(message, a->word)))
			return 1;
	}
	return 0;
}

/* --- coverage ------------------------------------------------------------- */

/* What the sweep's rows came to; the lists name rows (bounded). */
struct coverage {
	int expected, missing, failed, skipped_here, unexpected;
	char missing_rows[512], failed_rows[2048], unexpected_rows[2048], skipped_rows[1024];
};

static void note(char *list, size_t len, const char *name, const char *message)
{
	size_t used = strlen(list);
	if (used + 8 < len)
		snprintf(list + used, len - used, "%s%s%s%s", used ? "; " : "", name, *message ? ": " : "", message);
}

static void tally(struct coverage *c, const struct point *p, const char *name, json_t *list)
{
	const char *message;
	enum row_outcome o = find_outcome(list, name, &message);

	c->expected++;
	if (o == ROW_MISSING)
		c->missing++, note(c->missing_rows, sizeof(c->missing_rows), name, "");
	else if (o == ROW_FAILED)
		c->failed++, note(c->failed_rows, sizeof(c->failed_rows), name, message);
	else if (o != ROW_RAN && skip_expected(p, o, message))
		c->skipped_here++, note(c->skipped_rows, sizeof(c->skipped_rows), name, message);
	else if (o != ROW_RAN)
		c->unexpected++, note(c->unexpected_rows, sizeof(c->unexpected_rows), name, message);
}

/* One case at one value of its own axis (0: none), every size and mode. */
static void cover_case(json_t *list, const char *family, const struct fb_case *k, long value, struct coverage *c)
{
	static const char *const modes[] = { "4k", "thp" };
	static const int sizes[] = { 0, 1 };
	char name[FB_KEY_NAME_MAX];

	for (int m = 0; m < 2; m++)
		for (int s = 0; s < 2; s++) {
			if ((m && !(k->axes & FB_AXIS_MODE)) || (s && !(k->axes & FB_AXIS_MEM)) ||
			    (!s && (k->axes & FB_AXIS_NO_ZERO)))
				continue;
			struct fb_bench_key key = { .mem_mib = sizes[s] };
			struct point p = { family, k, value, modes[m] };
			snprintf(key.family, sizeof(key.family), "%s", family);
			snprintf(key.mode, sizeof(key.mode), "%s", modes[m]);
			fb_key_set_case(&key, k->name, k->axis ? k->axis->name : NULL, value);
			fb_key_format(&key, name, sizeof(name));
			tally(c, &p, name, list);
		}
}

/* Every case x size x mode, and every value of a case's own axis in the
 * short sweep (the default), has a row; none failed; a row skips or lacks
 * a resource only where this test sees why itself. */
static void check_coverage(json_t *bench)
{
	json_t *list = json_object_get(bench, "benchmarks");
	static struct coverage c;

	memset(&c, 0, sizeof(c));
	for (int f = 0; fb_families[f]; f++)
		for (size_t i = 0; i < fb_families[f]->ncases; i++) {
			const struct fb_case *k = &fb_families[f]->cases[i];
			for (size_t v = 0; k->axis && v < FB_AXIS_MAX_VALUES && k->axis->values[v]; v++)
				if (k->axis->values[v] <= k->axis->short_max)
					cover_case(list, fb_families[f]->name, k, k->axis->values[v], &c);
			if (!k->axis)
				cover_case(list, fb_families[f]->name, k, 0, &c);
		}
	CHECK(c.expected > 0 && c.missing == 0, "bench.json has a row for every case x size x mode",
	      "%d of %d missing: %s", c.missing, c.expected, c.missing_rows);
	CHECK(c.failed == 0, "no row of bench.json failed (a message neither 'skipped: ' nor 'no-resource: ')",
	      "%d of %d failed: %s", c.failed, c.expected, c.failed_rows);
	CHECK(c.unexpected == 0, "a row skips or is no-resource only where this test sees why itself",
	      "%d of %d unexpected: %s", c.unexpected, c.expected, c.unexpected_rows);
	if (c.skipped_here)
		printf("# %d rows skipped for a reason this test sees: %s\n", c.skipped_here, c.skipped_rows);
}

static void check_run_folder(const char *run)
{
	char path[PATH_MAX + 32];
	json_error_t jerr;

	snprintf(path, sizeof(path), "%s/manifest.json", run);
	json_t *m = json_load_file(path, 0, &jerr);
	json_t *cfg = json_object_get(m, "config");
	const char *cpus = json_string_value(json_object_get(cfg, "cpus"));
	cpu_set_t allowed;
	int last = -1;
	sched_getaffinity(0, sizeof(allowed), &allowed);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &allowed))
			last = c;
	CHECK(m && cpus && atoi(cpus) == last && strcmp(json_string_value(json_object_get(cfg, "placement")), "one-cpu") == 0,
	      "default placement: one CPU, the last allowed, recorded", "cpus %s, last allowed %d", cpus ? cpus : "null", last);
	CHECK(m && json_integer_value(json_object_get(m, "schema_version")) == 1 &&
	      json_is_string(json_object_get(json_object_get(json_object_get(m, "environment"), "versions"), "kernel")) &&
	      json_array_size(json_object_get(json_object_get(m, "config"), "command_line")) > 1,
	      "manifest.json: schema 1, kernel, command line", "%s", m ? "fields missing" : jerr.text);
	json_decref(m);
	snprintf(path, sizeof(path), "%s/bench.json", run);
	json_t *b = json_load_file(path, 0, &jerr);
	CHECK(b && json_is_array(json_object_get(b, "benchmarks")), "bench.json is Google Benchmark JSON",
	      "%s", b ? "no benchmarks array" : jerr.text);
	if (b)
		check_coverage(b);
	json_decref(b);
}

/* Our probe: tracefs writable by this uid, or root able to mount it where
 * nothing did (the run mounts it then, and unmounts it after). */
static int tracefs_usable(void)
{
	if (access("/sys/kernel/tracing/instances", W_OK) == 0)
		return 1;
	if (geteuid() != 0 || access("/sys/kernel/tracing/instances", F_OK) == 0 ||
	    mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL))
		return 0;
	umount2("/sys/kernel/tracing", MNT_DETACH);
	return 1;
}

/* The quick profile traces vfork at 0 MiB (bench/phase_trace.c): where
 * this uid may use tracefs (tracefs_usable), phases.json holds its whole round trips, their phases and a
 * trace span within 10% of the worker's own round trip; elsewhere it says
 * why, and the run is whole all the same. */
static void check_phases(const char *dir, const json_t *manifest)
{
	char path[PATH_MAX + 48];
	json_t *j, *vfork = NULL, *b;
	size_t i;

	snprintf(path, sizeof(path), "%s/phases.json", dir);
	j = json_load_file(path, 0, NULL);
	json_array_foreach(json_object_get(j, "benchmarks"), i, b)
		if (!strcmp(json_string_value(json_object_get(b, "name")) ?: "", "spawn/vfork/mem_mib:0/mode:4k"))
			vfork = b;
	const char *trace = json_string_value(json_object_get(json_object_get(manifest, "config"), "trace"));
	int may = tracefs_usable();
	if (!j || !trace || strcmp(trace, "few")) {
		BROKEN("phases: the quick profile traces vfork at 0 MiB", "phases.json %s, config trace %s",
		       j ? "read" : "missing", trace ? trace : "missing");
	} else if (!may) {
		const char *why = json_string_value(json_object_get(j, "why"));
		CHECK(!json_is_true(json_object_get(j, "allowed")) && why && *why && !vfork,
		      "phases: tracefs not writable here, and phases.json says why", "why: %s", why ? why : "none");
	} else {
		double span = json_number_value(json_object_get(vfork, "span_us")),
		       traced = json_number_value(json_object_get(vfork, "traced_us"));
		json_int_t ran = json_integer_value(json_object_get(vfork, "ran"));
		CHECK(vfork && json_is_null(json_object_get(vfork, "error")) && ran > 0 &&
		      json_integer_value(json_object_get(vfork, "complete")) == ran &&
		      json_array_size(json_object_get(vfork, "phases")) >= 5 && fabs(span / traced - 1) <= 0.10,
		      "phases: vfork at 0 MiB traced whole, its span within 10% of the worker's round trip",
		      "%s: ran %lld, span %.1f us, worker %.1f us", vfork ? "found" : "not in phases.json", (long long)ran,
		      span, traced);
	}
	json_decref(j);
}

/* The quick profile's sweep stops the cow family at 64 MiB (256 for the
 * others), records the limit, and the report's reproduce command repeats it. */
static void check_family_limit(const char *results, const char *err_path)
{
	char dir[PATH_MAX + 16], path[PATH_MAX + 48];
	const char *args[] = { "run", "--profile", "quick", "--filter", "^(cow/child_read_only|spawn/vfork)/", "--modes",
			       "4k", "--repetitions", "3", "--min-time", "0.001", "--out", dir, NULL };
	struct fb_results res;
	char err[PATH_MAX + 128];
	int cow[2] = { 0, 0 }, vfork_256 = 0, not_ok = 0;

	snprintf(dir, sizeof(dir), "%s-limit", results);
	int rc = run_forkbench(args, err_path, 0);
	snprintf(path, sizeof(path), "%s/bench.json", dir);
	int loaded = rc == 0 && fb_results_load(path, &res, err, sizeof(err)) == 0;
	for (size_t i = 0; loaded && i < res.count; i++) {
		const struct fb_bench_key *k = &res.items[i].key;
		if (strcmp(k->family, "cow") == 0)
			cow[k->mem_mib > 64]++;
		vfork_256 += strcmp(k->kase, "vfork") == 0 && k->mem_mib == 256;
		not_ok += res.items[i].outcome != FB_OUTCOME_OK;   /* these two cases need nothing to run */
	}
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	json_t *m = json_load_file(path, 0, NULL);
	const char *limit = json_string_value(json_object_get(json_object_get(m, "config"), "family_max_mib"));
	snprintf(path, sizeof(path), "%s/report.md", dir);
	char *report = fb_slurp(path, 1 << 22);
	CHECK(loaded && cow[0] == 3 && cow[1] == 0 && vfork_256 == 1 && not_ok == 0 && limit &&
	      strcmp(limit, "cow:64,storm:64") == 0 && report && strstr(report, "--family-max cow:64,storm:64") &&
	      strstr(report, "--sweep short"),
	      "quick profile: cow to 64 MiB, spawn to 256, every row ran, the limits and the short sweep in the manifest "
	      "and the reproduce command",
	      "exit %d, cow rows %d up to 64 and %d above, vfork at 256: %d, %d rows did not run, limit %s", rc, cow[0],
	      cow[1], vfork_256, not_ok, limit ? limit : "none");
	/* With repetitions, Google Benchmark writes NaN (the CV of a constant
	 * counter): the run's copy must still load in a strict parser (jansson). */
	snprintf(path, sizeof(path), "%s/bench.json", dir);
	json_error_t jerr;
	json_t *strict = json_load_file(path, 0, &jerr);
	json_t *context = json_object_get(strict, "context");
	const char *version = json_string_value(json_object_get(context, "forkbench_version"));
	const char *profile = json_string_value(json_object_get(context, "profile"));
	CHECK(strict && version && strcmp(version, FB_VERSION) == 0 && profile && strcmp(profile, "quick") == 0 &&
	      json_is_string(json_object_get(context, "git_revision")) && json_is_string(json_object_get(context, "sizes_mib")),
	      "bench.json is strict JSON, its context names forkbench's version, revision, profile and sizes",
	      "%s", strict ? "context fields missing" : jerr.text);
	json_decref(strict);
	check_phases(dir, m);
	if (loaded)
		fb_results_free(&res);
	json_decref(m);
	free(report);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path))
		return;
}

/* A second run in the same results folder: its drift.json names the first
 * run (same machine and placement, minutes old) with the first run's own
 * bare-loop median, and its report says D read it. */
static void check_drift_history(const char *results, const char *first, const char *err_path)
{
	char dir[PATH_MAX + 16], path[PATH_MAX + 48], err[PATH_MAX + 128], name[FB_KEY_NAME_MAX];
	const char *args[] = { "run", "--filter", "^calibrate/bare_", "--repetitions", "3", "--min-time", "0.002",
			       "--no-trace", "--out", dir, NULL };
	const struct fb_bench_key bare = FB_KEY0("calibrate", "bare_fork");
	struct fb_results res;
	double median = NAN;

	snprintf(dir, sizeof(dir), "%s/second", results);
	int rc = run_forkbench(args, err_path, 0);
	snprintf(path, sizeof(path), "%s/bench.json", first);
	if (fb_results_load(path, &res, err, sizeof(err)) == 0) {
		median = fb_result_median_ns(fb_results_get(&res, &bare));
		fb_results_free(&res);
	}
	snprintf(path, sizeof(path), "%s/drift.json", dir);
	json_t *doc = json_load_file(path, 0, NULL);
	json_t *entry = json_array_get(json_object_get(doc, "runs"), 0);
	const char *id = json_string_value(json_object_get(entry, "run_id"));
	double recorded = json_number_value(json_object_get(entry, fb_key_format(&bare, name, sizeof(name))));
	snprintf(path, sizeof(path), "%s/report.md", dir);
	char *report = fb_slurp(path, 1 << 22);
	CHECK(rc == 0 && json_array_size(json_object_get(doc, "runs")) == 1 && id && strcmp(id, strrchr(first, '/') + 1) == 0 &&
	      median > 0 && recorded == median && report && strstr(report, "named in drift.json"),
	      "a second run's drift.json names the first run with its bare fork median, and its report reads it",
	      "exit %d, %zu runs, id %s, median %g recorded %g, report %s", rc, json_array_size(json_object_get(doc, "runs")),
	      id ? id : "none", median, recorded, report && strstr(report, "named in drift.json") ? "reads it" : "does not");
	json_decref(doc);
	snprintf(path, sizeof(path), "%s/phases.json", dir);
	doc = json_load_file(path, 0, NULL);
	const char *why = json_string_value(json_object_get(doc, "why"));
	CHECK(doc && !json_is_true(json_object_get(doc, "allowed")) && why && strstr(why, "--no-trace") &&
	      json_array_size(json_object_get(doc, "benchmarks")) == 0 && report &&
	      strstr(report, "Not traced: turned off"),
	      "--no-trace: phases.json and the report say tracing was turned off", "why: %s", why ? why : "none");
	json_decref(doc);
	free(report);
}

int main(void)
{
	char results[] = "/tmp/fb-test-run-XXXXXX", err_path[PATH_MAX], run[PATH_MAX];
	int temps;

	setvbuf(stdout, NULL, _IOLBF, 0);
	build_dir(build, sizeof(build));
	if (!mkdtemp(results))
		return 1;
	snprintf(err_path, sizeof(err_path), "%s.stderr", results);

	const char *huge[] = { "run", "--max-mem", "100000000", "--results", results, NULL };
	int rc = run_forkbench(huge, err_path, 0);
	CHECK(rc == 2 && count_lines(err_path) == 1, "impossible size: exit 2 and one stderr line",
	      "exit %d, %d lines", rc, count_lines(err_path));
	CHECK(count_entries(results, run, sizeof(run), &temps) == 0 && temps == 0,
	      "impossible size: no run folder, no temp folder", "%d temps", temps);

	const char *placement[] = { "run", "--placement", "everywhere", "--results", results, NULL };
	rc = run_forkbench(placement, err_path, 0);
	CHECK(rc == 2 && count_lines(err_path) == 1 && count_entries(results, run, sizeof(run), &temps) == 0,
	      "unknown --placement: exit 2, one stderr line, nothing written", "exit %d, %d lines", rc,
	      count_lines(err_path));

	const char *quick[] = { "run", "--profile", "quick", "--max-mem", "1", "--repetitions", "1",
				"--min-time", "0.002", "--results", results, NULL };
	rc = run_forkbench(quick, err_path, 0);
	CHECK(rc == 0, "quick run at 0 and 1 MiB exits 0", "exit %d (see %s)", rc, err_path);
	CHECK(count_entries(results, run, sizeof(run), &temps) == 1 && temps == 0,
	      "one new run folder, no temp folder left", "temps %d", temps);
	check_run_folder(run);

	const char *family[] = { "run", "--family-max", "nosuch:1", "--results", results, NULL };
	rc = run_forkbench(family, err_path, 0);
	CHECK(rc == 2 && count_lines(err_path) == 1 && count_entries(results, run, sizeof(run), &temps) == 1,
	      "--family-max naming no family: exit 2, one stderr line, nothing written", "exit %d, %d lines", rc,
	      count_lines(err_path));
	check_family_limit(results, err_path);

	/* Long enough (2 s per repetition) to be interrupted in the middle. */
	const char *slow[] = { "run", "--max-mem", "1", "--min-time", "2", "--results", results, NULL };
	rc = run_forkbench(slow, err_path, 1500);
	int runs = count_entries(results, run, sizeof(run), &temps);
	CHECK(rc == 130 && runs == 1 && temps == 0, "Ctrl-C: status 130, no new or temp folder, no process left",
	      "exit %d, %d run folders, %d temps", rc, runs, temps);
	CHECK(count_zombie_children(getpid()) == 0, "no zombie left", "zombies");
	check_drift_history(results, run, err_path);

	char cmd[PATH_MAX * 2];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", results, err_path);
	return system(cmd) == 0 ? check_done() : 1;
}
