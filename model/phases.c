/* phases.c - traced round trips summarised into phases per benchmark, and
 * phases.json both ways (see phases.h). */
#define _GNU_SOURCE
#include "phases.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "stats.h"

static const struct {
	const char *name, *event;
} marks[FB_MARKS] = {
	[FB_MARK_ENTER] = { "enter", "syscalls:sys_enter_clone/clone3/vfork (parent)" },
	[FB_MARK_CREATED] = { "created", "task:task_newtask" },
	[FB_MARK_PARENT_BACK] = { "parent_back", "syscalls:sys_exit_clone/clone3/vfork (parent)" },
	[FB_MARK_WAIT] = { "wait", "syscalls:sys_enter_wait4 (parent)" },
	[FB_MARK_FIRST_RUN] = { "first_run", "sched:sched_switch (to the child)" },
	[FB_MARK_CHILD_BACK] = { "child_back", "syscalls:sys_exit_clone/clone3/vfork (child)" },
	[FB_MARK_EXEC] = { "exec", "syscalls:sys_enter_execve (child)" },
	[FB_MARK_EXEC_DONE] = { "exec_done", "sched:sched_process_exec" },
	[FB_MARK_EXIT] = { "exit", "syscalls:sys_enter_exit_group (child)" },
	[FB_MARK_EXITED] = { "exited", "sched:sched_process_exit" },
	[FB_MARK_GONE] = { "gone", "sched:sched_switch (from the dead child)" },
	[FB_MARK_REAPED] = { "reaped", "syscalls:sys_exit_wait4 (parent)" },
};

static const char *const fault_names[FB_FAULT_KINDS] = { "cow", "write", "read", "exec", "kernel" };

/* The phases a reader asks about, by the marks that bound them. */
static const struct {
	enum fb_mark from, to;
	const char *name;
} phase_names[] = {
	{ FB_MARK_ENTER, FB_MARK_CREATED, "copy" },
	{ FB_MARK_CREATED, FB_MARK_PARENT_BACK, "parent_return" },
	{ FB_MARK_PARENT_BACK, FB_MARK_WAIT, "parent_to_wait" },
	{ FB_MARK_WAIT, FB_MARK_FIRST_RUN, "switch_to_child" },
	{ FB_MARK_CREATED, FB_MARK_FIRST_RUN, "child_wait" },
	{ FB_MARK_FIRST_RUN, FB_MARK_CHILD_BACK, "child_return" },
	{ FB_MARK_CHILD_BACK, FB_MARK_EXIT, "child_run" },
	{ FB_MARK_CHILD_BACK, FB_MARK_EXEC, "child_to_exec" },
	{ FB_MARK_EXEC, FB_MARK_EXEC_DONE, "exec" },
	{ FB_MARK_EXEC_DONE, FB_MARK_EXIT, "image_run" },
	{ FB_MARK_EXIT, FB_MARK_EXITED, "exit" },
	{ FB_MARK_EXITED, FB_MARK_GONE, "exit_teardown" },
	{ FB_MARK_GONE, FB_MARK_REAPED, "reap" },
	{ FB_MARK_WAIT, FB_MARK_REAPED, "reap" },
	/* vfork and CLONE_VFORK: the parent sleeps until the child execs or exits */
	{ FB_MARK_EXITED, FB_MARK_PARENT_BACK, "parent_resumes" },
	{ FB_MARK_EXEC, FB_MARK_PARENT_BACK, "exec_releases_parent" },
	{ FB_MARK_WAIT, FB_MARK_GONE, "exit_teardown" },
	{ FB_MARK_WAIT, FB_MARK_EXEC_DONE, "exec_rest" },
};

const char *fb_mark_name(enum fb_mark m)
{
	return marks[m].name;
}

const char *fb_mark_event(enum fb_mark m)
{
	return marks[m].event;
}

const char *fb_fault_kind_name(enum fb_fault_kind k)
{
	return fault_names[k];
}

void fb_phase_name(enum fb_mark from, enum fb_mark to, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(phase_names) / sizeof(phase_names[0]); i++)
		if (phase_names[i].from == from && phase_names[i].to == to) {
			snprintf(buf, len, "%s", phase_names[i].name);
			return;
		}
	snprintf(buf, len, "%s_to_%s", marks[from].name, marks[to].name);
}

/* --- one benchmark's round trips -> its phases --------------------------- */

/* An iteration's marks in the order they came (ties: the marks' own
 * order), 4 bits each: the path, comparable between iterations. */
static uint64_t iter_path(const struct fb_trace_iter *it, enum fb_mark *order, size_t *n)
{
	uint64_t path = 0;

	*n = 0;
	for (int m = 0; m < FB_MARKS; m++) {
		if (isnan(it->at_us[m]))
			continue;
		size_t at = *n;
		while (at > 0 && it->at_us[order[at - 1]] > it->at_us[m]) {
			order[at] = order[at - 1];
			at--;
		}
		order[at] = (enum fb_mark)m;
		(*n)++;
	}
	for (size_t i = 0; i < *n; i++)
		path = path << 4 | (uint64_t)order[i];
	return path;
}

/* The path most round trips took. */
static uint64_t usual_path(const struct fb_trace_read *r)
{
	enum fb_mark order[FB_MARKS];
	uint64_t best = 0;
	size_t best_count = 0, n;

	for (size_t i = 0; i < r->count; i++) {
		uint64_t path = iter_path(&r->iters[i], order, &n);
		size_t count = 0;
		for (size_t j = 0; j < r->count; j++)
			count += iter_path(&r->iters[j], order, &n) == path;
		if (count > best_count)
			best = path, best_count = count;
	}
	return best;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The phase from -> to over the round trips on the usual path. */
static void summarise_phase(const struct fb_trace_read *r, uint64_t path, struct fb_phase *ph, double *values)
{
	enum fb_mark order[FB_MARKS];
	size_t n = 0, marks_n;

	for (size_t i = 0; i < r->count; i++) {
		const struct fb_trace_iter *it = &r->iters[i];
		if (iter_path(it, order, &marks_n) != path)
			continue;
		values[n++] = it->at_us[ph->to] - it->at_us[ph->from];
		for (int t = 0; t < FB_TASKS; t++)
			for (int k = 0; k < FB_FAULT_KINDS; k++)
				ph->faults[t][k] += it->faults[ph->to][t][k];
	}
	qsort(values, n, sizeof(*values), cmp_double);
	ph->median_us = fb_quantile_sorted(values, n, 0.5);
	ph->p90_us = fb_quantile_sorted(values, n, 0.9);
	for (int t = 0; t < FB_TASKS; t++)
		for (int k = 0; k < FB_FAULT_KINDS; k++)
			ph->faults[t][k] /= (double)n;
}

/* Over every complete round trip: the span, events and faults. */
static void summarise_whole(const struct fb_trace_read *r, struct fb_phase_bench *b, double *values)
{
	for (size_t i = 0; i < r->count; i++) {
		const struct fb_trace_iter *it = &r->iters[i];
		values[i] = it->at_us[FB_MARK_REAPED] - it->at_us[FB_MARK_ENTER];
		b->events += (double)it->events / (double)r->count;
		for (int m = 0; m < FB_MARKS; m++)
			for (int t = 0; t < FB_TASKS; t++)
				for (int k = 0; k < FB_FAULT_KINDS; k++)
					b->faults[t][k] += it->faults[m][t][k] / (double)r->count;
	}
	b->span_us = fb_median(values, r->count);
}

void fb_phases_summarise(const struct fb_trace_read *r, struct fb_phase_bench *b)
{
	enum fb_mark order[FB_MARKS];
	size_t n = 0;

	b->complete = r->count;
	b->incomplete = r->incomplete;
	b->lost_events = r->lost_events;
	b->nphases = 0;
	b->on_path = 0;
	if (!r->count) {
		if (!b->error[0])
			snprintf(b->error, sizeof(b->error), "no whole round trip in the trace (%zu started, %zu events lost)",
				 r->incomplete, r->lost_events);
		return;
	}
	double *values = malloc(r->count * sizeof(*values));
	if (!values) {
		snprintf(b->error, sizeof(b->error), "out of memory");
		return;
	}
	uint64_t path = usual_path(r);
	for (size_t i = 0; i < r->count; i++)
		if (iter_path(&r->iters[i], order, &n) == path)
			b->on_path++;
	for (size_t i = 0; i < r->count && iter_path(&r->iters[i], order, &n) != path; i++)
		;
	for (size_t i = 0; i + 1 < n; i++) {
		struct fb_phase *ph = &b->phases[b->nphases++];
		memset(ph, 0, sizeof(*ph));
		ph->from = order[i];
		ph->to = order[i + 1];
		summarise_phase(r, path, ph, values);
	}
	summarise_whole(r, b, values);
	free(values);
}
