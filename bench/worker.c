/* worker.c - fb-worker: a small static C process that holds SIZE bytes of
 * resident memory in a page mode and runs family ops on request, so that what
 * fork copies is that memory plus a minimal image, not the C++ benchmark
 * binary (see DESIGN.md: ~26 mappings instead of ~45). */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "family.h"
#include "fdio.h"
#include "worker_proto.h"

/* The batch buffer, touched before the baseline is read, so that the first
 * batch does not grow the worker's resident memory. */
static struct fb_sample samples[FB_WORKER_BATCH];

/* Stack the ops may use below main's frame, touched before the baseline.
 * A first use of a deeper stack page is resident memory the baseline did
 * not have, and where ASLR put the stack near a 2 MiB boundary, one more
 * page table (VmPTE 36 -> 40 kB, seen after a fork batch): the worker would
 * have changed itself, not a case. */
#define STACK_RESERVE_BYTES (64 * 1024)

__attribute__((noinline)) static void touch_stack(void)
{
	volatile char reserve[STACK_RESERVE_BYTES];
	for (size_t off = 0; off < sizeof(reserve); off += FB_PAGE_BYTES)
		reserve[off] = 0;
}

static void hello_fill(struct fb_worker_hello *hello, const struct fb_region *region,
		       int err, char *const *argv)
{
	long rss = 0, pte = 0;

	memset(hello, 0, sizeof(*hello));
	hello->status = err;
	if (err) {
		snprintf(hello->reason, sizeof(hello->reason), "cannot hold %.40s bytes in %.8s mode: %s",
			 argv[1], argv[2], strerror(-err));
		return;
	}
	memset(samples, 0, sizeof(samples));
	touch_stack();
	/* The vDSO's code and data pages too: the first clock_gettime maps them,
	 * and where ASLR put them in a 2 MiB range of their own, with one more
	 * page table (VmPTE 36 -> 40 kB after a first fork batch, now and then). */
	(void)fb_now_ns();
	fb_status_kib(0, "VmRSS", &rss);
	fb_status_kib(0, "VmPTE", &pte);
	hello->resident_bytes = region->resident_bytes;
	hello->thp_bytes = region->thp_bytes;
	hello->maps = fb_count_mappings(0);
	hello->rss_kib = rss;
	hello->pte_kib = pte;
	if ((err = fb_wstate_read(&hello->base))) {
		hello->status = err;
		snprintf(hello->reason, sizeof(hello->reason), "cannot read the worker's own state: %s",
			 strerror(-err));
	}
}

static const struct fb_case *find_case(const struct fb_worker_request *req)
{
	uint32_t nfam = 0;
	while (fb_families[nfam])
		nfam++;
	if (req->family >= nfam || req->kase >= fb_families[req->family]->ncases)
		return NULL;
	return &fb_families[req->family]->cases[req->kase];
}

/* Serve requests until the client closes the pipe. */
static int serve(struct fb_env *env)
{
	struct fb_worker_request req;
	struct fb_worker_reply reply;
	int err;

	while ((err = fb_read_full(0, &req, sizeof(req))) == 0) {
		const struct fb_case *kase = find_case(&req);
		memset(&reply, 0, sizeof(reply));
		memset(samples, 0, sizeof(samples));
		env->reason[0] = '\0';
		env->param = kase ? kase->param : 0;
		env->data = kase ? kase->data : NULL;
		env->axis_value = req.axis_value;
		if (!kase || !kase->run || req.n > FB_WORKER_BATCH) {
			reply.status = -EINVAL;
			snprintf(reply.reason, sizeof(reply.reason), "bad request");
		} else {
			reply.status = kase->run(env, samples, req.n);
			reply.n = reply.status == 0 ? req.n : 0;
			memcpy(reply.reason, env->reason, sizeof(reply.reason));
		}
		/* After the batch, so that the client sees what this case left
		 * behind before it sends the next one (pool.c decides). */
		reply.state_err = fb_wstate_read(&reply.state);
		if ((err = fb_write_full(1, &reply, sizeof(reply))) ||
		    (err = fb_write_full(1, samples, reply.n * sizeof(samples[0]))))
			return err;
	}
	return err == -EPIPE ? 0 : err;
}

int main(int argc, char **argv)
{
	static struct fb_env env;
	struct fb_region region;
	struct fb_worker_hello hello;
	char self[PATH_MAX];
	enum fb_page_mode mode;

	if (argc != 4 || fb_page_mode_parse(argv[2], &mode)) {
		fprintf(stderr, "usage: fb-worker SIZE_BYTES 4k|thp PARENT_PID (started by forkbench-bench)\n");
		return 2;
	}
	/* Die with the benchmark binary, whatever kills it; if it died before
	 * the prctl, our parent is already another process (init or a
	 * subreaper), and we leave at once. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != (pid_t)strtol(argv[3], NULL, 10))
		return 1;
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[len > 0 ? len : 0] = '\0';
	env.helper_dir = dirname(self);
	int err = fb_region_create(&region, strtoull(argv[1], NULL, 10), mode);
	env.region = &region;
	hello_fill(&hello, &region, err, argv);
	if (fb_write_full(1, &hello, sizeof(hello)) || err)
		return 1;
	err = serve(&env);
	fb_region_destroy(&region);
	return err ? 1 : 0;
}
