/* pool.c - start, feed and reap fb-worker processes (see pool.h). */
#define _GNU_SOURCE
#include "pool.h"
#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void fb_pool_init(struct fb_pool *pool, const char *worker_path, size_t budget_bytes)
{
	memset(pool, 0, sizeof(*pool));
	snprintf(pool->worker_path, sizeof(pool->worker_path), "%s", worker_path);
	pool->budget_bytes = budget_bytes;
}

static void worker_stop(struct fb_worker *w, int from_signal)
{
	if (w->pid <= 0)
		return;
	close(w->to_fd);   /* the worker leaves when its request pipe closes */
	close(w->from_fd);
	if (from_signal)
		kill(w->pid, SIGKILL);
	while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
		;
	w->pid = 0;
}

/* Request and reply pipes are O_CLOEXEC in this process: the worker gets
 * them as fd 0 and 1 through dup2, and no other child inherits them. */
static int worker_start(struct fb_pool *pool, struct fb_worker *w, char *reason, size_t len)
{
	int req[2], rep[2], err;
	char size_arg[32], mode_arg[8], parent_arg[24];
	char *argv[] = { pool->worker_path, size_arg, mode_arg, parent_arg, NULL };
	posix_spawn_file_actions_t fa;

	if (pipe2(req, O_CLOEXEC))
		return snprintf(reason, len, "pipe: %s", strerror(errno)), -errno;
	if (pipe2(rep, O_CLOEXEC)) {
		err = -errno;
		close(req[0]);
		close(req[1]);
		snprintf(reason, len, "pipe: %s", strerror(-err));
		return err;
	}
	snprintf(size_arg, sizeof(size_arg), "%zu", w->mem_mib << 20);
	snprintf(mode_arg, sizeof(mode_arg), "%s", fb_page_mode_name(w->mode));
	snprintf(parent_arg, sizeof(parent_arg), "%ld", (long)getpid());
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, req[0], 0);
	posix_spawn_file_actions_adddup2(&fa, rep[1], 1);
	err = posix_spawn(&w->pid, pool->worker_path, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(req[0]);
	close(rep[1]);
	w->to_fd = req[1];
	w->from_fd = rep[0];
	if (err) {
		w->pid = 0;
		close(req[1]);
		close(rep[0]);
		snprintf(reason, len, "cannot start %s: %s", pool->worker_path, strerror(err));
		return -err;
	}
	err = fb_read_full(w->from_fd, &w->hello, sizeof(w->hello));
	if (err || w->hello.status) {
		snprintf(reason, len, "%s", err ? "worker died while touching its memory" : w->hello.reason);
		worker_stop(w, 0);
		return err ? err : w->hello.status;
	}
	return 0;
}

static size_t pool_bytes(const struct fb_pool *pool)
{
	size_t total = 0;
	for (size_t i = 0; i < pool->count; i++)
		total += pool->workers[i].mem_mib << 20;
	return total;
}

static void pool_drop(struct fb_pool *pool, size_t index)
{
	worker_stop(&pool->workers[index], 0);
	pool->workers[index] = pool->workers[--pool->count];
}

struct fb_worker *fb_pool_get(struct fb_pool *pool, unsigned family, size_t mem_mib,
			      enum fb_page_mode mode, char *reason, size_t reason_len)
{
	for (size_t i = 0; i < pool->count; i++) {
		struct fb_worker *w = &pool->workers[i];
		if (w->family == family && w->mem_mib == mem_mib && w->mode == mode && w->pid > 0)
			return w;
		if (w->pid <= 0)   /* died in an earlier run: make room */
			pool_drop(pool, i--);
	}
	/* Stop the oldest workers until the new one fits the budget. */
	while (pool->count && (pool->count == FB_POOL_MAX ||
			       pool_bytes(pool) + (mem_mib << 20) > pool->budget_bytes))
		pool_drop(pool, 0);
	struct fb_worker *w = &pool->workers[pool->count];
	memset(w, 0, sizeof(*w));
	w->family = family;
	w->mem_mib = mem_mib;
	w->mode = mode;
	if (worker_start(pool, w, reason, reason_len))
		return NULL;
	pool->count++;
	return w;
}

/* What the batch left: a worker that moved from its baseline is marked
 * with the run that moved it (see fb_worker_run). */
static void note_state(struct fb_worker *w, const struct fb_worker_reply *reply, unsigned long run_id)
{
	char why[FB_REASON_LEN];

	if (w->changed)
		return;
	if (reply->state_err)
		snprintf(why, sizeof(why), "its state could not be read: %s", strerror(-reply->state_err));
	else if (!fb_wstate_changed(&w->hello.base, &reply->state, why, sizeof(why)))
		return;
	w->changed = 1;
	w->changed_by_run = run_id;
	snprintf(w->changed_why, sizeof(w->changed_why), "%s", why);
}

static int run_batch(struct fb_worker *w, struct fb_worker_request *req, unsigned long run_id,
		     struct fb_sample *out, char *reason, size_t reason_len)
{
	struct fb_worker_reply reply;
	int err = fb_write_full(w->to_fd, req, sizeof(*req));

	if (!err)
		err = fb_read_full(w->from_fd, &reply, sizeof(reply));
	if (err) {
		snprintf(reason, reason_len, "worker %d stopped answering: %s", w->pid, strerror(-err));
		worker_stop(w, 1);
		return err;
	}
	if (reply.status == 0)
		err = fb_read_full(w->from_fd, out, reply.n * sizeof(*out));
	if (reply.status)
		snprintf(reason, reason_len, "%s", reply.reason);
	note_state(w, &reply, run_id);
	return reply.status ? reply.status : err;
}

/* A new worker in the same slot, holding the same memory: what an earlier
 * run changed (cached thread stacks, split huge pages, reclaimed pages)
 * must not reach this run's figures. */
static int worker_restart(struct fb_pool *pool, struct fb_worker *w, int planned, char *reason, size_t reason_len)
{
	if (!planned) {
		fprintf(stderr, "forkbench-bench: restarting the %s worker (%zu MiB, %s): %s\n",
			fb_families[w->family]->name, w->mem_mib, fb_page_mode_name(w->mode), w->changed_why);
		w->restarts++;
	}
	worker_stop(w, 0);
	w->changed = 0;
	return worker_start(pool, w, reason, reason_len);
}

/* Restart before this batch? A changed worker serves only the run that
 * changed it. A small worker also serves one run only (planned): each
 * process brings its own layout (ASLR, which physical pages hold its page
 * tables and stack), which moved a 0 MiB fork by up to 10% between two
 * workers of one run; a fresh worker per repetition puts that variation
 * into the repetitions, where the median and its interval see it, instead
 * of into the difference between runs. Above FB_POOL_FRESH_MAX_MIB a fresh
 * worker (touching the region again) costs more than the run itself: a
 * 64 MiB worker took 0.4 s to fault its region in on a PVM guest (25 us a
 * fault), 70 s of a default run spent on workers alone. */
static int needs_restart(const struct fb_worker *w, unsigned long run_id, int *planned)
{
	*planned = 0;
	if (w->changed && w->changed_by_run != run_id)
		return 1;
	*planned = w->last_run && w->last_run != run_id && w->mem_mib <= FB_POOL_FRESH_MAX_MIB;
	return *planned;
}

int fb_worker_run(struct fb_pool *pool, struct fb_worker *w, unsigned kase, int64_t axis_value,
		  unsigned long run_id, struct fb_sample *out, size_t n, char *reason, size_t reason_len)
{
	for (size_t done = 0; done < n;) {
		struct fb_worker_request req = { .family = w->family, .kase = kase, .axis_value = axis_value };
		int planned, err = needs_restart(w, run_id, &planned) ?
				       worker_restart(pool, w, planned, reason, reason_len) : 0;
		if (err)
			return err;
		w->last_run = run_id;
		req.n = (uint32_t)(n - done < FB_WORKER_BATCH ? n - done : FB_WORKER_BATCH);
		err = run_batch(w, &req, run_id, out + done, reason, reason_len);
		if (err)
			return err;
		done += req.n;
	}
	return 0;
}

void fb_pool_shutdown(struct fb_pool *pool, int from_signal)
{
	for (size_t i = 0; i < pool->count; i++)
		worker_stop(&pool->workers[i], from_signal);
	pool->count = 0;
}
