/* machine.c - the machine's limits and CPUs as the ops see them (machine.h). */
#define _GNU_SOURCE
#include "machine.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define SHORT_FILE 4096   /* a sysctl, /proc/self/status, /proc/self/cgroup */

/* The whole of a short file into text, NUL-terminated; its length or -1. */
static ssize_t read_short(const char *path, char *text, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got = fd < 0 ? -1 : read(fd, text, len - 1);

	if (fd >= 0)
		close(fd);
	text[got > 0 ? got : 0] = '\0';
	return got > 0 ? got : -1;
}

long fb_proc_number(const char *path, const char *name)
{
	char text[SHORT_FILE], *end;

	if (read_short(path, text, sizeof(text)) < 0)
		return -1;
	const char *at = *name ? strstr(text, name) : text;
	if (!at)
		return -1;
	at += strlen(name);
	long value = strtol(at, &end, 10);
	return end == at ? -1 : value;
}

/* pids.max of this process's pids cgroup (v2 "0::/path", v1 "N:pids:/path"),
 * or -1 when there is none or it is "max". */
static long pids_cgroup_max(void)
{
	char text[SHORT_FILE], path[SHORT_FILE + 64], *save = NULL;

	if (read_short("/proc/self/cgroup", text, sizeof(text)) < 0)
		return -1;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *controllers = strchr(line, ':');
		char *rel = controllers ? strchr(controllers + 1, ':') : NULL;
		if (rel && strncmp(controllers, "::", 2) == 0)
			snprintf(path, sizeof(path), "/sys/fs/cgroup%s/pids.max", rel + 1);
		else if (rel && strncmp(controllers, ":pids:", 6) == 0)
			snprintf(path, sizeof(path), "/sys/fs/cgroup/pids%s/pids.max", rel + 1);
		else
			continue;
		long max = fb_proc_number(path, "");
		if (max >= 0)
			return max;
	}
	return -1;
}

/* RLIMIT_NPROC counts the tasks of the real user and does not bind root
 * (nor CAP_SYS_RESOURCE/CAP_SYS_ADMIN); then the pids cgroup; then the
 * kernel's pid_max and threads-max. */
static void pid_limit_text(char *buf, size_t len)
{
	struct rlimit nproc;
	long pids_max = pids_cgroup_max();

	if (getuid() != 0 && getrlimit(RLIMIT_NPROC, &nproc) == 0 && nproc.rlim_cur != RLIM_INFINITY)
		snprintf(buf, len, "pid limit RLIMIT_NPROC is %llu (tasks of uid %d)", (unsigned long long)nproc.rlim_cur,
			 (int)getuid());
	else if (pids_max >= 0)
		snprintf(buf, len, "pid limit pids.max of the pids cgroup is %ld", pids_max);
	else
		snprintf(buf, len, "pid limit kernel.pid_max is %ld, kernel.threads-max %ld",
			 fb_proc_number("/proc/sys/kernel/pid_max", ""), fb_proc_number("/proc/sys/kernel/threads-max", ""));
}

void fb_limit_text(int err, char *buf, size_t len)
{
	struct rlimit files;

	if (err == EMFILE && getrlimit(RLIMIT_NOFILE, &files) == 0)
		snprintf(buf, len, "RLIMIT_NOFILE %llu", (unsigned long long)files.rlim_cur);
	else if (err == ENFILE)
		snprintf(buf, len, "fs.file-max %ld", fb_proc_number("/proc/sys/fs/file-max", ""));
	else if (err == ENOMEM)
		snprintf(buf, len, "vm.max_map_count %ld", fb_proc_number("/proc/sys/vm/max_map_count", ""));
	else if (err == EAGAIN)
		pid_limit_text(buf, len);
	else if (len)
		buf[0] = '\0';
}

int fb_cpu_list_parse(const char *text, long ncpus, cpu_set_t *set)
{
	const char *p = text;
	char *end;

	CPU_ZERO(set);
	while (*p) {
		long lo = strtol(p, &end, 10), hi = lo;
		if (end == p || lo < 0)
			return -1;
		if (*end == '-' && (p = end + 1, hi = strtol(p, &end, 10), end == p))
			return -1;
		if (hi < lo || hi >= ncpus || (*end && *end != ','))
			return -1;
		for (long cpu = lo; cpu <= hi; cpu++)
			CPU_SET(cpu, set);
		p = *end ? end + 1 : end;
	}
	return CPU_COUNT(set) ? 0 : -1;
}

void fb_cpus_usable(cpu_set_t *set)
{
	cpu_set_t init_cpus, both;
	char text[256];
	int have_read = read_short("/sys/devices/system/cpu/online", text, sizeof(text)) > 0;
	text[strcspn(text, "\n")] = '\0';
	int have_online = have_read && fb_cpu_list_parse(text, CPU_SETSIZE, set) == 0;
	int have_init = sched_getaffinity(1, sizeof(init_cpus), &init_cpus) == 0;

	if (have_online && have_init) {
		CPU_AND(&both, set, &init_cpus);
		if (CPU_COUNT(&both))
			*set = both;
	} else if (have_init) {
		*set = init_cpus;
	} else if (!have_online && sched_getaffinity(0, sizeof(*set), set)) {
		CPU_ZERO(set);
		CPU_SET(0, set);
	}
}
