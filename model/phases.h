/* phases.h - where a spawn round trip's time goes: the kernel's trace of a
 * few of the run's own iterations (bench/phase_trace.c) read into marks,
 * each iteration cut at its marks into phases, and the phases of each
 * traced benchmark summarised, with the round trips the worker timed
 * itself while traced and untraced beside. */
#ifndef FB_PHASES_H
#define FB_PHASES_H

#include <stddef.h>
#include <sys/types.h>
#include <jansson.h>

#include "benchkey.h"

/* The moments of one round trip that a tracepoint marks, in the order of
 * a fork on one CPU (another primitive or placement orders them otherwise:
 * an iteration's phases run between its marks in the order they came). */
enum fb_mark {
	FB_MARK_ENTER,       /* the parent enters clone/clone3/vfork (sys_enter_*) */
	FB_MARK_CREATED,     /* task_newtask: the child exists, its copy done */
	FB_MARK_PARENT_BACK, /* the parent's sys_exit_* returning the child's pid */
	FB_MARK_WAIT,        /* the parent's sys_enter_wait4 */
	FB_MARK_FIRST_RUN,   /* the first sched_switch to the child */
	FB_MARK_CHILD_BACK,  /* the child's sys_exit_* (0): its first return to user space */
	FB_MARK_EXEC,        /* the child's sys_enter_execve */
	FB_MARK_EXEC_DONE,   /* sched_process_exec: the new image is in place */
	FB_MARK_EXIT,        /* the child's sys_enter_exit_group */
	FB_MARK_EXITED,      /* sched_process_exit */
	FB_MARK_GONE,        /* the child's last sched_switch, dead (Z or X) */
	FB_MARK_REAPED,      /* the parent's sys_exit_wait4 returning the child's pid */
	FB_MARKS
};

/* Page faults by kind, from page_fault_user's x86 error code: a write to a
 * present page (copy-on-write), a write to an absent one (a new page), a
 * read, an instruction fetch (code paged in: exec, or a fork child's text,
 * whose file-backed PTEs fork does not copy); and page_fault_kernel: the
 * kernel touching user memory (glibc's fork has it write the child's TID
 * into the child's stack on its first run, CLONE_CHILD_SETTID). */
enum fb_fault_kind { FB_FAULT_COW, FB_FAULT_WRITE, FB_FAULT_READ, FB_FAULT_EXEC, FB_FAULT_KERNEL, FB_FAULT_KINDS };
enum fb_fault_task { FB_TASK_PARENT, FB_TASK_CHILD, FB_TASKS };

/* A mark's name in phases.json and the tracepoint that gives it. */
const char *fb_mark_name(enum fb_mark m);
const char *fb_mark_event(enum fb_mark m);
const char *fb_fault_kind_name(enum fb_fault_kind k);
/* A phase's name, from the marks that bound it ("copy", "child_run"...;
 * "created_to_wait" for a pair without one). */
void fb_phase_name(enum fb_mark from, enum fb_mark to, char *buf, size_t len);

/* One traced round trip: its marks (NAN: not seen) and the faults taken
 * in the phase that ends at each mark. */
struct fb_trace_iter {
	double at_us[FB_MARKS];
	double faults[FB_MARKS][FB_TASKS][FB_FAULT_KINDS];
	size_t events;       /* of parent and child, from enter to reaped */
	pid_t parent, child;
};

/* What a trace file held. */
struct fb_trace_read {
	struct fb_trace_iter *iters;   /* complete round trips, in order */
	size_t count, cap;
	size_t incomplete;   /* started (enter seen) but not reaped in the trace */
	size_t lost_events;  /* the kernel's own count: entries written but not kept */
	size_t bad_lines;    /* lines that are not an event we read */
};

/* Read a trace as the kernel prints it (an instance's "trace" file);
 * parents: the processes whose spawn calls start a round trip. Lines may
 * come out of order (each CPU's buffer is printed in turn where the clock
 * disagrees): they are sorted by time first. 0, or -ENOMEM. */
int fb_trace_parse(const char *text, const pid_t *parents, size_t nparents, struct fb_trace_read *out);
void fb_trace_read_free(struct fb_trace_read *r);

/* One phase of a benchmark: between two marks, over the round trips that
 * took the benchmark's usual path. */
struct fb_phase {
	enum fb_mark from, to;
	double median_us, p90_us;
	double faults[FB_TASKS][FB_FAULT_KINDS];   /* mean per round trip */
};

struct fb_phase_bench {
	char name[256];
	struct fb_bench_key key;
	char error[256];          /* "" or why it has no phases */
	size_t ran;               /* traced round trips the worker made */
	size_t complete;          /* of those, whole in the trace */
	size_t on_path;           /* of those, along the usual path */
	size_t lost_events, incomplete;
	struct fb_phase phases[FB_MARKS - 1];
	size_t nphases;
	double span_us;           /* median of the traced round trips, enter to reaped */
	double traced_us;         /* the worker's own median round trip, traced batches */
	double untraced_us;       /* the same, untraced batches beside them */
	double overhead;          /* the median over rounds of a traced batch's median
				   * over the untraced batch's just before it */
	double events;            /* per round trip */
	double faults[FB_TASKS][FB_FAULT_KINDS];   /* mean per round trip, all phases */
};

struct fb_phases {
	int allowed;              /* tracing could run here */
	char why[256];            /* when not: which limit, in words */
	int faults_traced;        /* page_fault_user exists here */
	char clock[16];           /* the trace clock: "local" (one CPU) or "mono" */
	struct fb_phase_bench *benches;
	size_t count;
};

/* Summarise one trace (bench/phase_trace.c's rounds) into b. */
void fb_phases_summarise(const struct fb_trace_read *r, struct fb_phase_bench *b);
/* The phases pass's folder (points.json and N.trace) read and summarised.
 * 0, or -1 with err. */
int fb_phases_build(const char *trace_dir, struct fb_phases *out, char *err, size_t len);
/* Tracing was turned off, or did not run: why. */
void fb_phases_not_run(struct fb_phases *out, const char *why);
/* phases.json, both ways. */
json_t *fb_phases_json(const struct fb_phases *p);
int fb_phases_from_json(const json_t *j, struct fb_phases *out, char *err, size_t len);
void fb_phases_free(struct fb_phases *p);
/* The benchmark's phases by name, or NULL. */
const struct fb_phase_bench *fb_phases_find(const struct fb_phases *p, const char *name);

#endif
