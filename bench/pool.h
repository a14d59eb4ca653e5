/* pool.h - the benchmark binary's side of the workers: one fb-worker per
 * (family, memory size, page mode), started on first use and kept for later
 * benchmarks, within a memory budget. A worker's own state is part of every
 * figure it gives (DESIGN.md: after the threads family, fork from the same
 * worker took 45% longer), so no family shares a worker with another, and a
 * worker that a case changed is restarted before any other case uses it. */
#ifndef FB_POOL_H
#define FB_POOL_H

#include <stddef.h>
#include <sys/types.h>

#include "family.h"
#include "worker_proto.h"

#define FB_POOL_MAX 48
/* Workers holding at most this much serve one run (repetition) each. */
#define FB_POOL_FRESH_MAX_MIB 16

struct fb_worker {
	pid_t pid;
	int to_fd, from_fd;
	unsigned family;
	size_t mem_mib;
	enum fb_page_mode mode;
	struct fb_worker_hello hello;
	/* Hygiene: what the last batch left, and which run of which case
	 * left it. Only that same run may go on in a changed worker. */
	int changed;
	unsigned long changed_by_run;
	unsigned long last_run;           /* the run of the last batch (0: none yet) */
	char changed_why[FB_REASON_LEN];
	unsigned long restarts;           /* restarts of this slot, all runs */
};

struct fb_pool {
	char worker_path[512];
	size_t budget_bytes;              /* most memory the workers may hold together */
	struct fb_worker workers[FB_POOL_MAX];
	size_t count;
};

void fb_pool_init(struct fb_pool *pool, const char *worker_path, size_t budget_bytes);
/* The worker holding mem_mib in mode, started if needed (older workers are
 * stopped to stay within the budget). NULL with reason filled on failure. */
struct fb_worker *fb_pool_get(struct fb_pool *pool, unsigned family, size_t mem_mib,
			      enum fb_page_mode mode, char *reason, size_t reason_len);
/* Run n iterations (any n) of one case of the worker's family (at
 * axis_value on the case's own axis, 0 when it has none), as part of
 * the run numbered run_id (one Google Benchmark run of one benchmark). A
 * worker changed by another run is restarted first (w->restarts counts it,
 * stderr says why). Returns the op's status; reason is filled when it is
 * not 0. */
int fb_worker_run(struct fb_pool *pool, struct fb_worker *w, unsigned kase, int64_t axis_value,
		  unsigned long run_id, struct fb_sample *out, size_t n, char *reason, size_t reason_len);
/* Stop and reap every worker. Async-signal-safe when from_signal is set. */
void fb_pool_shutdown(struct fb_pool *pool, int from_signal);

#endif
