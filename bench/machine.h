/* machine.h - the machine's limits and CPUs as the families' ops see them,
 * in one place: a number read from /proc or /sys, the limit a failed call
 * ran into (named with its value, for a no-resource reason), and the CPUs a
 * task may use here. Read with open/read into the caller's stack, never
 * stdio: an op must not grow the worker's heap (bench/shape.c, proc_read). */
#ifndef FB_MACHINE_H
#define FB_MACHINE_H

#include <sched.h>   /* cpu_set_t: include after _GNU_SOURCE is defined */
#include <stddef.h>

/* The number after name in a short file (one read: a sysctl, /proc/self/
 * status); name "" for the first number. -1 when unreadable or when no
 * number follows (pids.max's "max"). */
long fb_proc_number(const char *path, const char *name);
/* The limit err stands for, with its value: EMFILE "RLIMIT_NOFILE 1024",
 * ENFILE "fs.file-max N", ENOMEM "vm.max_map_count N", EAGAIN the pid limit
 * most likely hit (RLIMIT_NPROC unless root, which it does not bind; a pids
 * cgroup's pids.max; kernel.pid_max and threads-max). "" for any other err. */
void fb_limit_text(int err, char *buf, size_t len);
/* A CPU list, the one grammar of sysfs's lists and forkbench run --cpus:
 * CPU numbers N and ranges N-M (N <= M), comma-separated, nothing else
 * ("0-3,6"; read a sysfs file's newline off first), into set. 0, or -1 when
 * text is not such a list, names no CPU, or names one at or above ncpus. */
int fb_cpu_list_parse(const char *text, long ncpus, cpu_set_t *set);
/* The CPUs a task may use here: those online within pid 1's mask (a
 * container's cpuset); not this process's own mask, which forkbench run pins
 * to one CPU. Falls back to what can be read, at worst CPU 0. */
void fb_cpus_usable(cpu_set_t *set);

#endif
