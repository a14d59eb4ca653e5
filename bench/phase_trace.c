/* phase_trace.c - the phases pass (see phase_trace.h): which points are
 * traced, the rounds of untraced and traced batches, and what is written
 * for the harness. */
#define _GNU_SOURCE
#include "phase_trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tracefs.h"

/* Each bounds a phase (model/phases.h). A leading '?': this kernel may lack
 * it (page_fault_user is x86's); the phases are then read without faults.
 * Not sched_wakeup/_new: the switch to the child and the parent's return
 * bound the same phases, and each event costs about 1 us per round trip. */
const char *const fb_trace_events[] = {
	"syscalls/sys_enter_clone", "syscalls/sys_exit_clone", "syscalls/sys_enter_clone3",
	"syscalls/sys_exit_clone3", "syscalls/sys_enter_vfork", "syscalls/sys_exit_vfork",
	"syscalls/sys_enter_wait4", "syscalls/sys_exit_wait4", "syscalls/sys_enter_execve",
	"syscalls/sys_enter_exit_group", "task/task_newtask", "sched/sched_switch",
	"sched/sched_process_exec", "sched/sched_process_exit", "?exceptions/page_fault_user",
	"?exceptions/page_fault_kernel", NULL,
};

/* Where a case is traced: at 0 MiB (4 KiB pages), at the run's largest
 * size in both page modes, at its smallest non-zero one (4 KiB). */
enum { AT_ZERO = 1, AT_LARGEST = 2, AT_SMALLEST = 4 };

/* The questions pick the rows: what a fork costs and why (fork,
 * vfork, clone3, the exec forms, at 0 MiB and at the largest size), why the
 * worker's fork costs more than the bare loop's (calibrate/bare_fork), why
 * clone is cheaper than glibc's fork (clone), and the faults of one COW
 * case against its own perf/rusage counts. The quick profile traces the
 * 0 MiB points and fork at the largest size only. */
static const struct pick {
	const char *family, *kase;
	unsigned where, where_quick;
} picks[] = {
	{ "spawn", "fork", AT_ZERO | AT_LARGEST, AT_ZERO | AT_LARGEST },
	{ "spawn", "vfork", AT_ZERO | AT_LARGEST, AT_ZERO },
	{ "spawn", "clone", AT_ZERO, AT_ZERO },
	{ "spawn", "clone3", AT_ZERO | AT_LARGEST, AT_ZERO },
	{ "spawn", "posix_spawn_static", AT_ZERO | AT_LARGEST, AT_ZERO },
	{ "spawn", "fork_exec_static", AT_ZERO | AT_LARGEST, AT_ZERO },
	{ "calibrate", "bare_fork", AT_ZERO, AT_ZERO },
	{ "cow", "child_write_all", AT_SMALLEST, 0 },
};

#define ROUNDS 5
#define BATCH_MIN 4
#define BATCH_MAX 16
/* A traced batch this long at most (a probe batch's median sets n). */
#define BATCH_TARGET_NS (60 * 1000 * 1000LL)

static struct fb_tracefs instance;

int fb_trace_wanted(const struct fb_bench_key *key, long largest_mib, long smallest_mib, int fewer)
{
	int thp = strcmp(key->mode, "thp") == 0;

	for (size_t i = 0; i < sizeof(picks) / sizeof(picks[0]); i++) {
		unsigned where = fewer ? picks[i].where_quick : picks[i].where;
		if (strcmp(key->family, picks[i].family) || strcmp(key->kase, picks[i].kase))
			continue;
		if ((where & AT_ZERO) && key->mem_mib == 0 && !thp)
			return 1;
		if ((where & AT_LARGEST) && key->mem_mib > 0 && key->mem_mib == largest_mib)
			return 1;
		if ((where & AT_SMALLEST) && key->mem_mib > 0 && key->mem_mib == smallest_mib && !thp)
			return 1;
	}
	return 0;
}

/* A reason as a JSON string's contents: no quote, backslash or control. */
static void json_text(FILE *f, const char *text)
{
	fputc('"', f);
	for (; *text; text++)
		fputc(*text == '"' || *text == '\\' || (unsigned char)*text < 0x20 ? ' ' : *text, f);
	fputc('"', f);
}

static void json_numbers(FILE *f, const char *key, const int64_t *v, size_t n)
{
	fprintf(f, ", \"%s\": [", key);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%lld", i ? ", " : "", (long long)v[i]);
	fputc(']', f);
}

struct traced_point {
	int64_t untraced_ns[ROUNDS * BATCH_MAX], traced_ns[ROUNDS * BATCH_MAX];
	pid_t parents[ROUNDS];
	size_t n, rounds;
	char error[256];
};

static size_t batch_size(const struct fb_trace_point *p, char *reason, size_t len, int *err)
{
	int64_t probe[3];
	pid_t parent;

	if ((*err = p->batch(p->point, probe, 3, &parent, reason, len)))
		return 0;
	int64_t lo = probe[0] < probe[1] ? probe[0] : probe[1], hi = probe[0] < probe[1] ? probe[1] : probe[0];
	int64_t mid = probe[2] < lo ? lo : probe[2] > hi ? hi : probe[2];   /* the median of the three */
	int64_t n = mid > 0 ? BATCH_TARGET_NS / mid : BATCH_MAX;
	return n < BATCH_MIN ? BATCH_MIN : n > BATCH_MAX ? BATCH_MAX : (size_t)n;
}

/* ROUNDS x (untraced batch, traced batch), side by side: the overhead is
 * read from batches a few milliseconds apart, never against a figure of
 * minutes before (this machine's speed steps by up to 1.4x). */
static void trace_point(const struct fb_trace_point *p, const char *file, struct traced_point *out)
{
	char *why = out->error;
	size_t why_len = sizeof(out->error);
	int err = 0;

	out->n = batch_size(p, why, why_len, &err);
	for (size_t r = 0; !err && r < ROUNDS; r++) {
		if ((err = p->batch(p->point, out->untraced_ns + r * out->n, out->n, &out->parents[r], why, why_len)))
			break;
		/* after the untraced batch, which restarts a worker that another
		 * run changed; the buffer is emptied once, and keeps every round */
		pid_t follow = p->follow(p->point, why, why_len);
		if (follow < 0) {
			err = (int)follow;
			break;
		}
		if ((err = fb_tracefs_follow(&instance, follow, r == 0)) || (err = fb_tracefs_on(&instance, 1)))
			break;
		err = p->batch(p->point, out->traced_ns + r * out->n, out->n, &out->parents[r], why, why_len);
		fb_tracefs_on(&instance, 0);
		out->rounds = err ? r : r + 1;
	}
	if (!err && (err = fb_tracefs_save(&instance, file)))
		snprintf(why, why_len, "cannot save the trace: %s", strerror(-err));
	if (!err)
		why[0] = '\0';
	else if (!why[0])
		snprintf(why, why_len, "%s", strerror(-err));
}

static void write_point(FILE *f, const struct fb_trace_point *p, size_t i, const struct traced_point *t)
{
	fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
	json_text(f, p->name);
	fprintf(f, ", \"file\": \"%zu.trace\", \"batch\": %zu, \"rounds\": %zu, \"parent_pids\": [", i, t->n, t->rounds);
	for (size_t r = 0; r < t->rounds; r++)
		fprintf(f, "%s%ld", r ? ", " : "", (long)t->parents[r]);
	fputc(']', f);
	json_numbers(f, "untraced_ns", t->untraced_ns, t->rounds * t->n);
	json_numbers(f, "traced_ns", t->traced_ns, t->rounds * t->n);
	fprintf(f, ", \"error\": ");
	if (t->error[0])
		json_text(f, t->error);
	else
		fputs("null", f);
	fputc('}', f);
}

int fb_phase_trace_run(const char *dir, const struct fb_trace_point *points, size_t count)
{
	char path[512], tmp[520], why[256] = "";
	static struct traced_point t;

	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	int err = count ? fb_tracefs_open(&instance, fb_trace_events, why, sizeof(why)) : 0;
	snprintf(tmp, sizeof(tmp), "%s/points.json.tmp", dir);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		fb_tracefs_close(&instance);
		return -errno;
	}
	fprintf(f, "{\"allowed\": %s, \"why\": ", err ? "false" : "true");
	if (err)
		json_text(f, why);
	else
		fputs("null", f);
	fprintf(f, ", \"faults_traced\": %s, \"clock\": \"%s\", \"points\": [",
		!err && !instance.optional_missing ? "true" : "false", fb_tracefs_clock());
	for (size_t i = 0; !err && i < count; i++) {
		memset(&t, 0, sizeof(t));
		snprintf(path, sizeof(path), "%s/%zu.trace", dir, i);
		trace_point(&points[i], path, &t);
		write_point(f, &points[i], i, &t);
	}
	fprintf(f, "\n]}\n");
	fb_tracefs_close(&instance);
	snprintf(path, sizeof(path), "%s/points.json", dir);
	if (fclose(f) || rename(tmp, path))
		return -errno;
	return 0;
}

void fb_phase_trace_abort(void)
{
	fb_tracefs_close(&instance);
}
