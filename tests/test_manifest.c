/* test_manifest.c - the environment a run records, read back against the
 * machine itself (os-release, settings as numbers, DAMON from sysfs and
 * /proc, the CPU affinity); the warnings syscheck.c gives for synthetic
 * environments that trip each condition, and for one that trips none; and
 * the report and claims of an old run whose settings were recorded as text. */
#define _GNU_SOURCE
#include <errno.h>
#include <glob.h>
#include <grp.h>
#include <jansson.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "check.h"
#include "claims.h"
#include "conditions.h"
#include "manifest.h"
#include "syscheck.h"
#include "testutil.h"
#include "files.h"
#include "claims_out.h"

#define NOBODY_UID 65534

static char build[PATH_MAX - 64], tmp[] = "/tmp/fb-test-manifest-XXXXXX";

/* KEY=value of /etc/os-release, one pair of double quotes removed, parsed
 * here independently of manifest.c. */
static int os_release(const char *key, char *buf, size_t len)
{
	FILE *f = fopen("/etc/os-release", "r");
	char line[512];
	size_t n = strlen(key);
	int found = -1;

	while (f && found && fgets(line, sizeof(line), f))
		if (strncmp(line, key, n) == 0 && line[n] == '=') {
			char *v = line + n + 1;
			v[strcspn(v, "\n")] = '\0';
			if (*v == '"' && strlen(v) >= 2)
				v[strlen(v) - 1] = '\0', v++;
			snprintf(buf, len, "%s", v);
			found = 0;
		}
	if (f)
		fclose(f);
	return found;
}

/* MemTotal of /proc/meminfo in KiB, or -1. */
static long long mem_total_kib(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	long long kib = -1;
	char line[256];

	while (f && kib < 0 && fgets(line, sizeof(line), f))
		sscanf(line, "MemTotal: %lld kB", &kib);
	if (f)
		fclose(f);
	return kib;
}

static void check_distribution(const json_t *env)
{
	json_t *versions = json_object_get(env, "versions");
	char expect[512];

	if (os_release("PRETTY_NAME", expect, sizeof(expect))) {
		SKIP("distribution is os-release's PRETTY_NAME, unquoted", "no PRETTY_NAME in /etc/os-release");
		return;
	}
	const char *got = json_string_value(json_object_get(versions, "distribution"));
	CHECK(got && strcmp(got, expect) == 0 && !strchr(got, '"'), "distribution is os-release's PRETTY_NAME, unquoted",
	      "recorded '%s', os-release '%s'", got ? got : "(null)", expect);
	os_release("ID", expect, sizeof(expect));
	got = json_string_value(json_object_get(versions, "distribution_id"));
	CHECK(got && strcmp(got, expect) == 0, "distribution_id is os-release's ID", "recorded '%s', os-release '%s'",
	      got ? got : "(null)", expect);
}

static void check_recorded(const json_t *env)
{
	json_t *settings = json_object_get(env, "kernel_settings"), *limits = json_object_get(env, "limits");
	json_t *affinity = json_object_get(json_object_get(env, "conditions"), "affinity");
	char line[64] = "";

	fb_read_line("/proc/sys/kernel/pid_max", line, sizeof(line));
	json_t *pid_max = json_object_get(settings, "pid_max");
	CHECK(json_is_integer(pid_max) && json_integer_value(pid_max) == atoll(line),
	      "pid_max is a JSON integer equal to /proc/sys/kernel/pid_max", "recorded type %d, /proc %s",
	      json_typeof(pid_max), line);
	json_t *total = json_object_get(limits, "mem_total_kib");
	CHECK(json_is_integer(total) && json_integer_value(total) == mem_total_kib() &&
	      json_is_integer(json_object_get(limits, "mem_available_kib")),
	      "mem_total_kib and mem_available_kib are JSON integers (KiB), MemTotal as /proc/meminfo shows it",
	      "recorded %lld, /proc/meminfo %lld", (long long)json_integer_value(total), mem_total_kib());
	CHECK(json_is_number(json_object_get(settings, "loadavg_1min")) &&
	      json_is_string(json_object_get(settings, "thp_enabled")),
	      "the 1-minute load is a number, the THP mode stays text", "types wrong");
	cpu_set_t set;
	sched_getaffinity(0, sizeof(set), &set);
	CHECK(json_integer_value(json_object_get(affinity, "count")) == CPU_COUNT(&set) &&
	      json_is_string(json_object_get(affinity, "cpus")),
	      "CPU affinity count equals sched_getaffinity's", "recorded %lld, sched_getaffinity %d",
	      (long long)json_integer_value(json_object_get(affinity, "count")), CPU_COUNT(&set));
}

/* Processes named kdamond* now, counted independently of conditions.c. */
static int kdamond_threads(void)
{
	glob_t g;
	char comm[64];
	int n = 0;

	if (glob("/proc/[0-9]*/comm", 0, NULL, &g) == 0)
		for (size_t i = 0; i < g.gl_pathc; i++)
			n += fb_read_line(g.gl_pathv[i], comm, sizeof(comm)) == 0 && strncmp(comm, "kdamond", 7) == 0;
	globfree(&g);
	return n;
}

/* The message of the first warning called name, or NULL. */
static const char *warning(const json_t *warnings, const char *name)
{
	size_t i;
	json_t *w;

	json_array_foreach(warnings, i, w)
		if (strcmp(json_string_value(json_object_get(w, "name")), name) == 0)
			return json_string_value(json_object_get(w, "message"));
	return NULL;
}

/* How DAMON's sysfs admin interface looks from here, told apart by the
 * test: absent (no such folder: no DAMON, or no sysfs interface), there but
 * unreadable (its files are root's, mode 0600), or readable. */
enum damon_access { DAMON_ABSENT, DAMON_UNREADABLE, DAMON_READABLE };

static const char *const damon_access_names[] = { "absent", "there but unreadable", "readable" };

static enum damon_access damon_access_here(void)
{
	if (access("/sys/kernel/mm/damon/admin", F_OK))
		return DAMON_ABSENT;
	FILE *f = fopen("/sys/kernel/mm/damon/admin/kdamonds/nr_kdamonds", "r");
	if (!f)
		return DAMON_UNREADABLE;
	fclose(f);
	return DAMON_READABLE;
}

/* The kdamonds that are on and their schemes, as "ACTION on OPERATIONS",
 * walked from sysfs here (readable). */
static int damon_sysfs(json_t *actions)
{
	const char *dir = "/sys/kernel/mm/damon/admin/kdamonds";
	char path[256], value[64], ops[64];
	int on = 0;

	for (int k = 0; snprintf(path, sizeof(path), "%s/%d/state", dir, k), fb_read_line(path, value, sizeof(value)) == 0; k++) {
		if (strcmp(value, "on"))
			continue;
		on++;
		for (int c = 0; snprintf(path, sizeof(path), "%s/%d/contexts/%d/operations", dir, k, c),
				fb_read_line(path, ops, sizeof(ops)) == 0; c++)
			for (int s = 0; snprintf(path, sizeof(path), "%s/%d/contexts/%d/schemes/%d/action", dir, k, c, s),
					fb_read_line(path, value, sizeof(value)) == 0; s++)
				json_array_append_new(actions, json_sprintf("%s on %s", value, ops));
	}
	return on;
}

/* Whether DAMON reclaims any process's memory here, read by the test: a
 * sysfs scheme "pageout on paddr", or the DAMON_RECLAIM module enabled. */
static int damon_reclaims_here(const json_t *actions)
{
	char enabled[16] = "";
	size_t i;
	json_t *a;

	json_array_foreach(actions, i, a)
		if (strcmp(json_string_value(a), "pageout on paddr") == 0)
			return 1;
	return fb_read_line("/sys/module/damon_reclaim/parameters/enabled", enabled, sizeof(enabled)) == 0 &&
	       strcmp(enabled, "Y") == 0;
}

/* In a child become nobody (when root): DAMON's sysfs is there but its
 * files are root's. Exit 0 when the test sees it unreadable and the
 * conditions record sysfs false, with the kdamonds on and their schemes
 * unknown for want of permission (not 0 and [], which claim none); 1 when
 * nobody cannot be become; 2 when nobody can read it (nothing to
 * exercise); 3 when the record says sysfs true; 4 when it claims a count. */
static int damon_unreadable_recorded(void)
{
	if (getuid() == 0 && (setgroups(0, NULL) || setgid(NOBODY_UID) || setuid(NOBODY_UID)))
		return 1;
	if (damon_access_here() != DAMON_UNREADABLE)
		return 2;
	json_t *conditions = fb_conditions_json(), *damon = json_object_get(conditions, "damon");
	const char *on = json_string_value(json_object_get(damon, "kdamonds_on"));
	const char *schemes = json_string_value(json_object_get(damon, "scheme_actions"));
	int code = json_is_true(json_object_get(damon, "sysfs")) ? 3
		   : !on || !strstr(on, "no permission") || !schemes || strncmp(schemes, "unknown", 7) ? 4 : 0;
	json_decref(conditions);
	return code;
}

/* The "there but unreadable" case, made here where this machine has DAMON:
 * the manifest must not record a sysfs it could not read, nor a count of it. */
static void check_damon_unreadable(void)
{
	const char *name = "DAMON's sysfs there but unreadable (as nobody): recorded as no sysfs, "
			   "its kdamonds and schemes unknown for want of permission";
	int status = 0;

	if (damon_access_here() == DAMON_ABSENT) {
		SKIP(name, "no DAMON sysfs interface (/sys/kernel/mm/damon/admin) on this kernel");
		return;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		BROKEN(name, "fork: %s", strerror(errno));
		return;
	}
	if (pid == 0)
		_exit(damon_unreadable_recorded());
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (code == 2)
		SKIP(name, "its files are readable by every user here: nothing unreadable to record");
	else if (code == 1)
		BROKEN(name, "cannot become uid %d to read it as another user", NOBODY_UID);
	else
		CHECK(code == 0, name, "%s (wait status 0x%x)",
		      code == 3 ? "recorded sysfs: true" : code == 4 ? "kdamonds_on or scheme_actions not 'unknown' for want of permission"
								: "the child failed", status);
}

static void check_damon(const json_t *env)
{
	json_t *damon = json_object_get(json_object_get(env, "conditions"), "damon"), *actions = json_array();
	json_int_t threads = json_integer_value(json_object_get(damon, "kdamond_threads"));
	enum damon_access here = damon_access_here();
	const char *schemes_name = "running kdamonds and their scheme actions recorded as sysfs shows them";
	const char *reclaim_name = "the 'damon' reclaim warning given exactly when DAMON reclaims physical memory here "
				   "(a sysfs pageout on paddr, or DAMON_RECLAIM)";

	CHECK(threads == kdamond_threads(), "kdamond threads counted from /proc/*/comm", "recorded %lld, now %d",
	      (long long)threads, kdamond_threads());
	json_t *sysfs = json_object_get(damon, "sysfs");
	CHECK(json_is_boolean(sysfs) && json_is_true(sysfs) == (here == DAMON_READABLE),
	      "DAMON sysfs recorded as readable exactly when the test reads nr_kdamonds",
	      "recorded %s, the test finds it %s", json_is_boolean(sysfs) ? (json_is_true(sysfs) ? "true" : "false") : "(none)",
	      damon_access_names[here]);
	check_damon_unreadable();
	if (here == DAMON_UNREADABLE) {
		SKIP(schemes_name, "DAMON's sysfs is there but unreadable by this user");
		SKIP(reclaim_name, "DAMON's sysfs is there but unreadable by this user: its schemes are unknown");
		json_decref(actions);
		return;
	}
	int on = here == DAMON_READABLE ? damon_sysfs(actions) : 0;   /* absent: no kdamond, no scheme */
	char *want = json_dumps(actions, JSON_COMPACT), *got = json_dumps(json_object_get(damon, "scheme_actions"), JSON_COMPACT);
	if (here == DAMON_ABSENT)
		SKIP(schemes_name, "no DAMON sysfs interface (/sys/kernel/mm/damon/admin) on this kernel");
	else
		CHECK(json_integer_value(json_object_get(damon, "kdamonds_on")) == on &&
		      json_equal(actions, json_object_get(damon, "scheme_actions")) && (on == 0 || threads >= on),
		      schemes_name, "recorded %lld on, schemes %s; sysfs %d on, schemes %s",
		      (long long)json_integer_value(json_object_get(damon, "kdamonds_on")), got ? got : "?", on,
		      want ? want : "?");
	json_t *warnings = fb_syscheck(env);
	const char *msg = warning(warnings, "damon");
	int reclaims = damon_reclaims_here(actions), warned = msg && strstr(msg, "reclaim the benchmark's");
	CHECK(warned == reclaims, reclaim_name, "%s here (sysfs schemes %s); warning: %s", reclaims ? "DAMON reclaims" : "DAMON reclaims nothing",
	      want ? want : "?", msg ? msg : "(none)");
	free(want);
	free(got);
	json_decref(warnings);
	json_decref(actions);
}

/* One synthetic environment per condition: the warning it must give, and
 * a phrase its message must hold. */
static void check_warnings(void)
{
	static const char *const cases[][3] = {
		{ "damon", "{\"conditions\": {\"damon\": {\"kdamonds_on\": 1, \"kdamond_threads\": 1, "
			   "\"scheme_actions\": [\"pageout on paddr\"]}}}", "reclaim the benchmark's cold memory" },
		{ "damon", "{\"conditions\": {\"damon\": {\"kdamonds_on\": 1, \"scheme_actions\": [\"stat on vaddr\"]}}}",
		  "page nothing out" },
		{ "damon", "{\"conditions\": {\"damon\": {\"kdamonds_on\": 0, \"kdamond_threads\": 1, \"scheme_actions\": []}}}",
		  "outside the sysfs" },
		{ "damon", "{\"conditions\": {\"damon\": {\"reclaim_enabled\": \"Y\"}}}", "physical addresses" },
		/* sysfs unreadable by this user: its kdamonds may be sysfs's own, so not "outside the sysfs" */
		{ "damon", "{\"conditions\": {\"damon\": {\"sysfs\": false, \"kdamond_threads\": 1, \"sysfs_unreadable\": "
			   "\"unknown: no permission\", \"kdamonds_on\": \"unknown: no permission\"}}}",
		  "schemes unknown: no permission): its schemes may page out" },
		{ "khugepaged", "{\"kernel_settings\": {\"thp_enabled\": \"always [madvise] never\"}, \"conditions\": "
				"{\"khugepaged_pages_to_scan\": 65536, \"khugepaged_scan_sleep_ms\": 100}}", "4 KiB fallbacks" },
		{ "khugepaged", "{\"kernel_settings\": {\"thp_enabled\": \"[always] madvise never\"}, \"conditions\": "
				"{\"khugepaged_pages_to_scan\": 4096, \"khugepaged_scan_sleep_ms\": 10000, "
				"\"khugepaged_max_ptes_none\": 511}}", "worker's own" },
		{ "ksm", "{\"conditions\": {\"ksm_run\": 1}}", "COW fault" },
		{ "swap", "{\"conditions\": {\"swap\": {\"total_kib\": 1048576, \"free_kib\": 524288, \"used_kib\": 524288}}}",
		  "1024 MiB of swap (512 MiB used)" },
		{ "zswap", "{\"conditions\": {\"zswap_enabled\": \"Y\"}}", "compressed" },
		{ "numa-balancing", "{\"conditions\": {\"numa_balancing\": 1, \"numa_nodes\": 2}}", "hinting faults" },
		{ "smt", "{\"conditions\": {\"smt_active\": 1}}", "share one core" },
		{ "cmdline", "{\"conditions\": {\"kernel_cmdline\": {\"params\": {\"mitigations\": \"off\"}}}}", "cheaper" },
		{ "cmdline", "{\"conditions\": {\"kernel_cmdline\": {\"params\": {\"init_on_alloc\": \"1\"}}}}", "COW fault" },
		{ "cmdline", "{\"conditions\": {\"kernel_cmdline\": {\"params\": {\"init_on_free\": \"on\"}}}}", "exit" },
		{ "cmdline", "{\"conditions\": {\"kernel_cmdline\": {\"params\": {\"transparent_hugepage\": \"never\"}}}}",
		  "THP mode" },
		{ "affinity", "{\"cpu\": {\"cores_online\": 4}, \"conditions\": {\"affinity\": {\"count\": 2, \"cpus\": \"0-1\"}}}",
		  "2 of 4 online CPUs (affinity 0-1)" },
		{ "cgroup-cpu", "{\"conditions\": {\"cgroup\": {\"cpu.max\": \"50000 100000\"}}}", "'50000 100000'" },
		{ "cgroup-cpu", "{\"conditions\": {\"cgroup\": {\"v1_cpu_cfs_quota_us\": 50000, \"v1_cpu_cfs_period_us\": 100000}}}",
		  "50000 per 100000 us" },
		{ "cgroup-memory", "{\"limits\": {\"mem_total_kib\": 8388608}, \"conditions\": {\"cgroup\": "
				   "{\"memory.max\": \"max\", \"memory.high\": 1073741824}}}", "1024 MiB" },
		{ "cgroup-memory", "{\"limits\": {\"mem_total_kib\": \"8388608 kB\"}, \"conditions\": {\"cgroup\": "
				   "{\"v1_memory_limit_bytes\": 2147483648}}}", "2048 MiB" },
		{ "steal", "{\"during_run\": {\"steal_pct\": 7.5}}", "7.5%" },
		{ "perf-paranoid", "{\"kernel_settings\": {\"perf_event_paranoid\": 3}}", "getrusage" },
		{ "load", "{\"cpu\": {\"cores_online\": 2}, \"kernel_settings\": {\"loadavg_1min\": 3.5}}", "3.50" },
		{ "load", "{\"cpu\": {\"cores_online\": 2}, \"kernel_settings\": {\"loadavg\": \"3.06 1.53 1.05 1/83 5508\"}}",
		  "3.06" },
	};
	char name[400];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *env = json_loads(cases[i][1], 0, NULL), *warnings = fb_syscheck(env);
		const char *msg = warning(warnings, cases[i][0]);
		snprintf(name, sizeof(name), "warning '%s' saying '%s' from %s", cases[i][0], cases[i][2], cases[i][1]);
		CHECK(env && msg && strstr(msg, cases[i][2]), name, "%zu warnings; '%s': %s", json_array_size(warnings),
		      cases[i][0], msg ? msg : "(none)");
		json_decref(warnings);
		json_decref(env);
	}
}

/* A quiet machine: bare metal, 8 cores, everything off, default khugepaged,
 * cgroups without limits (v2 "max", v1 -1 and ~2^63), harmless parameters. */
static void check_quiet(void)
{
	json_t *quiet = json_loads("{\"cpu\": {\"cores_online\": 8, \"hypervisor\": false}, "
		"\"kernel_settings\": {\"thp_enabled\": \"always [madvise] never\", \"governor\": \"performance\", "
		"\"perf_event_paranoid\": 1, \"loadavg_1min\": 0.1}, \"limits\": {\"mem_total_kib\": 8388608}, "
		"\"conditions\": {\"damon\": {\"sysfs\": true, \"kdamonds_on\": 0, \"kdamond_threads\": 0, "
		"\"scheme_actions\": [], \"reclaim_enabled\": \"N\"}, \"khugepaged_defrag\": 1, "
		"\"khugepaged_pages_to_scan\": 4096, \"khugepaged_scan_sleep_ms\": 10000, \"khugepaged_max_ptes_none\": 511, "
		"\"ksm_run\": 0, \"swap\": {\"total_kib\": 0, \"used_kib\": 0}, \"zswap_enabled\": \"N\", "
		"\"numa_balancing\": 1, \"numa_nodes\": 1, \"smt_active\": 0, "
		"\"kernel_cmdline\": {\"params\": {\"mitigations\": \"auto\", \"init_on_alloc\": \"0\", \"isolcpus\": \"3\"}}, "
		"\"affinity\": {\"count\": 8, \"cpus\": \"0-7\"}, \"cgroup\": {\"cpu.max\": \"max 100000\", "
		"\"memory.max\": \"max\", \"memory.high\": \"max\", \"v1_cpu_cfs_quota_us\": -1, "
		"\"v1_memory_limit_bytes\": 9223372036854771712}}, \"during_run\": {\"steal_pct\": 0.2}}", 0, NULL);
	json_t *warnings = fb_syscheck(quiet);
	char *text = json_dumps(warnings, 0);

	CHECK(quiet && json_array_size(warnings) == 0, "a quiet bare-metal machine: no warning", "%s", text);
	free(text);
	json_decref(warnings);
	json_decref(quiet);
}

/* The report.md of a folder holding bench (a file) and manifest, rendered
 * by the forkbench binary (plots cannot be drawn from a test binary), with
 * the claims read in this process; "" when no report was written. */
static char *render(const char *name, const char *bench, json_t *manifest, struct fb_claims *claims)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];
	const char *report[] = { "report", dir, NULL };
	char *text = fb_slurp(bench, 64 << 20);

	snprintf(dir, sizeof(dir), "%s/%s", tmp, name);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/bench.json", dir);
	fb_write_file_atomic(path, text ? text : "", text ? strlen(text) : 0);
	free(text);
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	json_dump_file(manifest, path, JSON_INDENT(1));
	fb_claims_write(dir, NULL, claims);
	run_forkbench_in(build, report, NULL, NULL);
	snprintf(path, sizeof(path), "%s/report.md", dir);
	return fb_slurp(path, 16 << 20);
}

static const struct fb_claim_row *find_claim(const struct fb_claims *c, const char *id)
{
	for (size_t i = 0; i < c->count; i++)
		if (strcmp(c->rows[i].id, id) == 0)
			return &c->rows[i];
	return NULL;
}

/* A run made before settings were numbers (as the first committed baseline
 * recorded them: "32768", "24684096 kB", no conditions) and one made now:
 * both render, their settings shown as figures, and claims read pid_max. */
static void check_old_and_new(const json_t *env)
{
	static struct fb_claims claims;
	char bench[PATH_MAX + 64], row[128];
	json_t *old = json_loads("{\"schema_version\": 1, \"run_id\": \"old\", \"finished_utc\": \"2026-11-24T21:00:00Z\", "
		"\"config\": {\"profile\": \"quick\", \"sizes_mib\": \"0\", \"modes\": \"4k\", \"repetitions\": 5, "
		"\"min_time_s\": 0.01}, \"environment\": {\"versions\": {\"kernel\": \"6.1\", \"machine\": \"x86_64\"}, "
		"\"cpu\": {\"cores_online\": 2}, \"kernel_settings\": {\"pid_max\": \"32768\", \"threads_max\": \"192731\", "
		"\"loadavg\": \"0.46 2.22 2.09 1/80 2728\"}, \"limits\": {\"cgroup\": {}, \"mem_total_kib\": \"24684096 kB\"}}, "
		"\"warnings\": []}", 0, NULL);
	json_t *now = json_pack("{s:i, s:s, s:s, s:{s:s, s:s, s:s, s:i, s:f}, s:O, s:[]}", "schema_version", 1,
				"run_id", "now", "finished_utc", "2026-11-25T06:00:00Z", "config", "profile", "quick",
				"sizes_mib", "0", "modes", "4k", "repetitions", 5, "min_time_s", 0.01, "environment", env,
				"warnings");

	snprintf(bench, sizeof(bench), "%s/../tests/fuzz/corpus/valid.json", build);
	char *md = render("old", bench, old, &claims);
	const struct fb_claim_row *r = find_claim(&claims, "pid_max");
	CHECK(md && strstr(md, "| pid_max | 32768 |") && strstr(md, "| threads-max | 192731 |") &&
	      strstr(md, "| DAMON schemes | (not available) |") && r && r->value == 32768,
	      "an old run (settings as text, no conditions): report renders its settings, claims read pid_max",
	      "report %s, claim value %g", md && md[0] ? "written" : "missing", r ? r->value : 0);
	free(md);
	md = render("now", bench, now, &claims);
	r = find_claim(&claims, "pid_max");
	json_t *pid_max = json_object_get(json_object_get(env, "kernel_settings"), "pid_max");
	/* An array as compact JSON; text as it is ("unknown: ..." where DAMON's sysfs is unreadable). */
	const json_t *actions = json_object_get(json_object_get(json_object_get(env, "conditions"), "damon"), "scheme_actions");
	char *schemes = json_is_string(actions) ? strdup(json_string_value(actions)) : json_dumps(actions, JSON_COMPACT);
	snprintf(row, sizeof(row), "| pid_max | %lld |", (long long)json_integer_value(pid_max));
	CHECK(md && strstr(md, row) && schemes && strstr(md, schemes) && strstr(md, "| CPU affinity | ") &&
	      strstr(md, "| kernel command line | ") && r && r->value == (double)json_integer_value(pid_max),
	      "a run made now (settings as numbers): report shows them and the conditions, claims read pid_max",
	      "report %s, row '%s', schemes %s", md && md[0] ? "written" : "missing", row, schemes ? schemes : "?");
	free(schemes);
	free(md);
	json_decref(old);
	json_decref(now);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	build_dir(build, sizeof(build));
	if (!mkdtemp(tmp)) {
		BROKEN("a temporary folder for the rendered runs", "mkdtemp %s: %s", tmp, strerror(errno));
		return check_done();
	}
	json_t *env = fb_manifest_environment(".");
	check_distribution(env);
	check_recorded(env);
	check_damon(env);
	check_warnings();
	check_quiet();
	check_old_and_new(env);
	json_decref(env);
	fb_remove_tree(tmp);
	return check_done();
}
