/* syscheck.c - warnings about the machine a run was made on (see syscheck.h). */
#include "syscheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *env_text(const json_t *env, const char *group, const char *key)
{
	return json_string_value(json_object_get(json_object_get(env, group), key));
}

/* A setting as a number, whether the manifest holds it as a number (runs
 * since the conditions were recorded) or as text (older runs). 0 when
 * present. */
static int env_number(const json_t *env, const char *group, const char *key, double *out)
{
	json_t *v = json_object_get(json_object_get(env, group), key);
	char *end;

	if (json_is_number(v))
		return *out = json_number_value(v), 0;
	if (!json_is_string(v))
		return -1;
	*out = strtod(json_string_value(v), &end);
	return end == json_string_value(v) ? -1 : 0;
}

static void warn(json_t *list, const char *name, const char *message)
{
	json_array_append_new(list, json_pack("{s:s, s:s}", "name", name, "message", message));
}

static void check_vm(const json_t *env, json_t *list)
{
	const char *vendor = env_text(env, "kernel_settings", "sys_vendor");
	char msg[256];

	if (!json_is_true(json_object_get(json_object_get(env, "cpu"), "hypervisor")))
		return;
	snprintf(msg, sizeof(msg), "virtual machine%s%s: page-table work (fork, COW) also pays for "
		 "nested paging, and other guests steal time", vendor ? " by " : "", vendor ? vendor : "");
	warn(list, "virtual-machine", msg);
}

static void check_load_and_cores(const json_t *env, json_t *list)
{
	double load = 0;
	json_int_t cores = json_integer_value(json_object_get(json_object_get(env, "cpu"), "cores_online"));
	char msg[256];

	if (env_number(env, "kernel_settings", "loadavg_1min", &load))
		env_number(env, "kernel_settings", "loadavg", &load);
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
	const char *governor = env_text(env, "kernel_settings", "governor");
	double no_turbo = -1;
	char msg[256];

	if (governor && strcmp(governor, "performance")) {
		snprintf(msg, sizeof(msg), "CPU frequency governor is '%s', not 'performance': the clock "
			 "speed changes under the benchmark", governor);
		warn(list, "governor", msg);
	}
	if (env_number(env, "kernel_settings", "no_turbo", &no_turbo) == 0 && no_turbo == 0)
		warn(list, "turbo", "turbo boost is on: the clock speed depends on temperature and load");
}

static void check_kernel(const json_t *env, json_t *list)
{
	const char *thp = env_text(env, "kernel_settings", "thp_enabled");
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
	if (env_number(env, "kernel_settings", "perf_event_paranoid", &paranoid) == 0 && paranoid > 2)
		warn(list, "perf-paranoid", "perf_event_paranoid > 2: fault counts come from getrusage only");
}

static const json_t *conditions(const json_t *env)
{
	return json_object_get(env, "conditions");
}

/* Memory management that works behind the benchmark's back. */
static void check_memory_management(const json_t *env, json_t *list)
{
	const json_t *c = conditions(env);
	json_t *damon = json_object_get(c, "damon"), *swap = json_object_get(c, "swap");
	const char *zswap = json_string_value(json_object_get(c, "zswap_enabled"));
	char msg[400], *actions = json_dumps(json_object_get(damon, "scheme_actions"), 0);
	double v = 0;

	if (json_integer_value(json_object_get(damon, "kdamonds_on")) > 0) {
		snprintf(msg, sizeof(msg), "%lld kdamond running (schemes %s): a pageout scheme reclaims cold "
			 "memory of any process, the benchmark's region included; resident_mib and the worker "
			 "restarts show whether it did", (long long)json_integer_value(json_object_get(damon, "kdamonds_on")),
			 actions ? actions : "[]");
		warn(list, "damon", msg);
	}
	free(actions);
	if (env_number(env, "conditions", "ksm_run", &v) == 0 && v == 1)
		warn(list, "ksm", "KSM is merging pages: a write to a merged page is a COW fault of its own");
	if (json_integer_value(json_object_get(swap, "total_kib")) > 0) {
		snprintf(msg, sizeof(msg), "%lld MiB of swap: pages of a large parent may be swapped out and "
			 "faulted back in during fork or COW", (long long)json_integer_value(json_object_get(swap, "total_kib")) / 1024);
		warn(list, "swap", msg);
	}
	if (zswap && (strcmp(zswap, "Y") == 0 || strcmp(zswap, "1") == 0))
		warn(list, "zswap", "zswap is enabled: reclaimed pages are compressed in memory");
	if (env_number(env, "conditions", "numa_balancing", &v) == 0 && v >= 1 &&
	    json_integer_value(json_object_get(c, "numa_nodes")) > 1)
		warn(list, "numa-balancing", "NUMA balancing is on with several nodes: hinting faults unmap pages "
			 "behind the benchmark and page-table work varies with placement");
}

/* The kernel command line's parameters that change what fork and COW cost. */
static void check_cmdline(const json_t *env, json_t *list)
{
	static const char *const rows[][3] = {
		{ "mitigations", "off", "CPU vulnerability mitigations are off: kernel entries, faults and context "
					"switches are cheaper than on a default kernel" },
		{ "init_on_alloc", "1", "every page is zeroed on allocation: COW copies and fresh faults cost more" },
		{ "init_on_free", "1", "every page is zeroed when freed: exit and munmap of a large parent cost more" },
	};
	json_t *params = json_object_get(json_object_get(conditions(env), "kernel_cmdline"), "params");
	const char *thp = json_string_value(json_object_get(params, "transparent_hugepage"));
	char msg[300];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *v = json_string_value(json_object_get(params, rows[i][0]));
		if (v && strcmp(v, rows[i][1]) == 0) {
			snprintf(msg, sizeof(msg), "%s=%s on the kernel command line: %s", rows[i][0], v, rows[i][2]);
			warn(list, "cmdline", msg);
		}
	}
	if (thp) {
		snprintf(msg, sizeof(msg), "transparent_hugepage=%s on the kernel command line sets the boot-time "
			 "THP mode that the thp rows depend on", thp);
		warn(list, "cmdline", msg);
	}
}

/* CPUs: SMT siblings, an affinity narrower than the machine, cgroup limits. */
static void check_cpus_and_limits(const json_t *env, json_t *list)
{
	const json_t *c = conditions(env), *cg = json_object_get(c, "cgroup");
	json_int_t cores = json_integer_value(json_object_get(json_object_get(env, "cpu"), "cores_online"));
	json_int_t allowed = json_integer_value(json_object_get(json_object_get(c, "affinity"), "count"));
	const char *cpu_max = json_string_value(json_object_get(cg, "cpu.max"));
	double v = 0, total_kib = 0;
	char msg[300];

	if (env_number(env, "conditions", "smt_active", &v) == 0 && v == 1)
		warn(list, "smt", "SMT is active: a parent and child on sibling threads share one core");
	if (allowed > 0 && cores > 0 && allowed < cores) {
		snprintf(msg, sizeof(msg), "this process may use %lld of %lld CPUs (affinity %s)", (long long)allowed,
			 (long long)cores, json_string_value(json_object_get(json_object_get(c, "affinity"), "cpus")));
		warn(list, "affinity", msg);
	}
	if ((cpu_max && strncmp(cpu_max, "max", 3)) ||
	    json_integer_value(json_object_get(cg, "v1_cpu_cfs_quota_us")) > 0)
		warn(list, "cgroup-cpu", "a cgroup CPU quota applies: the benchmark can be throttled mid-repetition");
	env_number(env, "limits", "mem_total_kib", &total_kib);
	json_t *mem = json_object_get(cg, "memory.max");
	double limit = json_is_number(mem) ? json_number_value(mem) :
		       json_number_value(json_object_get(cg, "v1_memory_limit_bytes"));
	if (limit > 0 && total_kib > 0 && limit < total_kib * 1024) {
		snprintf(msg, sizeof(msg), "a cgroup memory limit of %.0f MiB (the machine has %.0f MiB): a large "
			 "parent may be reclaimed or refused", limit / 1048576, total_kib / 1024);
		warn(list, "cgroup-memory", msg);
	}
}

/* Steal time while the benchmarks ran (recorded after the run). */
static void check_steal(const json_t *env, json_t *list)
{
	double steal = 0;
	char msg[200];

	if (env_number(env, "during_run", "steal_pct", &steal) == 0 && steal > 1.0) {
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
	check_memory_management(environment, list);
	check_cmdline(environment, list);
	check_cpus_and_limits(environment, list);
	check_steal(environment, list);
	return list;
}
