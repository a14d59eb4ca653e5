/* tracefs.h - an ftrace instance of our own (tracefs/instances/forkbench-PID):
 * a few tracepoints, recorded only for one process and what it forks
 * (set_event_pid with the event-fork option), timed by the CPU's own clock
 * where every traced task runs on one CPU, else by CLOCK_MONOTONIC. Written into the kernel's ring buffer, no
 * process reads while a batch runs: on this kind of machine a fork round
 * trip traced so read 1.00-1.05x the untraced one, where perf record of
 * five of the same events read 1.28-1.37x (its reader shares the CPUs). */
#ifndef FB_TRACEFS_H
#define FB_TRACEFS_H

#include <stddef.h>
#include <sys/types.h>

struct fb_tracefs {
	char dir[256];   /* the instance's folder; "" when not open */
	int optional_missing;   /* optional events this kernel lacks */
};

/* Create the instance with events[] (e.g. "sched/sched_switch") enabled but
 * tracing off; an event written "?exceptions/page_fault_user" is optional
 * (counted in optional_missing when absent). 0, or -errno with why in words: not root, no tracefs, an
 * event this kernel lacks (the instance is then removed again). */
int fb_tracefs_open(struct fb_tracefs *t, const char *const *events, char *why, size_t len);
/* The trace clock open chose: "local" or "mono". */
const char *fb_tracefs_clock(void);
/* Record pid and its children from now on (instead of whom it recorded),
 * into an emptied buffer when empty is set. */
int fb_tracefs_follow(struct fb_tracefs *t, pid_t pid, int empty);
int fb_tracefs_on(struct fb_tracefs *t, int on);
/* The buffer as the kernel prints it ("trace"), into path. */
int fb_tracefs_save(struct fb_tracefs *t, const char *path);
/* Remove the instances of processes that are gone: a forkbench-bench
 * killed by SIGKILL had no chance to (its buffers hold kernel memory).
 * Called by the next open, and by forkbench run after its benchmark
 * binary ended. */
void fb_tracefs_remove_stale(void);
/* Tracing off and the instance removed (and tracefs unmounted again if
 * open mounted it); async-signal-safe. */
void fb_tracefs_close(struct fb_tracefs *t);

#endif
