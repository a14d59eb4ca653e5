/* trace_parse.c - an ftrace text trace ("comm-pid [cpu] flags secs.usecs:
 * event: fields") read into round trips and their marks (phases.h). Only
 * the events bench/phase_trace.c enables are read; any other line counts
 * as bad and is skipped, so a truncated last line costs one round trip. */
#define _GNU_SOURCE
#include "phases.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum ev_kind {
	EV_SPAWN_ENTER, EV_SPAWN_EXIT, EV_WAIT_ENTER, EV_WAIT_EXIT, EV_EXECVE, EV_EXIT_GROUP,
	EV_NEWTASK, EV_SWITCH, EV_EXEC_DONE, EV_EXITED, EV_FAULT, EV_FAULT_KERNEL,
};

struct event {
	double ts_us;
	size_t line;          /* order in the file: ties keep it */
	pid_t pid;            /* the task the event ran in */
	enum ev_kind kind;
	long long value;      /* a syscall's return, the new/exec'd/exited pid, the fault's error code */
	pid_t next_pid;       /* sched_switch */
	char prev_state;      /* sched_switch */
};

static long long field_number(const char *body, const char *name, int base)
{
	const char *at = strstr(body, name);
	return at ? strtoll(at + strlen(name), NULL, base) : -1;
}

/* "sys_clone3(uargs..." or "sys_clone3 -> 0x42f5": the syscall events,
 * which print no "name:" of their own. */
static int syscall_event(const char *body, struct event *e)
{
	static const struct { const char *name; enum ev_kind enter, exit; } calls[] = {
		{ "clone", EV_SPAWN_ENTER, EV_SPAWN_EXIT }, { "clone3", EV_SPAWN_ENTER, EV_SPAWN_EXIT },
		{ "vfork", EV_SPAWN_ENTER, EV_SPAWN_EXIT }, { "wait4", EV_WAIT_ENTER, EV_WAIT_EXIT },
		{ "execve", EV_EXECVE, EV_EXECVE }, { "exit_group", EV_EXIT_GROUP, EV_EXIT_GROUP },
	};
	size_t n = strcspn(body + 4, "( ");

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		if (strlen(calls[i].name) != n || strncmp(body + 4, calls[i].name, n))
			continue;
		if (body[4 + n] == '(') {
			e->kind = calls[i].enter;
			return 0;
		}
		if (strncmp(body + 4 + n, " -> 0x", 6) || calls[i].exit == calls[i].enter)
			return -1;
		e->kind = calls[i].exit;
		e->value = (long long)strtoull(body + 4 + n + 6, NULL, 16);
		return 0;
	}
	return -1;
}

static int named_event(const char *body, struct event *e)
{
	if (!strncmp(body, "task_newtask: ", 14))
		e->kind = EV_NEWTASK, e->value = field_number(body, " pid=", 10);
	else if (!strncmp(body, "sched_process_exec: ", 20))
		e->kind = EV_EXEC_DONE, e->value = field_number(body, " pid=", 10);
	else if (!strncmp(body, "sched_process_exit: ", 20))
		e->kind = EV_EXITED, e->value = field_number(body, " pid=", 10);
	else if (!strncmp(body, "page_fault_user: ", 17))
		e->kind = EV_FAULT, e->value = field_number(body, " error_code=", 16);
	else if (!strncmp(body, "page_fault_kernel: ", 19))
		e->kind = EV_FAULT_KERNEL, e->value = field_number(body, " error_code=", 16);
	else if (!strncmp(body, "sched_switch: ", 14)) {
		const char *state = strstr(body, " prev_state=");
		e->kind = EV_SWITCH;
		e->value = field_number(body, " prev_pid=", 10);
		e->next_pid = (pid_t)field_number(body, " next_pid=", 10);
		e->prev_state = state ? state[12] : '?';
	} else
		return -1;
	return e->value < 0 ? -1 : 0;
}

/* "           fb-worker-13078   [001] d..2. 30937.534071: body": the
 * comm may hold spaces and dashes, so the line is read from its "[cpu]". */
static int parse_line(const char *line, size_t index, struct event *e)
{
	const char *cpu = strstr(line, "] ");
	const char *open = cpu ? memrchr(line, '[', (size_t)(cpu - line)) : NULL;
	const char *dash = open ? memrchr(line, '-', (size_t)(open - line)) : NULL;
	char *end;

	if (!dash)
		return -1;
	memset(e, 0, sizeof(*e));
	e->line = index;
	e->pid = (pid_t)strtol(dash + 1, &end, 10);
	const char *ts = strchr(cpu + 2, ' ');   /* past the flags */
	if (end == dash + 1 || !ts)
		return -1;
	e->ts_us = strtod(ts, &end) * 1e6;
	if (end == ts || strncmp(end, ": ", 2))
		return -1;
	const char *body = end + 2;
	return strncmp(body, "sys_", 4) == 0 ? syscall_event(body, e) : named_event(body, e);
}

static int by_time(const void *a, const void *b)
{
	const struct event *x = a, *y = b;
	if (x->ts_us != y->ts_us)
		return x->ts_us < y->ts_us ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* "# entries-in-buffer/entries-written: 19202/19210" and the per-CPU
 * "CPU:1 [LOST 8 EVENTS]" lines: events the kernel could not keep. */
static void count_lost(const char *line, struct fb_trace_read *out)
{
	unsigned long kept, written;
	const char *lost = strstr(line, "[LOST ");

	if (sscanf(line, "# entries-in-buffer/entries-written: %lu/%lu", &kept, &written) == 2 && written > kept)
		out->lost_events += written - kept;
	else if (lost && strncmp(line, "CPU:", 4) == 0)
		out->lost_events += strtoul(lost + 6, NULL, 10);
}

static struct event *read_events(const char *text, size_t *count, struct fb_trace_read *out)
{
	size_t cap = 256, n = 0, index = 0;
	struct event *ev = malloc(cap * sizeof(*ev));

	for (const char *line = text; ev && line && *line; index++) {
		const char *nl = strchr(line, '\n');
		char buf[1024];
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		snprintf(buf, sizeof(buf), "%.*s", (int)(len < sizeof(buf) ? len : sizeof(buf) - 1), line);
		line = nl ? nl + 1 : NULL;
		if (buf[0] == '#' || strncmp(buf, "CPU:", 4) == 0 || !buf[0]) {
			count_lost(buf, out);
			continue;
		}
		if (n == cap) {
			struct event *more = realloc(ev, (cap *= 2) * sizeof(*ev));
			if (!more)
				break;
			ev = more;
		}
		if (parse_line(buf, index, &ev[n]) == 0)
			n++;
		else
			out->bad_lines++;
	}
	if (ev && n == cap) {   /* the realloc above failed */
		free(ev);
		return NULL;
	}
	*count = n;
	return ev;
}

static int is_parent(pid_t pid, const pid_t *parents, size_t nparents)
{
	for (size_t i = 0; i < nparents; i++)
		if (parents[i] == pid)
			return 1;
	return 0;
}

static void set_mark(struct fb_trace_iter *it, enum fb_mark m, double ts, int first)
{
	if (!first || isnan(it->at_us[m]))
		it->at_us[m] = ts;
}

/* One event of an open round trip: the mark it gives, if any. */
static void mark_event(struct fb_trace_iter *it, const struct event *e)
{
	int by_parent = e->pid == it->parent, by_child = it->child && e->pid == it->child;

	switch (e->kind) {
	case EV_NEWTASK: if (by_parent && !it->child) { it->child = (pid_t)e->value; set_mark(it, FB_MARK_CREATED, e->ts_us, 1); } break;
	case EV_SPAWN_EXIT:
		if (by_parent && e->value == it->child)
			set_mark(it, FB_MARK_PARENT_BACK, e->ts_us, 1);
		else if (by_child && e->value == 0)
			set_mark(it, FB_MARK_CHILD_BACK, e->ts_us, 1);
		break;
	case EV_WAIT_ENTER: if (by_parent) set_mark(it, FB_MARK_WAIT, e->ts_us, 1); break;
	case EV_EXECVE: if (by_child) set_mark(it, FB_MARK_EXEC, e->ts_us, 1); break;
	case EV_EXEC_DONE: if (it->child && e->value == it->child) set_mark(it, FB_MARK_EXEC_DONE, e->ts_us, 1); break;
	case EV_EXIT_GROUP: if (by_child) set_mark(it, FB_MARK_EXIT, e->ts_us, 1); break;
	case EV_EXITED: if (it->child && e->value == it->child) set_mark(it, FB_MARK_EXITED, e->ts_us, 1); break;
	case EV_SWITCH:
		if (it->child && e->next_pid == it->child)
			set_mark(it, FB_MARK_FIRST_RUN, e->ts_us, 1);
		else if (it->child && e->value == it->child && (e->prev_state == 'Z' || e->prev_state == 'X'))
			set_mark(it, FB_MARK_GONE, e->ts_us, 0);
		break;
	default: break;
	}
}

static enum fb_fault_kind fault_kind(long long code)
{
	/* x86 page fault error code: bit 0 present, 1 write, 4 instruction fetch */
	if (code & 0x10)
		return FB_FAULT_EXEC;
	if (code & 0x2)
		return code & 0x1 ? FB_FAULT_COW : FB_FAULT_WRITE;
	return FB_FAULT_READ;
}

/* Each fault goes to the phase it fell in: the one ending at the first
 * mark after it. */
static void place_faults(struct fb_trace_iter *it, const struct event *ev, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		const struct event *e = &ev[i];
		int task = e->pid == it->parent ? FB_TASK_PARENT : e->pid == it->child ? FB_TASK_CHILD : -1;
		if ((e->kind != EV_FAULT && e->kind != EV_FAULT_KERNEL) || task < 0)
			continue;
		enum fb_mark end = FB_MARK_REAPED;
		for (int m = 0; m < FB_MARKS; m++)
			if (!isnan(it->at_us[m]) && it->at_us[m] >= e->ts_us && it->at_us[m] < it->at_us[end])
				end = (enum fb_mark)m;
		it->faults[end][task][e->kind == EV_FAULT_KERNEL ? FB_FAULT_KERNEL : fault_kind(e->value)]++;
	}
}

static int keep_iter(struct fb_trace_read *out, const struct fb_trace_iter *it)
{
	if (out->count == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 64;
		struct fb_trace_iter *more = realloc(out->iters, cap * sizeof(*more));
		if (!more)
			return -ENOMEM;
		out->iters = more;
		out->cap = cap;
	}
	out->iters[out->count++] = *it;
	return 0;
}

static void iter_start(struct fb_trace_iter *it, const struct event *e)
{
	memset(it, 0, sizeof(*it));
	for (int m = 0; m < FB_MARKS; m++)
		it->at_us[m] = NAN;
	it->parent = e->pid;
	it->at_us[FB_MARK_ENTER] = e->ts_us;
}

int fb_trace_parse(const char *text, const pid_t *parents, size_t nparents, struct fb_trace_read *out)
{
	size_t n = 0, first = 0;
	struct fb_trace_iter it;
	int open = 0, err = 0;

	memset(out, 0, sizeof(*out));
	struct event *ev = read_events(text, &n, out);
	if (!ev)
		return -ENOMEM;
	qsort(ev, n, sizeof(*ev), by_time);
	for (size_t i = 0; i < n && !err; i++) {
		const struct event *e = &ev[i];
		if (e->kind == EV_SPAWN_ENTER && is_parent(e->pid, parents, nparents)) {
			out->incomplete += open;
			iter_start(&it, e);
			open = 1;
			first = i;
			continue;
		}
		if (!open)
			continue;
		if (e->pid == it.parent || (it.child && e->pid == it.child))
			it.events++;
		mark_event(&it, e);
		if (e->kind == EV_WAIT_EXIT && e->pid == it.parent && it.child && e->value == it.child) {
			it.at_us[FB_MARK_REAPED] = e->ts_us;
			it.events += 1;   /* the enter event */
			place_faults(&it, ev, first, i);
			err = keep_iter(out, &it);
			open = 0;
		}
	}
	out->incomplete += open;
	free(ev);
	return err;
}

void fb_trace_read_free(struct fb_trace_read *r)
{
	free(r->iters);
	memset(r, 0, sizeof(*r));
}
