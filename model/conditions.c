/* conditions.c - the machine conditions that move fork figures, for the
 * manifest: memory management behind the benchmark's back (DAMON, khugepaged,
 * KSM, swap, zswap, NUMA balancing), SMT, the kernel command line, the CPUs
 * and the cgroup limits the run had. Read-only; anything unreadable is null. */
#define _GNU_SOURCE
#include "conditions.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"

#define THP_DIR "/sys/kernel/mm/transparent_hugepage"
#define DAMON_ADMIN "/sys/kernel/mm/damon/admin"
#define DAMON_DIR DAMON_ADMIN "/kdamonds"

/* One setting read from a file: a number where it is one, else the text. */
struct condition {
	const char *key;
	const char *path;
	const char *why;   /* how it moves the figures */
};

static const struct condition memory_conditions[] = {
	{ "khugepaged_defrag", THP_DIR "/khugepaged/defrag", "khugepaged compacts memory to collapse huge pages" },
	{ "khugepaged_pages_to_scan", THP_DIR "/khugepaged/pages_to_scan", "how much khugepaged scans per wake-up" },
	{ "khugepaged_scan_sleep_ms", THP_DIR "/khugepaged/scan_sleep_millisecs", "how often it wakes up" },
	{ "khugepaged_alloc_sleep_ms", THP_DIR "/khugepaged/alloc_sleep_millisecs", "back-off after a failed allocation" },
	{ "khugepaged_max_ptes_none", THP_DIR "/khugepaged/max_ptes_none", "how sparse a range it still collapses" },
	{ "thp_shmem_enabled", THP_DIR "/shmem_enabled", "huge pages for shared memory" },
	{ "ksm_run", "/sys/kernel/mm/ksm/run", "KSM merges identical pages: a COW fault then breaks the merge" },
	{ "ksm_pages_shared", "/sys/kernel/mm/ksm/pages_shared", "pages KSM merged" },
	{ "zswap_enabled", "/sys/module/zswap/parameters/enabled", "compressed swap cache" },
	{ "numa_balancing", "/proc/sys/kernel/numa_balancing", "NUMA hinting faults unmap pages behind the benchmark" },
	{ "smt_active", "/sys/devices/system/cpu/smt/active", "hyper-threads share a core's resources" },
	{ "smt_control", "/sys/devices/system/cpu/smt/control", "whether SMT can be switched" },
};

/* Kernel command-line parameters that change fork, COW or page costs. */
static const char *const cmdline_params[] = {
	"mitigations", "transparent_hugepage", "init_on_alloc", "init_on_free", "isolcpus", "nohz_full",
};

/* "123" as a number, anything else ("[madvise]", "on", a figure beyond
 * 64 bits) as text. */
json_t *fb_condition_value(const char *text)
{
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	return end != text && *end == '\0' && errno != ERANGE ? json_integer(v) : json_string(text);
}

static json_t *read_value(const char *path)
{
	char buf[512];
	return fb_read_line(path, buf, sizeof(buf)) == 0 ? fb_condition_value(buf) : json_null();
}

/* Each scheme of kdamond k as "ACTION on OPERATIONS" ("pageout on paddr":
 * it reclaims any process's cold memory, the benchmark's region included). */
static void damon_schemes(int k, json_t *actions)
{
	char path[512], ops[64], action[64];

	for (int c = 0; c < 8; c++) {
		snprintf(path, sizeof(path), DAMON_DIR "/%d/contexts/%d/operations", k, c);
		if (fb_read_line(path, ops, sizeof(ops)))
			return;
		for (int s = 0; s < 16; s++) {
			snprintf(path, sizeof(path), DAMON_DIR "/%d/contexts/%d/schemes/%d/action", k, c, s);
			if (fb_read_line(path, action, sizeof(action)))
				break;
			json_array_append_new(actions, json_sprintf("%s on %s", action, ops));
		}
	}
}

/* Kernel threads named kdamond* in /proc/PID/comm: DAMON started outside
 * the sysfs admin interface (DAMON_RECLAIM, DAMON_LRU_SORT, debugfs) runs
 * them too, and they may have no other trace readable here. */
static int count_kdamond_threads(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char path[300], comm[64];
	int n = 0;

	while (d && (e = readdir(d)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9') {
			snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
			n += fb_read_line(path, comm, sizeof(comm)) == 0 && strncmp(comm, "kdamond", 7) == 0;
		}
	if (d)
		closedir(d);
	return n;
}

/* Whether this user can read DAMON's sysfs admin interface: 0, or why not
 * in words into why ("" when there is none on this kernel). Its files are
 * root's, mode 0600: a normal user finds the folder but cannot read them. */
static int damon_sysfs_readable(char *why, size_t len)
{
	char nr[64];
	int err = fb_read_line(DAMON_DIR "/nr_kdamonds", nr, sizeof(nr));

	why[0] = '\0';
	if (err == 0 || access(DAMON_ADMIN, F_OK))
		return err;
	snprintf(why, len, "unknown: DAMON's sysfs (" DAMON_ADMIN ") is there but uid %u %s", (unsigned)getuid(),
		 err == -EACCES || err == -EPERM ? "has no permission to read it (its files are root's)"
						 : "cannot read it");
	if (err != -EACCES && err != -EPERM)
		snprintf(why + strlen(why), len - strlen(why), " (%s)", strerror(-err));
	return err;
}

/* The kdamonds that are on, what their schemes do, the kdamond threads
 * running, and whether the DAMON_RECLAIM module (a pageout on physical
 * addresses of its own) is enabled. Where the sysfs is there but
 * unreadable, kdamonds_on and scheme_actions say so in words (never 0 and
 * [], which would claim none), and sysfs_unreadable holds the reason. */
static json_t *damon_json(void)
{
	char path[512], state[64], why[200];
	int readable = damon_sysfs_readable(why, sizeof(why)) == 0, on = 0;
	json_t *damon = json_pack("{s:b, s:i, s:o}", "sysfs", readable, "kdamond_threads", count_kdamond_threads(),
				  "reclaim_enabled", read_value("/sys/module/damon_reclaim/parameters/enabled"));

	if (why[0]) {
		json_object_set_new(damon, "sysfs_unreadable", json_string(why));
		json_object_set_new(damon, "kdamonds_on", json_string(why));
		json_object_set_new(damon, "scheme_actions", json_string("unknown: DAMON's sysfs cannot be read by this user"));
		return damon;
	}
	json_t *actions = json_array();
	for (int k = 0; k < 64; k++) {
		snprintf(path, sizeof(path), DAMON_DIR "/%d/state", k);
		if (fb_read_line(path, state, sizeof(state)))
			break;
		if (strcmp(state, "on") == 0) {
			on++;
			damon_schemes(k, actions);
		}
	}
	json_object_set_new(damon, "kdamonds_on", json_integer(on));
	json_object_set_new(damon, "scheme_actions", actions);
	return damon;
}

/* SwapTotal, SwapFree and what is used of /proc/meminfo, in KiB. */
static json_t *swap_json(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	long long total = -1, free_kib = -1;

	while (f && fgets(line, sizeof(line), f)) {
		sscanf(line, "SwapTotal: %lld kB", &total);
		sscanf(line, "SwapFree: %lld kB", &free_kib);
	}
	if (f)
		fclose(f);
	return total < 0 || free_kib < 0 ? json_null() : json_pack("{s:I, s:I, s:I}", "total_kib", total, "free_kib",
								 free_kib, "used_kib", total - free_kib);
}

static int count_nodes(void)
{
	DIR *d = opendir("/sys/devices/system/node");
	struct dirent *e;
	int nodes = 0;

	while (d && (e = readdir(d)))
		nodes += strncmp(e->d_name, "node", 4) == 0 && e->d_name[4] >= '0' && e->d_name[4] <= '9';
	if (d)
		closedir(d);
	return nodes;
}

static json_t *cmdline_json(void)
{
	char line[4096], *save = NULL;

	if (fb_read_line("/proc/cmdline", line, sizeof(line)))
		return json_null();
	json_t *whole = json_string(line), *params = json_object();
	/* what follows "--" is init's arguments, not the kernel's */
	for (char *tok = strtok_r(line, " ", &save); tok && strcmp(tok, "--"); tok = strtok_r(NULL, " ", &save))
		for (size_t i = 0; i < sizeof(cmdline_params) / sizeof(cmdline_params[0]); i++) {
			size_t n = strlen(cmdline_params[i]);
			if (strncmp(tok, cmdline_params[i], n) == 0 && tok[n] == '=')
				json_object_set_new(params, cmdline_params[i], json_string(tok + n + 1));
		}
	return json_pack("{s:o?, s:o}", "line", whole, "params", params);   /* null: not UTF-8 */
}

/* "0-1" or "0,2-3": the CPUs this process may run on. */
static json_t *affinity_json(void)
{
	cpu_set_t set;
	char text[256] = "";
	size_t len = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return json_null();
	for (int c = 0; c < CPU_SETSIZE && len < sizeof(text) - 24; c++) {
		if (!CPU_ISSET(c, &set) || (c > 0 && CPU_ISSET(c - 1, &set)))
			continue;
		int hi = c;
		while (hi + 1 < CPU_SETSIZE && CPU_ISSET(hi + 1, &set))
			hi++;
		len += (size_t)snprintf(text + len, sizeof(text) - len, hi > c ? "%s%d-%d" : "%s%d", len ? "," : "", c, hi);
	}
	return json_pack("{s:s, s:i}", "cpus", text, "count", CPU_COUNT(&set));
}

/* Whether the comma-separated v1 controller list names controller exactly
 * ("cpu,cpuacct" names cpu; "cpuacct" alone does not). */
static int has_controller(const char *list, const char *controller)
{
	char padded[512], needle[64];

	snprintf(padded, sizeof(padded), ",%s,", list);
	snprintf(needle, sizeof(needle), ",%s,", controller);
	return strstr(padded, needle) != NULL;
}

/* v2 ("0::PATH"): cpu.max, cpu.weight, memory.max, memory.high, pids.max
 * of the process's cgroup; the unified tree sits under /sys/fs/cgroup, or
 * /sys/fs/cgroup/unified on a hybrid (v1 + v2) machine. */
static void cgroup_v2(const char *path, json_t *out)
{
	static const char *const files[] = { "cpu.max", "cpu.weight", "memory.max", "memory.high", "pids.max" };
	const char *root = access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0 ? "/sys/fs/cgroup"
										     : "/sys/fs/cgroup/unified";
	char file[1024];

	json_object_set_new(out, "v2_path", json_string(path));
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(file, sizeof(file), "%s%s/%s", root, strcmp(path, "/") ? path : "", files[i]);
		json_object_set_new(out, files[i], read_value(file));
	}
}

/* v1 ("N:CONTROLLERS:PATH"): the cpu quota and period of the cpu
 * controller, the memory controller's limit; the hierarchy is mounted at
 * /sys/fs/cgroup/CONTROLLERS ("cpu,cpuacct" where they are co-mounted). */
static void cgroup_v1(const char *controllers, const char *path, json_t *out)
{
	static const struct { const char *controller, *file, *key; } files[] = {
		{ "cpu", "cpu.cfs_quota_us", "v1_cpu_cfs_quota_us" },       /* -1: no quota */
		{ "cpu", "cpu.cfs_period_us", "v1_cpu_cfs_period_us" },
		{ "memory", "memory.limit_in_bytes", "v1_memory_limit_bytes" }, /* ~2^63: none */
	};
	char file[1024];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (has_controller(controllers, files[i].controller)) {
			snprintf(file, sizeof(file), "/sys/fs/cgroup/%s%s/%s", controllers,
				 strcmp(path, "/") ? path : "", files[i].file);
			json_object_set_new(out, files[i].key, read_value(file));
		}
}

/* The limits of every line of /proc/self/cgroup, v2 and v1 alike. */
static json_t *cgroup_json(void)
{
	FILE *f = fopen("/proc/self/cgroup", "r");
	char line[1024];
	json_t *out = json_object();

	while (f && fgets(line, sizeof(line), f)) {
		char *controllers = strchr(line, ':'), *path = controllers ? strchr(controllers + 1, ':') : NULL;
		if (!path)
			continue;
		*path++ = '\0';
		path[strcspn(path, "\n")] = '\0';
		if (controllers[1] == '\0')
			cgroup_v2(path, out);
		else
			cgroup_v1(controllers + 1, path, out);
	}
	if (f)
		fclose(f);
	return out;
}

json_t *fb_conditions_json(void)
{
	json_t *obj = json_object();

	for (size_t i = 0; i < sizeof(memory_conditions) / sizeof(memory_conditions[0]); i++)
		json_object_set_new(obj, memory_conditions[i].key, read_value(memory_conditions[i].path));
	json_object_set_new(obj, "damon", damon_json());
	json_object_set_new(obj, "swap", swap_json());
	json_object_set_new(obj, "numa_nodes", json_integer(count_nodes()));
	json_object_set_new(obj, "kernel_cmdline", cmdline_json());
	json_object_set_new(obj, "affinity", affinity_json());
	json_object_set_new(obj, "cgroup", cgroup_json());
	return obj;
}
