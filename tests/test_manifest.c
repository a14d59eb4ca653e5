/* test_manifest.c - the environment a run records, read back against the
 * machine itself (distribution from os-release, settings as numbers, DAMON
 * from sysfs, the CPU affinity), and the warnings syscheck.c gives for
 * synthetic environments that trip each condition, and for one that trips
 * none. */
#define _GNU_SOURCE
#include <jansson.h>
#include <sched.h>
#include <string.h>

#include "check.h"
#include "manifest.h"
#include "syscheck.h"
#include "util.h"

/* PRETTY_NAME of /etc/os-release, parsed here independently. */
static int pretty_name(char *buf, size_t len)
{
	FILE *f = fopen("/etc/os-release", "r");
	char line[512];
	int found = -1;

	while (f && found && fgets(line, sizeof(line), f))
		if (strncmp(line, "PRETTY_NAME=", 12) == 0) {
			char *v = line + 12;
			v[strcspn(v, "\n")] = '\0';
			if (*v == '"')
				v[strlen(v) - 1] = '\0', v++;
			snprintf(buf, len, "%s", v);
			found = 0;
		}
	if (f)
		fclose(f);
	return found;
}

static void check_recorded(const json_t *env)
{
	json_t *versions = json_object_get(env, "versions"), *settings = json_object_get(env, "kernel_settings");
	json_t *cond = json_object_get(env, "conditions");
	char expect[512], line[64];

	if (pretty_name(expect, sizeof(expect)) == 0) {
		const char *got = json_string_value(json_object_get(versions, "distribution"));
		CHECK(got && strcmp(got, expect) == 0, "distribution is os-release's PRETTY_NAME, unquoted",
		      "recorded '%s', os-release '%s'", got ? got : "(null)", expect);
	} else
		SKIP("distribution is os-release's PRETTY_NAME, unquoted", "no PRETTY_NAME in /etc/os-release");
	fb_read_line("/proc/sys/kernel/pid_max", line, sizeof(line));
	json_t *pid_max = json_object_get(settings, "pid_max");
	CHECK(json_is_integer(pid_max) && json_integer_value(pid_max) == atoll(line),
	      "pid_max is a JSON integer equal to /proc/sys/kernel/pid_max", "recorded type %d, /proc %s",
	      json_typeof(pid_max), line);
	CHECK(json_is_integer(json_object_get(json_object_get(env, "limits"), "mem_total_kib")) &&
	      json_is_number(json_object_get(settings, "loadavg_1min")),
	      "MemTotal (KiB) and the 1-minute load are numbers", "types wrong");
	cpu_set_t set;
	sched_getaffinity(0, sizeof(set), &set);
	CHECK(json_integer_value(json_object_get(json_object_get(cond, "affinity"), "count")) == CPU_COUNT(&set),
	      "CPU affinity count recorded", "recorded %lld, sched_getaffinity %d",
	      (long long)json_integer_value(json_object_get(json_object_get(cond, "affinity"), "count")), CPU_COUNT(&set));
}

/* kdamond 0 as sysfs shows it, against what was recorded. */
static void check_damon(const json_t *env)
{
	json_t *damon = json_object_get(json_object_get(env, "conditions"), "damon");
	char state[32];
	int on = 0;

	if (fb_read_line("/sys/kernel/mm/damon/admin/kdamonds/nr_kdamonds", state, sizeof(state))) {
		SKIP("running kdamonds recorded as sysfs shows them", "no DAMON sysfs interface on this kernel");
		return;
	}
	for (int k = 0; k < 64; k++) {
		char path[128];
		snprintf(path, sizeof(path), "/sys/kernel/mm/damon/admin/kdamonds/%d/state", k);
		if (fb_read_line(path, state, sizeof(state)))
			break;
		on += strcmp(state, "on") == 0;
	}
	CHECK(json_integer_value(json_object_get(damon, "kdamonds_on")) == on &&
	      (on == 0) == (json_array_size(json_object_get(damon, "scheme_actions")) == 0),
	      "running kdamonds and their scheme actions recorded as sysfs shows them", "recorded %lld, sysfs %d",
	      (long long)json_integer_value(json_object_get(damon, "kdamonds_on")), on);
}

static int has_warning(const json_t *warnings, const char *name)
{
	size_t i;
	json_t *w;
	json_array_foreach(warnings, i, w)
		if (strcmp(json_string_value(json_object_get(w, "name")), name) == 0)
			return 1;
	return 0;
}

/* One synthetic environment per warning: the condition given as JSON. */
static void check_warnings(void)
{
	static const char *const cases[][2] = {
		{ "damon", "{\"conditions\": {\"damon\": {\"kdamonds_on\": 1, \"scheme_actions\": [\"pageout on paddr\"]}}}" },
		{ "ksm", "{\"conditions\": {\"ksm_run\": 1}}" },
		{ "swap", "{\"conditions\": {\"swap\": {\"total_kib\": 1048576, \"free_kib\": 1048576}}}" },
		{ "zswap", "{\"conditions\": {\"zswap_enabled\": \"Y\"}}" },
		{ "numa-balancing", "{\"conditions\": {\"numa_balancing\": 1, \"numa_nodes\": 2}}" },
		{ "smt", "{\"conditions\": {\"smt_active\": 1}}" },
		{ "cmdline", "{\"conditions\": {\"kernel_cmdline\": {\"params\": {\"mitigations\": \"off\"}}}}" },
		{ "cmdline", "{\"conditions\": {\"kernel_cmdline\": {\"params\": {\"init_on_alloc\": \"1\"}}}}" },
		{ "affinity", "{\"cpu\": {\"cores_online\": 4}, \"conditions\": {\"affinity\": {\"count\": 2, \"cpus\": \"0-1\"}}}" },
		{ "cgroup-cpu", "{\"conditions\": {\"cgroup\": {\"cpu.max\": \"50000 100000\"}}}" },
		{ "cgroup-memory", "{\"limits\": {\"mem_total_kib\": 8388608}, \"conditions\": {\"cgroup\": {\"memory.max\": 1073741824}}}" },
		{ "steal", "{\"during_run\": {\"steal_pct\": 7.5}}" },
		{ "perf-paranoid", "{\"kernel_settings\": {\"perf_event_paranoid\": 3}}" },
		{ "load", "{\"cpu\": {\"cores_online\": 2}, \"kernel_settings\": {\"loadavg_1min\": 3.5}}" },
	};
	char name[160];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *env = json_loads(cases[i][1], 0, NULL);
		json_t *warnings = fb_syscheck(env);
		snprintf(name, sizeof(name), "warning '%s' from %s", cases[i][0], cases[i][1]);
		CHECK(env && has_warning(warnings, cases[i][0]), name, "%zu warnings", json_array_size(warnings));
		json_decref(warnings);
		json_decref(env);
	}
	/* A quiet machine: 8 cores, bare metal, everything off, no limits. */
	json_t *quiet = json_loads("{\"cpu\": {\"cores_online\": 8, \"hypervisor\": false}, "
				   "\"kernel_settings\": {\"thp_enabled\": \"always [madvise] never\", \"governor\": \"performance\", "
				   "\"perf_event_paranoid\": 1, \"loadavg_1min\": 0.1}, \"limits\": {\"mem_total_kib\": 8388608}, "
				   "\"conditions\": {\"damon\": {\"kdamonds_on\": 0, \"scheme_actions\": []}, \"ksm_run\": 0, "
				   "\"swap\": {\"total_kib\": 0}, \"zswap_enabled\": \"N\", \"numa_balancing\": 0, \"smt_active\": 0, "
				   "\"affinity\": {\"count\": 8, \"cpus\": \"0-7\"}, \"cgroup\": {\"cpu.max\": \"max 100000\", "
				   "\"memory.max\": \"max\"}}, \"during_run\": {\"steal_pct\": 0.2}}", 0, NULL);
	json_t *warnings = fb_syscheck(quiet);
	char *text = json_dumps(warnings, 0);
	CHECK(quiet && json_array_size(warnings) == 0, "a quiet bare-metal machine: no warning", "%s", text);
	free(text);
	json_decref(warnings);
	json_decref(quiet);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	json_t *env = fb_manifest_environment(".");
	check_recorded(env);
	check_damon(env);
	json_decref(env);
	check_warnings();
	return check_done();
}
