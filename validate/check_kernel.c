/* check_kernel.c - kernel threads and PID limits as /proc shows them:
 * kthreadd is PID 2 and parents every other kernel thread, kernel threads
 * have no user address space, pid_max lies within the kernel's bounds. */
#define _GNU_SOURCE
#include "checks.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "region.h"
#include "files.h"

#define PF_KTHREAD 0x00200000UL   /* include/linux/sched.h: field 9 of /proc/PID/stat */

/* Skip reason when /proc shows no kthreadd (a PID namespace, a container,
 * or /proc mounted with hidepid), else NULL. */
static const char *no_kthreadd(void)
{
	struct fb_pstat st;

	if (fb_proc_stat(2, &st))
		return "no PID 2 in /proc: a PID namespace or container hides the kernel threads";
	if (!(st.flags & PF_KTHREAD))
		return "PID 2 is no kernel thread: /proc belongs to a PID namespace";
	return NULL;
}

int fb_check_kthreadd_is_pid_2(struct fb_vmsg *m)
{
	struct fb_pstat st;
	const char *why = no_kthreadd();

	if (why)
		return fb_skip(m, "%s", why);
	fb_proc_stat(2, &st);
	if (strcmp(st.comm, "kthreadd") || st.ppid != 0)
		return fb_fail(m, "PID 2 is " FB_GOT("'%s' with parent %d") ", expected " FB_EXPECTED("kthreadd with parent 0"),
			       st.comm, st.ppid);
	return FB_CHECK_PASS;
}

/* For every kernel thread in /proc: seen(pid, stat) returns 0 when it
 * behaves, else fills m. The number of kernel threads, or -1 on the first
 * that misbehaves. Threads that exit meanwhile are passed over. */
static int each_kthread(int (*seen)(int pid, const struct fb_pstat *st, struct fb_vmsg *m), struct fb_vmsg *m)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	struct fb_pstat st;
	int count = 0, bad = 0;

	while (d && !bad && (e = readdir(d))) {
		int pid = atoi(e->d_name);
		if (pid <= 0 || fb_proc_stat(pid, &st) || !(st.flags & PF_KTHREAD))
			continue;
		count++;
		bad = seen(pid, &st, m);
	}
	if (d)
		closedir(d);
	return bad ? -1 : count;
}

static int parent_is_kthreadd(int pid, const struct fb_pstat *st, struct fb_vmsg *m)
{
	if (st->ppid == (pid == 2 ? 0 : 2))
		return 0;
	fb_fail(m, "kernel thread %d (%s) has parent " FB_GOT("%d") ", expected " FB_EXPECTED("%d"), pid, st->comm, st->ppid,
		pid == 2 ? 0 : 2);
	return 1;
}

int fb_check_kthreads_parent_kthreadd(struct fb_vmsg *m)
{
	const char *why = no_kthreadd();

	if (why)
		return fb_skip(m, "%s", why);
	int count = each_kthread(parent_is_kthreadd, m);
	if (count < 0)
		return FB_CHECK_FAIL;
	return count > 1 ? FB_CHECK_PASS : fb_fail(m, "only " FB_GOT("%d") " kernel thread found in /proc ("
							   FB_EXPECTED("kthreadd and more") ")", count);
}

/* No mm: /proc/PID/status prints no Vm* lines at all. */
static int has_no_vmsize(int pid, const struct fb_pstat *st, struct fb_vmsg *m)
{
	long kib = 0;
	if (fb_status_kib(pid, "VmSize", &kib) != 0)
		return 0;
	fb_fail(m, "kernel thread %d (%s) shows " FB_GOT("VmSize: %ld kB") " (" FB_EXPECTED("no VmSize") ")", pid, st->comm, kib);
	return 1;
}

int fb_check_kthreads_no_user_memory(struct fb_vmsg *m)
{
	const char *why = no_kthreadd();

	if (why)
		return fb_skip(m, "%s", why);
	int count = each_kthread(has_no_vmsize, m);
	if (count < 0)
		return FB_CHECK_FAIL;
	return count > 0 ? FB_CHECK_PASS : fb_fail(m, FB_GOT("no kernel thread") " found in /proc (" FB_EXPECTED("at least one") ")");
}

/* RESERVED_PIDS + 1 and PID_MAX_LIMIT (64-bit) of include/linux/threads.h. */
int fb_check_pid_max_in_range(struct fb_vmsg *m)
{
	char line[64];
	int err = fb_read_line("/proc/sys/kernel/pid_max", line, sizeof(line));

	if (err)
		return fb_skip(m, "/proc/sys/kernel/pid_max: %s", strerror(-err));
	long pid_max = strtol(line, NULL, 10);
	if (pid_max < 301 || pid_max > 4194304)
		return fb_fail(m, "pid_max is " FB_GOT("%ld") ", outside " FB_EXPECTED("[301, 4194304]"), pid_max);
	return FB_CHECK_PASS;
}
