/* probe.h - what this machine's kernel and limits allow, probed by the
 * tests themselves, without the production code they check: the
 * independent reason a test needs before it accepts a skip or a
 * no-resource, and the machine-wide counters it checks figures against. */
#ifndef FB_PROBE_H
#define FB_PROBE_H

/* (needs _GNU_SOURCE, which every test defines first) */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* clone3 with no arguments: EINVAL (or EFAULT) where it exists, ENOSYS
 * before Linux 5.3. */
static inline int probe_have_clone3(void)
{
	return syscall(SYS_clone3, NULL, 0) < 0 && errno != ENOSYS;
}

/* A pidfd of this very process, from pidfd_open, takes signal 0, and a
 * waitid(P_PIDFD) on it finds no child of ours (ECHILD; EINVAL where
 * P_PIDFD is unknown, before 5.4). */
static inline int probe_have_pidfd_calls(void)
{
	siginfo_t info;
	int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	int signals = pidfd >= 0 && syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0;
	int waits = pidfd >= 0 && waitid((idtype_t)3 /* P_PIDFD */, (id_t)pidfd, &info, WEXITED | WNOHANG) < 0 &&
		    errno == ECHILD;

	if (pidfd >= 0)
		close(pidfd);
	return signals && waits;
}

/* The number a /proc/sys file holds (kernel/threads-max,
 * vm/max_map_count), or -1 when unreadable. */
static inline long probe_proc_number(const char *path)
{
	FILE *f = fopen(path, "r");
	long value = -1;

	if (f && fscanf(f, "%ld", &value) != 1)
		value = -1;
	if (f)
		fclose(f);
	return value;
}

/* The counter after "key " in a /proc file of "key value" lines
 * (/proc/stat's processes, /proc/vmstat's thp_split_pmd), or -1. */
static inline long long probe_proc_counter(const char *path, const char *key)
{
	FILE *f = fopen(path, "r");
	char line[256], format[96];
	long long value = -1;

	snprintf(format, sizeof(format), "%s %%lld", key);
	while (f && value < 0 && fgets(line, sizeof(line), f))
		if (sscanf(line, format, &value) != 1)
			value = -1;
	if (f)
		fclose(f);
	return value;
}

/* Room for a burst of count threads: RLIMIT_NPROC (its soft value,
 * whoever we are) and kernel.threads-max each at least 2 x count. 1 or 0. */
static inline int probe_room_for_threads(long count)
{
	struct rlimit nproc;
	long threads_max = probe_proc_number("/proc/sys/kernel/threads-max");

	if (getrlimit(RLIMIT_NPROC, &nproc) == 0 && nproc.rlim_cur != RLIM_INFINITY &&
	    nproc.rlim_cur < (rlim_t)(2 * count))
		return 0;
	return threads_max < 0 || threads_max >= 2 * count;
}

#endif
