/* grade_ref.c - forkbench's own figures for the grader's measurement tests:
 * a small server process that keeps fb-workers (bench/pool.c) and measures
 * one reference on request, so that the grader can alternate the student's
 * program and forkbench's reference round after round (grade_rounds.c)
 * without paying for a new forkbench-bench and freshly faulted workers in
 * every round (one forkbench-bench run of the four lab-fork references took
 * about 1 s here; one round of references from kept workers about 0.1 s).
 *
 * The server is not the grader's child: the sandbox reaps every child of
 * the grader as a student's leftover until none is left (sandbox.c), so the
 * server is started through an intermediate process that exits at once,
 * while the grader is not a subreaper, and it is adopted by init. It leaves
 * when its request pipe closes, that is when the grader ends however it
 * ends; its workers die with it (PR_SET_PDEATHSIG in bench/worker.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fdio.h"
#include "grade.h"
#include "pool.h"
#include "region.h"
#include "util.h"

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

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

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
	double start = now_s();
	while (n < REF_MAX_ITERATIONS && (n < req->min_iterations || now_s() - start < req->target_s)) {
		double per = n ? (now_s() - start) / (double)n : 0;
		size_t want = n < req->min_iterations ? req->min_iterations - n
			      : per > 0 ? (size_t)((req->target_s - (now_s() - start)) / per) + 1 : 1;
		want = want > REF_MAX_ITERATIONS - n ? REF_MAX_ITERATIONS - n : want;
		if ((rep->status = fb_worker_run(pool, w, req->kase, req->axis_value, req->round + 1, samples + n, want,
						 rep->reason, sizeof(rep->reason))))
			return;
		n += want;
	}
	rep->iterations = (uint32_t)n;
	rep->value = figure_of(samples, n, req->value_index);
}

static void serve(const char *worker_path)
{
	struct fb_pool pool;
	struct ref_request req;

	signal(SIGPIPE, SIG_DFL);   /* a reply to a grader that is gone ends us */
	fb_pool_init(&pool, worker_path, fb_mem_available_bytes() / 2);
	while (fb_read_full(0, &req, sizeof(req)) == 0) {
		struct ref_reply rep = { 0 };
		measure(&pool, &req, &rep);
		if (fb_write_full(1, &rep, sizeof(rep)))
			break;
	}
	fb_pool_shutdown(&pool, 0);
	_exit(0);
}

/* The intermediate's child: the server, on pipes at fds 0 and 1, nothing
 * else of the grader's open. */
static void become_server(int req_r, int rep_w, const char *worker_path)
{
	sigset_t none;

	if (dup2(req_r, 0) < 0 || dup2(rep_w, 1) < 0)
		_exit(1);
	close_range(3, ~0U, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_NAME, "fb-grade-ref");
	serve(worker_path);
}

int fb_grade_ref_start(struct fb_grade_ref *ref, int subreaper, char *err, size_t len)
{
	char self[PATH_MAX], worker[PATH_MAX + 16];
	int req[2], rep[2], status;

	ref->to_fd = ref->from_fd = -1;
	fb_self_dir(self, sizeof(self));
	snprintf(worker, sizeof(worker), "%s/fb-worker", self);
	if (pipe2(req, O_CLOEXEC))
		return snprintf(err, len, "pipe: %s", strerror(errno)), -1;
	if (pipe2(rep, O_CLOEXEC)) {
		snprintf(err, len, "pipe: %s", strerror(errno));
		close(req[0]);
		close(req[1]);
		return -1;
	}
	prctl(PR_SET_CHILD_SUBREAPER, 0);   /* so that init adopts the server */
	pid_t mid = fork();
	if (mid == 0) {
		if (fork() == 0)
			become_server(req[0], rep[1], worker);
		_exit(0);
	}
	while (mid > 0 && waitpid(mid, &status, 0) < 0 && errno == EINTR)
		;
	prctl(PR_SET_CHILD_SUBREAPER, subreaper);
	close(req[0]);
	close(rep[1]);
	ref->to_fd = req[1];
	ref->from_fd = rep[0];
	if (mid < 0) {
		fb_grade_ref_stop(ref);
		return snprintf(err, len, "fork: %s", strerror(errno)), -1;
	}
	return 0;
}

int fb_grade_ref_measure(struct fb_grade_ref *ref, const struct fb_grade_ref_point *pt, double *value, char *err,
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

/* The server leaves at the end of its request pipe, after stopping and
 * reaping its workers; its reply pipe reads end-of-file once it has exited,
 * so nothing of it outlives the grader. */
void fb_grade_ref_stop(struct fb_grade_ref *ref)
{
	char byte;
	ssize_t n;

	if (ref->to_fd >= 0)
		close(ref->to_fd);
	while (ref->from_fd >= 0 && ((n = read(ref->from_fd, &byte, 1)) > 0 || (n < 0 && errno == EINTR)))
		;
	if (ref->from_fd >= 0)
		close(ref->from_fd);
	ref->to_fd = ref->from_fd = -1;
}
