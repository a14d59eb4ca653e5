/* manifest.c - capture the environment of a run (see manifest.h). */
#define _GNU_SOURCE
#include "manifest.h"

#include <dirent.h>
#include <gnu/libc-version.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "conditions.h"
#include "files.h"
#include "proc.h"

/* One kernel or machine setting read from a file: a row per setting. */
struct setting {
	const char *key;
	const char *path;
	const char *why;   /* how it shapes the figures */
};

static const struct setting settings[] = {
	{ "thp_enabled", "/sys/kernel/mm/transparent_hugepage/enabled", "THP mode decides how fork copies the region" },
	{ "thp_defrag", "/sys/kernel/mm/transparent_hugepage/defrag", "whether huge pages are compacted on fault" },
	{ "aslr", "/proc/sys/kernel/randomize_va_space", "address layout noise" },
	{ "perf_event_paranoid", "/proc/sys/kernel/perf_event_paranoid", "whether perf_event_open counts faults" },
	{ "pid_max", "/proc/sys/kernel/pid_max", "PID limit (lecture: 32768, up to ~4 million)" },
	{ "threads_max", "/proc/sys/kernel/threads-max", "system-wide task limit" },
	{ "overcommit_memory", "/proc/sys/vm/overcommit_memory", "whether fork of a large parent is refused" },
	{ "governor", "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "frequency scaling" },
	{ "no_turbo", "/sys/devices/system/cpu/intel_pstate/no_turbo", "turbo boost" },
	{ "clocksource", "/sys/devices/system/clocksource/clocksource0/current_clocksource", "cost of clock_gettime" },
	{ "sys_vendor", "/sys/class/dmi/id/sys_vendor", "hypervisor or hardware vendor" },
	{ "product_name", "/sys/class/dmi/id/product_name", "machine model" },
	{ "loadavg", "/proc/loadavg", "load at start" },
};

static json_t *text_or_null(const char *path)
{
	char buf[512];
	return fb_read_line(path, buf, sizeof(buf)) == 0 ? json_string(buf) : json_null();
}

/* A setting as a JSON number where it is one ("32768"), else as text. */
static json_t *value_or_null(const char *path)
{
	char buf[512];
	return fb_read_line(path, buf, sizeof(buf)) == 0 ? fb_condition_value(buf) : json_null();
}

static json_t *settings_json(void)
{
	json_t *obj = json_object();
	char load[128];

	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
		json_object_set_new(obj, settings[i].key, value_or_null(settings[i].path));
	if (fb_read_line("/proc/loadavg", load, sizeof(load)) == 0)
		json_object_set_new(obj, "loadavg_1min", json_real(atof(load)));
	return obj;
}

/* Each file of a folder as "name": "first line" (CPU vulnerabilities). */
static json_t *folder_json(const char *dir_path)
{
	json_t *obj = json_object();
	DIR *dir = opendir(dir_path);
	struct dirent *e;
	char path[1024];

	while (dir && (e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir_path, e->d_name);
		json_object_set_new(obj, e->d_name, text_or_null(path));
	}
	if (dir)
		closedir(dir);
	return obj;
}

/* The value of the first line of path that starts with key: after a ':'
 * (a /proc-style "model name\t: value", blanks skipped) or, with sep '=',
 * right after "key=" (os-release, one pair of quotes removed). */
static json_t *file_field(const char *path, const char *key, char sep)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	size_t len = strlen(key);
	json_t *value = json_null();

	while (f && json_is_null(value) && fgets(line, sizeof(line), f)) {
		char *v = sep == '=' ? (line[len] == '=' ? line + len + 1 : NULL) : strchr(line, ':');
		if (strncmp(line, key, len) || !v)
			continue;
		v += sep == '=' ? 0 : 1 + strspn(v + 1, " \t");
		v[strcspn(v, "\n")] = '\0';
		size_t n = strlen(v);
		if (sep == '=' && n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
			v[n - 1] = '\0';
			v++;
		}
		json_decref(value);
		value = json_string(v);
	}
	if (f)
		fclose(f);
	return value;
}

static json_t *proc_field(const char *path, const char *key)
{
	return file_field(path, key, ':');
}

/* A "Key:   N kB" line of /proc/meminfo as the number N. */
static json_t *kib_field(const char *key)
{
	json_t *text = proc_field("/proc/meminfo", key);
	json_t *kib = json_is_string(text) ? json_integer(atoll(json_string_value(text))) : json_null();
	json_decref(text);
	return kib;
}

/* A KEY=value or KEY="value" line of /etc/os-release, unquoted. */
static json_t *os_release(const char *key)
{
	return file_field("/etc/os-release", key, '=');
}

static json_t *cpu_json(void)
{
	json_t *flags = proc_field("/proc/cpuinfo", "flags");
	const char *f = json_string_value(flags);
	json_t *cpu = json_pack("{s:o, s:I, s:b}", "model", proc_field("/proc/cpuinfo", "model name"),
				"cores_online", (json_int_t)sysconf(_SC_NPROCESSORS_ONLN),
				"hypervisor", f && strstr(f, " hypervisor"));
	json_decref(flags);
	json_object_set_new(cpu, "vulnerabilities", folder_json("/sys/devices/system/cpu/vulnerabilities"));
	return cpu;
}

/* The process and memory limits; cgroup limits are conditions.cgroup. */
static json_t *limits_json(void)
{
	struct rlimit nproc;
	json_t *obj = json_object();

	if (getrlimit(RLIMIT_NPROC, &nproc) == 0)
		json_object_set_new(obj, "rlimit_nproc", nproc.rlim_cur == RLIM_INFINITY ?
				    json_string("unlimited") : json_integer((json_int_t)nproc.rlim_cur));
	json_object_set_new(obj, "mem_total_kib", kib_field("MemTotal"));
	json_object_set_new(obj, "mem_available_kib", kib_field("MemAvailable"));
	return obj;
}

static json_t *command_or_null(const char *const argv[])
{
	char buf[256];
	return fb_command_line(argv, buf, sizeof(buf)) == 0 ? json_string(buf) : json_null();
}

static json_t *versions_json(void)
{
	struct utsname u;
	const char *gb[] = { "dpkg-query", "-W", "-f=${Version}", "libbenchmark-dev", NULL };
	const char *jansson[] = { "dpkg-query", "-W", "-f=${Version}", "libjansson-dev", NULL };
	json_t *obj = json_object();

	if (uname(&u) == 0) {
		json_object_set_new(obj, "kernel", json_string(u.release));
		json_object_set_new(obj, "kernel_build", json_string(u.version));
		json_object_set_new(obj, "machine", json_string(u.machine));
	}
	json_object_set_new(obj, "distribution", os_release("PRETTY_NAME"));
	json_object_set_new(obj, "distribution_id", os_release("ID"));
	json_object_set_new(obj, "distribution_version", os_release("VERSION_ID"));
	json_object_set_new(obj, "compiler", json_string("gcc " __VERSION__));
	json_object_set_new(obj, "glibc", json_string(gnu_get_libc_version()));
	json_object_set_new(obj, "google_benchmark", command_or_null(gb));
	json_object_set_new(obj, "jansson", command_or_null(jansson));
	return obj;
}

static json_t *git_json(const char *repo_dir)
{
	const char *rev[] = { "git", "-C", repo_dir, "rev-parse", "HEAD", NULL };
	const char *dirty[] = { "git", "-C", repo_dir, "status", "--porcelain", "--untracked-files=no", NULL };
	char buf[256];
	json_t *revision = command_or_null(rev);

	/* status prints nothing for a clean tree: any first line means dirty. */
	int status_ok = fb_command_line(dirty, buf, sizeof(buf)) == 0;
	return json_pack("{s:o, s:o}", "revision", revision,
			 "dirty", status_ok && json_is_string(revision) ? json_boolean(buf[0] != '\0') : json_null());
}

json_t *fb_manifest_environment(const char *repo_dir)
{
	json_t *env = json_object();

	json_object_set_new(env, "versions", versions_json());
	json_object_set_new(env, "cpu", cpu_json());
	json_object_set_new(env, "kernel_settings", settings_json());
	json_object_set_new(env, "limits", limits_json());
	json_object_set_new(env, "git", git_json(repo_dir));
	json_object_set_new(env, "conditions", fb_conditions_json());
	return env;
}

/* What a config field must be: a string, a positive integer, a number, or
 * a list of whole numbers (or, in older runs, a string of them). */
enum field_type { FIELD_STRING, FIELD_COUNT, FIELD_NUMBER, FIELD_LIST };

static const struct {
	const char *key;
	enum field_type type;
} config_fields[] = {
	{ "profile", FIELD_STRING }, { "sizes_mib", FIELD_LIST }, { "modes", FIELD_STRING },
	{ "repetitions", FIELD_COUNT }, { "min_time_s", FIELD_NUMBER },
};

/* A non-empty list of whole numbers. */
static int counts_ok(const json_t *v)
{
	const json_t *item;
	size_t i;

	json_array_foreach(v, i, item)
		if (!json_is_integer(item))
			return 0;
	return json_array_size(v) > 0;
}

static int field_ok(const json_t *v, enum field_type type)
{
	if (type == FIELD_LIST)
		return json_is_string(v) || counts_ok(v);
	if (type == FIELD_STRING)
		return json_is_string(v);
	if (type == FIELD_COUNT)
		return json_is_integer(v) && json_integer_value(v) > 0;
	return json_is_number(v) && json_number_value(v) >= 0;
}

static int warnings_ok(const json_t *warnings)
{
	size_t i;
	json_t *w;

	if (!json_is_array(warnings))
		return 0;
	json_array_foreach(warnings, i, w)
		if (!json_is_string(json_object_get(w, "name")) || !json_is_string(json_object_get(w, "message")))
			return 0;
	return 1;
}

int fb_manifest_check(const json_t *m, int need_config, char *why, size_t len)
{
	const json_t *cfg = json_object_get(m, "config");

	if (!json_is_object(m))
		return snprintf(why, len, "not a JSON object"), -1;
	if (!json_is_integer(json_object_get(m, "schema_version")) ||
	    json_integer_value(json_object_get(m, "schema_version")) != FB_SCHEMA_VERSION)
		return snprintf(why, len, "schema_version is not %d", FB_SCHEMA_VERSION), -1;
	if (!json_is_string(json_object_get(m, "run_id")))
		return snprintf(why, len, "run_id is not a string"), -1;
	if (need_config && !json_is_object(cfg))
		return snprintf(why, len, "config is not an object"), -1;
	for (size_t i = 0; need_config && i < sizeof(config_fields) / sizeof(config_fields[0]); i++)
		if (!field_ok(json_object_get(cfg, config_fields[i].key), config_fields[i].type))
			return snprintf(why, len, "config.%s is not a %s", config_fields[i].key,
					config_fields[i].type == FIELD_STRING ? "string" :
					config_fields[i].type == FIELD_LIST ? "list of whole numbers (or a string of them)" :
					config_fields[i].type == FIELD_COUNT ? "positive integer" : "non-negative number"), -1;
	if (!json_is_object(json_object_get(m, "environment")))
		return snprintf(why, len, "environment is not an object"), -1;
	if (json_object_get(m, "warnings") && !warnings_ok(json_object_get(m, "warnings")))
		return snprintf(why, len, "warnings is not a list of {name, message} strings"), -1;
	return 0;
}

json_t *fb_manifest_environment_here(void)
{
	char repo[PATH_MAX];

	fb_self_dir(repo, sizeof(repo) - 4);
	strcat(repo, "/..");
	return fb_manifest_environment(repo);
}

/* "0,1,16" of a list of whole numbers into buf. */
static const char *list_text(const json_t *list, char *buf, size_t len)
{
	const json_t *item;
	size_t i, used = 0;

	buf[0] = '\0';
	json_array_foreach(list, i, item)
		if (used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%lld", i ? "," : "",
						 (long long)json_integer_value(item));
	return buf;
}

const char *fb_manifest_text(const json_t *value, char *buf, size_t len)
{
	if (json_is_string(value))
		return json_string_value(value);
	if (json_is_integer(value))
		return snprintf(buf, len, "%lld", (long long)json_integer_value(value)), buf;
	if (json_is_real(value))
		return snprintf(buf, len, "%g", json_real_value(value)), buf;
	if (json_is_boolean(value))
		return json_is_true(value) ? "yes" : "no";
	if (counts_ok(value))   /* "0,1,16" as older runs recorded the sizes */
		return list_text(value, buf, len);
	if (json_is_array(value) || json_is_object(value)) {
		char *text = json_dumps(value, JSON_COMPACT);
		snprintf(buf, len, "%s", text ? text : "");
		free(text);
		return buf;
	}
	return NULL;
}

int fb_manifest_number(const json_t *value, enum fb_number_text how, double *out)
{
	const char *text = json_string_value(value);
	char *end;

	if (json_is_number(value))
		return *out = json_number_value(value), 0;
	if (!text)
		return -1;
	*out = strtod(text, &end);
	if (end == text)
		return -1;
	return how == FB_NUMBER_WHOLE && end[strspn(end, " \t\n")] != '\0' ? -1 : 0;
}
