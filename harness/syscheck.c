/* syscheck.c - warnings about the machine a run was made on (see syscheck.h). */
#include "syscheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *env_text(const json_t *env, const char *group, const char *key)
{
	return json_string_value(json_object_get(json_object_get(env, group), key));
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
	const char *load = env_text(env, "kernel_settings", "loadavg");
	json_int_t cores = json_integer_value(json_object_get(json_object_get(env, "cpu"), "cores_online"));
	char msg[256];

	if (load && cores > 0 && atof(load) > 0.5 * (double)cores) {
		snprintf(msg, sizeof(msg), "1-minute load average %.2f on %lld cores at start: other work "
			 "competes with the benchmarks", atof(load), (long long)cores);
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
	const char *no_turbo = env_text(env, "kernel_settings", "no_turbo");
	char msg[256];

	if (governor && strcmp(governor, "performance")) {
		snprintf(msg, sizeof(msg), "CPU frequency governor is '%s', not 'performance': the clock "
			 "speed changes under the benchmark", governor);
		warn(list, "governor", msg);
	}
	if (no_turbo && strcmp(no_turbo, "0") == 0)
		warn(list, "turbo", "turbo boost is on: the clock speed depends on temperature and load");
}

static void check_kernel(const json_t *env, json_t *list)
{
	const char *thp = env_text(env, "kernel_settings", "thp_enabled");
	const char *paranoid = env_text(env, "kernel_settings", "perf_event_paranoid");
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
	if (paranoid && atoi(paranoid) > 2)
		warn(list, "perf-paranoid", "perf_event_paranoid > 2: fault counts come from getrusage only");
}

json_t *fb_syscheck(const json_t *environment)
{
	json_t *list = json_array();

	check_vm(environment, list);
	check_load_and_cores(environment, list);
	check_frequency(environment, list);
	check_kernel(environment, list);
	return list;
}
