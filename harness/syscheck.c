/* syscheck.c - warnings about the machine a run was made on (see syscheck.h). */
#include "syscheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "manifest.h"
#include "run_folder.h"

static const char *env_text(const json_t *env, enum fb_env_field field)
{
	return json_string_value(fb_env_get(env, field));
}

/* A setting as a number, whether the manifest holds it as a number or as
 * text that starts with one (older runs). 0 when present. */
static int env_number(const json_t *env, enum fb_env_field field, double *out)
{
	return fb_manifest_number(fb_env_get(env, field), FB_NUMBER_LEADING, out);
}

static json_int_t env_integer(const json_t *env, enum fb_env_field field)
{
	return json_integer_value(fb_env_get(env, field));
}

static void warn(json_t *list, const char *name, const char *message)
{
	json_array_append_new(list, json_pack("{s:s, s:s}", "name", name, "message", message));
}

static void check_vm(const json_t *env, json_t *list)
{
	const char *vendor = env_text(env, FB_ENV_VENDOR);
	char msg[256];

	if (!json_is_true(fb_env_get(env, FB_ENV_HYPERVISOR)))
		return;
	snprintf(msg, sizeof(msg), "virtual machine%s%s: page-table work (fork, COW) also pays for "
		 "nested paging, and other guests steal time", vendor ? " by " : "", vendor ? vendor : "");
	warn(list, "virtual-machine", msg);
}

static void check_load_and_cores(const json_t *env, json_t *list)
{
	double load = 0;
	json_int_t cores = env_integer(env, FB_ENV_CORES);
	char msg[256];

	if (env_number(env, FB_ENV_LOADAVG_1MIN, &load))
		env_number(env, FB_ENV_LOADAVG, &load);
	if (cores > 0 && load > 0.5 * (double)cores) {
		snprintf(msg, sizeof(msg), "1-minute load average %.2f on %lld cores at start: other work "
			 "competes with the benchmarks", load, (long long)cores);
		warn(list, "load", msg);
	}
	if (cores > 0 && cores < 4) {
		snprintf(msg, sizeof(msg), "only %lld CPU cores: parent, child and the system share them, "
			 "so child-start and round-trip figures include scheduling", (long long)cores);
		warn(list, "few-cores", msg);
	}
}

static void check_frequency(const json_t *env, json_t *list)
{
	const char *governor = env_text(env, FB_ENV_GOVERNOR);
	double no_turbo = -1;
	char msg[256];

	if (governor && strcmp(governor, "performance")) {
		snprintf(msg, sizeof(msg), "CPU frequency governor is '%s', not 'performance': the clock "
			 "speed changes under the benchmark", governor);
		warn(list, "governor", msg);
	}
	if (env_number(env, FB_ENV_NO_TURBO, &no_turbo) == 0 && no_turbo == 0)
		warn(list, "turbo", "turbo boost is on: the clock speed depends on temperature and load");
}

static void check_kernel(const json_t *env, json_t *list)
{
	const char *thp = env_text(env, FB_ENV_THP_ENABLED);
	double paranoid = 0;
	char msg[256];

	if (!thp)
		warn(list, "thp", "no transparent huge pages in this kernel: thp rows are skipped");
	else if (strstr(thp, "[never]"))
		warn(list, "thp", "transparent huge pages are off ([never]): thp rows are skipped");
	else if (strstr(thp, "[always]")) {
		snprintf(msg, sizeof(msg), "THP is '%s': 4k mode relies on MADV_NOHUGEPAGE, and other "
			 "processes' memory may be huge-page backed", thp);
		warn(list, "thp", msg);
	}
	if (env_number(env, FB_ENV_PERF_PARANOID, &paranoid) == 0 && paranoid > 2)
		warn(list, "perf-paranoid", "perf_event_paranoid > 2: fault counts come from getrusage only");
}

/* Whether a DAMON scheme pages memory out, and of whom: "pageout on paddr"
 * (physical addresses) reclaims any process's cold pages, the benchmark's
 * region included; on vaddr or fvaddr only the monitored processes'. */
static const char *damon_reach(const json_t *damon)
{
	const json_t *a;
	size_t i;
	int vaddr = 0;

	if (json_is_true(json_object_get(damon, "reclaim_enabled")) ||
	    (json_is_string(json_object_get(damon, "reclaim_enabled")) &&
	     strcmp(json_string_value(json_object_get(damon, "reclaim_enabled")), "Y") == 0))
		return "paddr";
	json_array_foreach(json_object_get(damon, "scheme_actions"), i, a) {
		const char *t = json_string_value(a);
		if (t && strncmp(t, "pageout", 7) == 0 && strstr(t, "paddr"))
			return "paddr";
		vaddr |= t && strncmp(t, "pageout", 7) == 0;
	}
	return vaddr ? "vaddr" : NULL;
}

/* What a running DAMON does to the benchmark, by what its schemes reach.
 * Kdamonds that this user could not read in sysfs (sysfs_unreadable) may
 * well be sysfs's own: "started outside sysfs" would then be wrong. */
static const char *damon_effect(const char *reach, json_int_t sysfs_on, int sysfs_unreadable)
{
	if (reach && strcmp(reach, "paddr") == 0)
		return "a pageout scheme on physical addresses can reclaim the benchmark's cold memory behind it, "
		       "so a parent may not be fully resident when it forks; resident_mib and the worker restarts "
		       "show whether it was";
	if (reach)
		return "a pageout scheme reclaims the cold memory of the processes it monitors";
	if (sysfs_unreadable)
		return "its schemes may page out cold memory, the benchmark's included";
	if (sysfs_on == 0)
		return "started outside the sysfs admin interface, its schemes are unknown and may page out cold "
		       "memory, the benchmark's included";
	return "it samples page-table accessed bits in the background; its schemes page nothing out";
}

/* DAMON: kdamonds on (sysfs), kdamond threads (any interface), or the
 * DAMON_RECLAIM module. Sampling alone costs a little CPU; a pageout
 * scheme can reclaim the benchmark's resident memory behind it. */
static void check_damon(const json_t *env, json_t *list)
{
	const json_t *damon = fb_env_get(env, FB_ENV_DAMON);
	json_int_t on = env_integer(env, FB_ENV_DAMON_KDAMONDS_ON);
	json_int_t threads = env_integer(env, FB_ENV_DAMON_THREADS);
	const char *reach = damon_reach(damon);
	const char *unreadable = json_string_value(json_object_get(damon, "sysfs_unreadable"));
	char msg[800], seen[400], *actions = json_dumps(fb_env_get(env, FB_ENV_DAMON_SCHEMES), JSON_COMPACT);

	if (!(on > 0 || threads > 0 || reach))
		goto free_actions;
	if (unreadable)   /* "unknown: DAMON's sysfs (...) is there but uid N has no permission..." */
		snprintf(seen, sizeof(seen), "%lld kdamond thread%s; kdamonds on in sysfs and their schemes %s",
			 (long long)threads, threads == 1 ? "" : "s", unreadable);
	else
		snprintf(seen, sizeof(seen), "%lld kdamond%s on in sysfs, %lld kdamond thread%s, schemes %s", (long long)on,
			 on == 1 ? "" : "s", (long long)threads, threads == 1 ? "" : "s", actions ? actions : "unknown");
	snprintf(msg, sizeof(msg), "DAMON is running (%s): %s", seen, damon_effect(reach, on, unreadable != NULL));
	warn(list, "damon", msg);
free_actions:
	free(actions);
}

/* khugepaged never collapses a MADV_NOHUGEPAGE range (the 4k rows), but it
 * does collapse a thp-mode region's 4 KiB fallbacks, so a fast one changes
 * THP coverage between repetitions; with THP [always] it also collapses the
 * worker's own heap and stacks (max_ptes_none of 512 may be missing),
 * changing the RSS and page tables that fork copies. Defaults (4096 pages
 * every 10 s: 16 MiB per 10 s) take minutes over a GiB: no warning. */
static void check_khugepaged(const json_t *env, json_t *list)
{
	const char *thp = env_text(env, FB_ENV_THP_ENABLED);
	double pages = 0, sleep_ms = 0, ptes_none = 0, defrag = 0;
	char msg[500];

	if (!thp || strstr(thp, "[never]") || env_number(env, FB_ENV_KHUGEPAGED_PAGES, &pages) ||
	    env_number(env, FB_ENV_KHUGEPAGED_SLEEP_MS, &sleep_ms) || pages <= 0)
		return;
	env_number(env, FB_ENV_KHUGEPAGED_PTES_NONE, &ptes_none);
	env_number(env, FB_ENV_KHUGEPAGED_DEFRAG, &defrag);
	double mib_per_min = pages * 4096 / 1048576 * 60000 / (sleep_ms > 0 ? sleep_ms : 1);
	int fast = mib_per_min >= 1024, always = strstr(thp, "[always]") && ptes_none > 0;
	if (!fast && !always)
		return;
	snprintf(msg, sizeof(msg), "khugepaged scans %.0f pages every %.0f ms (%.0f MiB a minute, defrag %s, "
		 "max_ptes_none %.0f): %s", pages, sleep_ms, mib_per_min, defrag == 1 ? "on" : "off", ptes_none,
		 fast ? "it can collapse a thp-mode region's 4 KiB fallbacks within the run, so THP coverage "
			"changes between repetitions (4k regions are MADV_NOHUGEPAGE, never collapsed)" :
			"with THP [always] it collapses the worker's own sparsely used heap and stacks, changing the "
			"RSS and page tables that fork copies between batches");
	warn(list, "khugepaged", msg);
}

/* Memory management that works behind the benchmark's back. */
static void check_memory_management(const json_t *env, json_t *list)
{
	json_int_t swap_kib = env_integer(env, FB_ENV_SWAP_KIB);
	const char *zswap = env_text(env, FB_ENV_ZSWAP);
	char msg[400];
	double v = 0;

	if (env_number(env, FB_ENV_KSM_RUN, &v) == 0 && v == 1)
		warn(list, "ksm", "KSM is merging pages: a write to a merged page is a COW fault of its own, "
			 "and ksmd scans memory in the background");
	if (swap_kib > 0) {
		snprintf(msg, sizeof(msg), "%lld MiB of swap (%lld MiB used): pages of a large parent may be swapped "
			 "out and faulted back in during fork or COW", (long long)swap_kib / 1024,
			 (long long)env_integer(env, FB_ENV_SWAP_USED_KIB) / 1024);
		warn(list, "swap", msg);
	}
	if (zswap && (strcmp(zswap, "Y") == 0 || strcmp(zswap, "1") == 0))
		warn(list, "zswap", "zswap is enabled: reclaimed pages of a large parent are compressed in memory "
			 "and a later fault decompresses them");
	if (env_number(env, FB_ENV_NUMA_BALANCING, &v) == 0 && v >= 1 &&
	    env_integer(env, FB_ENV_NUMA_NODES) > 1)
		warn(list, "numa-balancing", "NUMA balancing is on with several nodes: hinting faults unmap pages "
			 "behind the benchmark and page-table work varies with placement");
}

/* Whether a kernel boolean parameter's value is true ("1", "on", "y"). */
static int kernel_bool(const char *v)
{
	return strcmp(v, "1") == 0 || strcasecmp(v, "on") == 0 || strcasecmp(v, "y") == 0 || strcasecmp(v, "yes") == 0;
}

/* The kernel command line's parameters that change what fork and COW cost:
 * a row per parameter, the value that trips it ("=on": any true boolean,
 * NULL: any value) and what it does to the figures. */
static void check_cmdline(const json_t *env, json_t *list)
{
	static const char *const rows[][3] = {
		{ "mitigations", "off", "no page-table isolation, retpolines or buffer clearing on kernel entry and exit: "
					"syscalls, faults and context switches (so fork, COW and thread creation) are cheaper "
					"than on a default kernel, and the figures do not compare with one" },
		{ "init_on_alloc", "=on", "every allocation is zeroed first, the task, mm and VMA copies fork makes and "
					  "the page each COW fault copies into included: fork and COW cost more" },
		{ "init_on_free", "=on", "every freed page and object is zeroed: exit of a child that wrote pages, and "
					 "exit or munmap of a large parent, cost more" },
		{ "transparent_hugepage", NULL, "sets the boot-time THP mode that the thp rows (and the 4k rows' "
						"neighbours) depend on" },
	};
	const json_t *params = fb_env_get(env, FB_ENV_CMDLINE_PARAMS);
	char msg[400];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *v = json_string_value(json_object_get(params, rows[i][0])), *match = rows[i][1];
		if (!v || (match && (strcmp(match, "=on") == 0 ? !kernel_bool(v) : strcmp(v, match) != 0)))
			continue;
		snprintf(msg, sizeof(msg), "%s=%s on the kernel command line: %s", rows[i][0], v, rows[i][2]);
		warn(list, "cmdline", msg);
	}
}

/* CPUs: SMT siblings, an affinity narrower than the online CPUs. */
static void check_cpus(const json_t *env, json_t *list)
{
	json_int_t cores = env_integer(env, FB_ENV_CORES);
	json_int_t allowed = env_integer(env, FB_ENV_AFFINITY_COUNT);
	const char *cpus = env_text(env, FB_ENV_AFFINITY_CPUS);
	double v = 0;
	char msg[300];

	if (env_number(env, FB_ENV_SMT_ACTIVE, &v) == 0 && v == 1)
		warn(list, "smt", "SMT is active: a parent and child on sibling threads share one core's execution "
			 "units and caches, so the figures depend on where the scheduler puts them");
	if (allowed > 0 && cores > 0 && allowed < cores) {
		snprintf(msg, sizeof(msg), "this process may use %lld of %lld online CPUs (affinity %s): parent, child "
			 "and the system compete for fewer CPUs than the machine has", (long long)allowed,
			 (long long)cores, cpus ? cpus : "?");
		warn(list, "affinity", msg);
	}
}

/* The lowest cgroup memory limit in bytes (v2 memory.max and memory.high,
 * v1 memory.limit_in_bytes), or 0 when none is a number. */
static double cgroup_memory_limit(const json_t *cg)
{
	static const char *const keys[] = { "memory.max", "memory.high", "v1_memory_limit_bytes" };
	double lowest = 0;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(cg, keys[i]);
		if (json_is_number(v) && json_number_value(v) > 0 && (lowest == 0 || json_number_value(v) < lowest))
			lowest = json_number_value(v);
	}
	return lowest;
}

/* A cgroup CPU quota (v2 cpu.max other than "max ...", v1 cfs_quota_us
 * above 0) or a memory limit below the machine's memory. */
static void check_cgroup(const json_t *env, json_t *list)
{
	const json_t *cg = fb_env_get(env, FB_ENV_CGROUP);
	const char *cpu_max = json_string_value(json_object_get(cg, "cpu.max"));
	json_int_t quota = json_integer_value(json_object_get(cg, "v1_cpu_cfs_quota_us"));
	json_int_t period = json_integer_value(json_object_get(cg, "v1_cpu_cfs_period_us"));
	double total_kib = 0, limit = cgroup_memory_limit(cg);
	char msg[300];

	if ((cpu_max && strncmp(cpu_max, "max", 3)) || quota > 0) {
		if (cpu_max && strncmp(cpu_max, "max", 3))
			snprintf(msg, sizeof(msg), "cgroup cpu.max is '%s'", cpu_max);
		else
			snprintf(msg, sizeof(msg), "cgroup cpu.cfs_quota_us is %lld per %lld us", (long long)quota, (long long)period);
		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), ": a CPU quota applies, and the benchmark can be "
			 "throttled mid-repetition");
		warn(list, "cgroup-cpu", msg);
	}
	env_number(env, FB_ENV_MEM_TOTAL_KIB, &total_kib);
	if (limit > 0 && total_kib > 0 && limit < total_kib * 1024) {
		snprintf(msg, sizeof(msg), "a cgroup memory limit of %.0f MiB (the machine has %.0f MiB): a large "
			 "parent may be reclaimed, swapped or refused", limit / 1048576, total_kib / 1024);
		warn(list, "cgroup-memory", msg);
	}
}

/* Steal time while the benchmarks ran (recorded after the run). */
static void check_steal(const json_t *env, json_t *list)
{
	double steal = 0;
	char msg[200];

	if (env_number(env, FB_ENV_STEAL_PCT, &steal) == 0 && steal > 1.0) {
		snprintf(msg, sizeof(msg), "the hypervisor stole %.1f%% of the CPU time while the benchmarks ran", steal);
		warn(list, "steal", msg);
	}
}

json_t *fb_syscheck(const json_t *environment)
{
	json_t *list = json_array();

	check_vm(environment, list);
	check_load_and_cores(environment, list);
	check_frequency(environment, list);
	check_kernel(environment, list);
	check_damon(environment, list);
	check_khugepaged(environment, list);
	check_memory_management(environment, list);
	check_cmdline(environment, list);
	check_cpus(environment, list);
	check_cgroup(environment, list);
	check_steal(environment, list);
	return list;
}
