/* proc.h - child processes tied to us (spawned, waited for, their first line of output), our own folder, CPUs and the clock. */
#ifndef FB_PROC_H
#define FB_PROC_H

#include <stddef.h>

/* Run argv (no shell) and capture the first line of its stdout; 0 when it
 * exited 0, else -1. The child is always reaped. */
int fb_command_line(const char *const argv[], char *buf, size_t len);
/* One file descriptor of a child set up before exec: fd opened from path
 * with flags (mode 0644), or, with path NULL, a copy of our descriptor from. */
struct fb_fd_action {
	int fd;
	const char *path;
	int flags;
	int from;
};
/* Start argv (PATH searched) with the actions applied, tied to us: it gets
 * SIGKILL when we die (PR_SET_PDEATHSIG, set before exec and checked
 * against a parent that died first), so nothing forkbench starts outlives
 * it, even after a SIGKILL. own_group: in a process group of its own, for
 * the caller to signal as a whole. The pid, or -errno (the exec's own error
 * when the program could not be run). */
long fb_spawn(const char *const argv[], const struct fb_fd_action *actions, size_t nactions, int own_group);
/* Send sig to the process group of the child fb_spawn started with
 * own_group that is being waited for now, if any. Async-signal-safe. */
void fb_spawn_signal_running(int sig);
/* A child of fb_spawn reaped by the caller's own waitpid: forget it. */
void fb_spawn_done(long pid);
/* waitpid that retries on EINTR; the wait status, or -1 (then forgotten
 * as by fb_spawn_done). */
int fb_wait(long pid);
/* Seconds in which some task of the machine waited for a CPU since boot
 * (the kernel's pressure stall information, /proc/pressure/cpu "some ...
 * total=" in us), or NAN without PSI: a busy machine's share of a span. */
double fb_cpu_waited_s(void);
/* CLOCK_MONOTONIC in seconds: for timeouts and elapsed times. */
double fb_now_s(void);
/* The folder holding this executable (its build folder). */
void fb_self_dir(char *buf, size_t len);
/* The highest-numbered CPU in a cpu_set_t of setsize bytes (CPU_ISSET_S),
 * or -1 when it holds none: the one CPU of the one-cpu placement. */
int fb_cpu_last(const void *set, size_t setsize);

#endif
