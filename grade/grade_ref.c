/* grade_ref.c - forkbench's own figures for the grader's measurement tests:
 * a small server process that drives fb-workers (bench/pool.c) and measures
 * one reference on request, so that the grader can alternate the student's
 * program and forkbench's reference round after round (grade_measure.c)
 * without a new forkbench-bench every round (one forkbench-bench run of the
 * four lab-fork references took about 1 s here).
 *
 * The server is not the grader's child (orphan.c), or the sandbox would
 * reap it as a student's leftover. It leaves when its request pipe closes,
 * that is when the grader ends however it ends; its workers die with it
 * (PR_SET_PDEATHSIG in bench/worker.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "fdio.h"
#include "grade.h"
#include "pool.h"
#include "region.h"
#include "proc.h"

/* The most iterations one reference figure takes: 200 vforks at 16 MiB
 * are 5 ms here, 200 forks 0.3 s. */
#define REF_MAX_ITERATIONS 200

struct ref_request {
	uint32_t family, kase;
	int64_t axis_value;
	uint64_t mem_mib;
	double target_s;          /* iterate at least this long ... */
	uint32_t min_iterations;  /* ... and at least this often */
	int32_t value_index;      /* -1: the iterations' mean time; else the mean of values[i] */
	uint64_t round;           /* a worker serves one round, then a fresh one (pool.c) */
};

struct ref_reply {
	int32_t status;           /* 0, or the op's status / -errno */
	uint32_t iterations;
	double value;             /* ns for a time, the counter's unit otherwise */
	char reason[FB_REASON_LEN];
};

/* The figure of n samples: the mean iteration time (what Google
 * Benchmark's real_time is, and what a program timing a loop of N round
 * trips prints, preemptions included) or a counter's mean over the
 * iterations that measured it. */
static double figure_of(const struct fb_sample *s, size_t n, int value_index)
{
	double sum = 0;
	size_t counted = 0;

	for (size_t i = 0; i < n; i++) {
		double x = value_index < 0 ? s[i].time_ns : s[i].values[value_index];
		if (!isnan(x))
			sum += x, counted++;
	}
	return counted ? sum / (double)counted : NAN;
}

/* One reference: a warm-up iteration for a time (the first after a pause
 * pays for cold caches), then batches until the target time and count are
 * reached. */
static void measure(struct fb_pool *pool, const struct ref_request *req, struct ref_reply *rep)
{
	static struct fb_sample samples[REF_MAX_ITERATIONS];
	struct fb_worker *w = fb_pool_get(pool, req->family, req->mem_mib, FB_PAGES_4K, rep->reason, sizeof(rep->reason));
	size_t n = 0;

	if (!w) {
		rep->status = -EAGAIN;
		return;
	}
	/* The round as the pool's run id: a worker of 16 MiB or less serves one
	 * round and the next round starts a fresh one (pool.c), as the program
	 * is a fresh process every round. One worker kept for all rounds met a
	 * CPU hog's time slice at every vfork in 9 rounds of 9 beside two hogs,
	 * while the program's fresh processes did so in 4 of 9: a process, once
	 * in that pattern, stays in it. */
	if (req->value_index < 0 && (rep->status = fb_worker_run(pool, w, req->kase, req->axis_value, req->round + 1,
								 samples, 1, rep->reason, sizeof(rep->reason))))
		return;
	/* The least count in one batch, then batches sized from the time per
	 * iteration so far: every batch costs a state check of the worker
	 * (wstate.c reads its maps), and a batch of one at a time cost a
	 * grading 1.5 s. */
	double start = fb_now_s();
	while (n < REF_MAX_ITERATIONS && (n < req->min_iterations || fb_now_s() - start < req->target_s)) {
		double per = n ? (fb_now_s() - start) / (double)n : 0;
		size_t want = n < req->min_iterations ? req->min_iterations - n
			      : per > 0 ? (size_t)((req->target_s - (fb_now_s() - start)) / per) + 1 : 1;
		want = want > REF_MAX_ITERATIONS - n ? REF_MAX_ITERATIONS - n : want;
		if ((rep->status = fb_worker_run(pool, w, req->kase, req->axis_value, req->round + 1, samples + n, want,
						 rep->reason, sizeof(rep->reason))))
			return;
		n += want;
	}
	rep->iterations = (uint32_t)n;
	rep->value = figure_of(samples, n, req->value_index);
}

/* The server's body (arg: the path of fb-worker): a request on fd 0, its
 * reply on fd 1, until fd 0 ends. */
static void serve(void *arg)
{
	struct fb_pool pool;
	struct ref_request req;

	prctl(PR_SET_NAME, "fb-grade-ref");
	signal(SIGPIPE, SIG_DFL);   /* a reply to a grader that is gone ends us */
	fb_pool_init(&pool, arg, fb_mem_available_bytes() / 2);
	while (fb_read_full(0, &req, sizeof(req)) == 0) {
		struct ref_reply rep = { 0 };
		measure(&pool, &req, &rep);
		if (fb_write_full(1, &rep, sizeof(rep)))
			break;
	}
	fb_pool_shutdown(&pool, 0);
	_exit(0);
}

int fb_grade_ref_start(struct fb_orphan *ref, char *err, size_t len)
{
	char self[PATH_MAX], worker[PATH_MAX + 16];

	fb_self_dir(self, sizeof(self));
	snprintf(worker, sizeof(worker), "%s/fb-worker", self);
	int rc = fb_orphan_start(ref, serve, worker);
	if (rc)
		snprintf(err, len, "cannot start it: %s", strerror(-rc));
	return rc ? -1 : 0;
}

int fb_grade_ref_measure(struct fb_orphan *ref, const struct fb_grade_ref_point *pt, double *value, char *err,
			 size_t len)
{
	struct ref_request req = { .mem_mib = (uint64_t)pt->key.mem_mib, .target_s = pt->target_s,
				   .min_iterations = pt->min_iterations, .value_index = pt->value_index,
				   .round = pt->round };
	struct ref_reply rep;
	char name[FB_KEY_NAME_MAX];

	if (fb_key_locate(&pt->key, &req.family, &req.kase, &req.axis_value))
		return snprintf(err, len, "%s is no benchmark case", fb_key_format(&pt->key, name, sizeof(name))), -1;
	if (ref->to_fd < 0 || fb_write_full(ref->to_fd, &req, sizeof(req)) || fb_read_full(ref->from_fd, &rep, sizeof(rep)))
		return snprintf(err, len, "forkbench's reference process is gone"), -1;
	if (rep.status)
		return snprintf(err, len, "%s: %s", fb_key_format(&pt->key, name, sizeof(name)), rep.reason), -1;
	*value = rep.value;
	return isfinite(rep.value) ? 0 : (snprintf(err, len, "%s gave no figure", fb_key_format(&pt->key, name, sizeof(name))), -1);
}
