/* cow.c - the COW family: after fork, who writes which pages, how many
 * faults that really costs (counted, against the exact expectation), what
 * each fault costs, and what fork itself allocated (VmPTE of parent and
 * child); plus the naive copy that fork would do without COW. Runs in the
 * worker, whose region is the memory being shared. */
#define _GNU_SOURCE
#include "family.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cowcore.h"
#include "faults.h"

enum cow_pattern {
	CHILD_WRITES_ALL,      /* child writes one byte in every 4 KiB page */
	CHILD_WRITES_HALF,     /* every other page */
	CHILD_WRITES_PER_2M,   /* one byte per 2 MiB */
	CHILD_READS,           /* reads every page: no copy expected */
	PARENT_WRITES,         /* parent writes every page while the child lives */
	CHILD_WRITES_FRESH,    /* child writes fresh memory: first-touch faults, not COW */
	DONTFORK,              /* region under MADV_DONTFORK: absent in the child */
	WIPEONFORK,            /* region under MADV_WIPEONFORK: zero-filled in the child */
};

/* What the measuring task writes back through a MAP_SHARED page. */
struct cow_result {
	long faults_perf, faults_rusage, thp_split_pmd;
	int source_perf;
	long pages_written;
	int64_t loop_ns;
	size_t huge_bytes_after;   /* of the written memory, still PMD-mapped after the loop */
	int held;                  /* the behaviour the case pins down was seen */
};

/* The counters of a COW row: each slot of fb_sample.values by name, the
 * name (with its unit) written beside it. */
enum cow_metric {
	M_FAULTS_PERF, M_FAULTS_RUSAGE, M_FAULTS_EXPECTED, M_FAULTS_PER_PAGE, M_NS_PER_FAULT,
	M_VMPTE_PARENT_KIB, M_VMPTE_CHILD_KIB, M_PTE_BYTES_PER_GIB, M_FAULT_SOURCE_PERF,
	M_THP_SPLIT_PMD, M_PAGES_WRITTEN, M_BEHAVIOUR_HELD, M_FORK_NS, N_COW_METRICS
};
_Static_assert(N_COW_METRICS <= FB_MAX_VALUES, "a sample holds FB_MAX_VALUES counters");
static const char *const cow_values[N_COW_METRICS + 1] = {
	[M_FAULTS_PERF] = "faults_perf", [M_FAULTS_RUSAGE] = "faults_rusage",
	[M_FAULTS_EXPECTED] = "faults_expected", [M_FAULTS_PER_PAGE] = "faults_per_page",
	[M_NS_PER_FAULT] = "ns_per_fault", [M_VMPTE_PARENT_KIB] = "vmpte_parent_kib",
	[M_VMPTE_CHILD_KIB] = "vmpte_child_kib", [M_PTE_BYTES_PER_GIB] = "pte_bytes_per_gib",
	[M_FAULT_SOURCE_PERF] = "fault_source_perf", [M_THP_SPLIT_PMD] = "thp_split_pmd",
	[M_PAGES_WRITTEN] = "pages_written", [M_BEHAVIOUR_HELD] = "behaviour_held", [M_FORK_NS] = "fork_ns",
	[N_COW_METRICS] = NULL,
};

/* The write loops are kept out of the tests' sanitizers: AddressSanitizer's
 * shadow reads would be page faults of their own and spoil exact counts.
 * A pure store, never a read-modify-write: on memory never touched, the
 * read would map the shared zero page first and the write then fault a
 * second time. The value differs from what fb_region_create wrote there
 * (page index + 1), so isolation checks see every write. */
__attribute__((no_sanitize("address", "undefined"), noinline))
long fb_cow_write_pages(char *base, size_t bytes, size_t stride)
{
	long pages = 0;
	for (size_t off = 0; off < bytes; off += stride, pages++)
		((volatile char *)base)[off] = (char)~(off / FB_PAGE_BYTES + 1);
	return pages;
}

__attribute__((no_sanitize("address", "undefined"), noinline))
static long read_pages(const char *base, size_t bytes)
{
	long sum = 0;
	for (size_t off = 0; off < bytes; off += FB_PAGE_BYTES)
		sum += ((const volatile char *)base)[off];
	return sum;
}

static size_t stride_of(enum cow_pattern p)
{
	if (p == CHILD_WRITES_HALF)
		return 2 * FB_PAGE_BYTES;
	return p == CHILD_WRITES_PER_2M ? FB_HUGE_BYTES : FB_PAGE_BYTES;
}

/* Measure one loop in the calling task. A dry run first: after fork the
 * task's own stack pages are COW-shared, and text and vDSO pages of file or
 * special mappings are not copied by fork at all, so the first call of each
 * function would fault too. Running the same path once with nothing to
 * write takes those faults outside the measurement: what remains in the
 * window are the faults of the loop's own pages, and nothing else. */
static void measure(struct cow_result *res, char *base, size_t bytes, size_t stride, int read_only)
{
	struct fb_faults f;
	struct fb_fault_counts c;

	fb_faults_open(&f);
	for (int dry = 1; dry >= 0; dry--) {
		size_t len = dry ? 0 : bytes;
		fb_faults_start(&f);
		int64_t t0 = fb_now_ns();
		res->pages_written = read_only ? (read_pages(base, len), 0) : fb_cow_write_pages(base, len, stride);
		res->loop_ns = fb_now_ns() - t0;
		fb_faults_stop(&f, &c);
	}
	fb_faults_close(&f);
	struct fb_region written = { .base = base, .size_bytes = bytes };
	if (!read_only && fb_region_measure(&written) == 0)
		res->huge_bytes_after = written.thp_bytes;
	res->faults_perf = c.perf;
	res->faults_rusage = c.rusage;
	res->thp_split_pmd = c.thp_split_pmd;
	res->source_perf = c.source_perf;
}

#define SAMPLES 64

/* First bytes of up to SAMPLES pages spread over the region. */
static void sample_bytes(const char *base, size_t bytes, char *out)
{
	size_t pages = bytes / FB_PAGE_BYTES;
	for (size_t i = 0; i < SAMPLES; i++)
		out[i] = pages ? base[(i * pages / SAMPLES) * FB_PAGE_BYTES] : 0;
}

static char *fresh_like(const struct fb_region *r)
{
	char *mem = mmap(NULL, r->size_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem != MAP_FAILED)
		madvise(mem, r->size_bytes, r->mode == FB_PAGES_THP ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	return mem == MAP_FAILED ? NULL : mem;
}

/* The child's side of every pattern but PARENT_WRITES. held starts true for
 * the patterns whose isolation is checked on the parent's side only. */
static void child_side(enum cow_pattern p, struct fb_region *r, struct cow_result *res)
{
	unsigned char probe = 0;

	res->held = 1;
	if (p == DONTFORK) {   /* absent: mincore on an unmapped range fails with ENOMEM */
		res->held = mincore(r->base, r->size_bytes, &probe) < 0 && errno == ENOMEM;
		return;
	}
	char *target = p == CHILD_WRITES_FRESH ? fresh_like(r) : r->base;
	if (!target) {
		res->held = 0;
		return;
	}
	measure(res, target, r->size_bytes, stride_of(p), p == CHILD_READS);
	if (p == CHILD_READS)
		res->held = (res->source_perf ? res->faults_perf : res->faults_rusage) == 0;
	/* Zero-filled: checked after the writes, in the half of each page they
	 * left alone. Not before: a read of wiped memory maps the shared zero
	 * page on most kernels, but a whole new page where the zero page is off
	 * (seen: a PVM guest booted with pvm_no_zero_page=1), and the writes
	 * would then take no fault at all. */
	if (p == WIPEONFORK)
		res->held = read_pages(r->base + FB_PAGE_BYTES / 2, r->size_bytes - FB_PAGE_BYTES / 2) == 0;
}

/* PARENT_WRITES, child's side: note what it sees, wait while the parent
 * writes, and check it still sees exactly that (isolation, child side). */
static void child_watches(struct fb_region *r, int done_fd, struct cow_result *res)
{
	char before[SAMPLES], after[SAMPLES], byte;

	sample_bytes(r->base, r->size_bytes, before);
	if (read(done_fd, &byte, 1) != 1)
		return;
	sample_bytes(r->base, r->size_bytes, after);
	res->held = memcmp(before, after, SAMPLES) == 0;
}

/* Faults the pattern must cost: one per write with 4 KiB pages. Memory the
 * kernel still maps with huge pages after the loop took one fault per 2 MiB
 * instead: fresh and wiped memory in thp mode, or a shared THP on a kernel
 * that copies it whole. Since Linux 5.8 a write to a shared THP splits the
 * PMD and copies 4 KiB, so the COW cases stay at one fault per write in
 * thp mode too; reading the mapping back (huge_bytes_after) measures which
 * of the two the kernel did rather than assuming it. */
static double expected_faults(enum cow_pattern p, const struct fb_region *r, const struct cow_result *res)
{
	size_t stride = stride_of(p), huge = res->huge_bytes_after;

	if (p == CHILD_READS || p == DONTFORK)
		return 0;
	return (double)(huge / FB_HUGE_BYTES + (r->size_bytes - huge + stride - 1) / stride);
}

/* What the parent saw of one iteration, around the fork. */
struct cow_iteration {
	long pte_parent_kib, pte_child_kib;   /* VmPTE right after fork */
	long rss_kib;                         /* parent's VmRSS after the reap */
	int64_t fork_ns;                      /* until fork() returned in the parent */
};

static void fill_sample(struct fb_sample *s, enum cow_pattern p, const struct fb_region *r,
			const struct cow_result *res, const struct cow_iteration *it)
{
	long faults = res->source_perf ? res->faults_perf : res->faults_rusage;
	double gib = (double)it->rss_kib / (1 << 20);

	/* DONTFORK has no write loop: its time is the fork that skipped the region */
	s->time_ns = (double)(p == DONTFORK ? it->fork_ns : res->loop_ns);
	double *v = s->values;
	v[M_FAULTS_PERF] = (double)res->faults_perf;
	v[M_FAULTS_RUSAGE] = (double)res->faults_rusage;
	v[M_FAULTS_EXPECTED] = expected_faults(p, r, res);
	v[M_FAULTS_PER_PAGE] = res->pages_written ? (double)faults / (double)res->pages_written : 0;
	v[M_NS_PER_FAULT] = faults ? (double)res->loop_ns / (double)faults : 0;
	v[M_VMPTE_PARENT_KIB] = (double)it->pte_parent_kib;
	v[M_VMPTE_CHILD_KIB] = (double)it->pte_child_kib;
	v[M_PTE_BYTES_PER_GIB] = gib > 0 ? (double)it->pte_parent_kib * 1024 / gib : 0;
	v[M_FAULT_SOURCE_PERF] = res->source_perf;
	v[M_THP_SPLIT_PMD] = (double)res->thp_split_pmd;
	v[M_PAGES_WRITTEN] = (double)res->pages_written;
	v[M_BEHAVIOUR_HELD] = res->held;
	v[M_FORK_NS] = (double)it->fork_ns;
}

/* MADV_DONTFORK / MADV_WIPEONFORK apply to the fork about to happen; the
 * region is restored right after it, for the cases that follow. */
static int advise(enum cow_pattern p, struct fb_region *r, int before_fork)
{
	int advice = p == DONTFORK ? (before_fork ? MADV_DONTFORK : MADV_DOFORK)
				   : (before_fork ? MADV_WIPEONFORK : MADV_KEEPONFORK);
	if (p != DONTFORK && p != WIPEONFORK)
		return 0;
	return madvise(r->base, r->size_bytes, advice) ? -errno : 0;
}

struct cow_ctx {
	struct fb_env *env;
	enum cow_pattern pattern;
	struct cow_result *shared;   /* MAP_SHARED: written by the child */
	int go[2], done[2];          /* parent -> child: start; PARENT_WRITES: finished */
};

/* In the child: wait for the parent to have read VmPTE, then do the part. */
static void run_child(struct cow_ctx *c)
{
	char byte;

	close(c->go[1]);
	close(c->done[1]);
	if (read(c->go[0], &byte, 1) == 1) {
		if (c->pattern == PARENT_WRITES)
			child_watches(c->env->region, c->done[0], c->shared);
		else
			child_side(c->pattern, c->env->region, c->shared);
	}
	_exit(0);
}

/* In the parent, the child alive and waiting: VmPTE right after fork, then
 * either let the child measure, or write while it watches. */
static void run_parent(struct cow_ctx *c, pid_t pid, struct cow_iteration *it, struct cow_result *res)
{
	struct fb_region *r = c->env->region;
	char byte = 1;

	fb_status_kib(0, "VmPTE", &it->pte_parent_kib);
	fb_status_kib(pid, "VmPTE", &it->pte_child_kib);
	if (write(c->go[1], &byte, 1) != 1)
		return;
	if (c->pattern == PARENT_WRITES) {
		measure(res, r->base, r->size_bytes, FB_PAGE_BYTES, 0);
		if (write(c->done[1], &byte, 1) != 1)
			return;
	}
}

static void close_pipes(struct cow_ctx *c)
{
	for (int i = 0; i < 2; i++) {
		if (c->go[i] >= 0)
			close(c->go[i]);
		if (c->done[i] >= 0)
			close(c->done[i]);
		c->go[i] = c->done[i] = -1;
	}
}

/* One iteration: fork, measure, reap (always, also on error), and check the
 * parent's own copy stayed as it was (isolation, parent side). */
static int cow_once(struct cow_ctx *c, struct fb_sample *out)
{
	struct fb_region *r = c->env->region;
	struct cow_result parent_res = { 0 };
	struct cow_iteration it = { 0 };
	char before[SAMPLES], after[SAMPLES];
	int status = 0, err;

	memset(c->shared, 0, sizeof(*c->shared));
	c->go[0] = c->go[1] = c->done[0] = c->done[1] = -1;
	if (pipe2(c->go, O_CLOEXEC) || pipe2(c->done, O_CLOEXEC) || (err = advise(c->pattern, r, 1))) {
		err = -errno;
		close_pipes(c);
		snprintf(c->env->reason, sizeof(c->env->reason), "pipe or madvise: %s", strerror(-err));
		return err;
	}
	sample_bytes(r->base, r->size_bytes, before);
	fflush(NULL);
	int64_t t0 = fb_now_ns();
	pid_t pid = fork();
	if (pid == 0)
		run_child(c);
	it.fork_ns = fb_now_ns() - t0;
	advise(c->pattern, r, 0);
	if (pid < 0) {
		err = errno;
		close_pipes(c);
		snprintf(c->env->reason, sizeof(c->env->reason), "fork: %s", strerror(err));
		return err == EAGAIN || err == ENOMEM ? FB_NO_RESOURCE : -err;
	}
	run_parent(c, pid, &it, &parent_res);
	close_pipes(c);   /* a child still waiting sees EOF and leaves */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	fb_status_kib(0, "VmRSS", &it.rss_kib);
	sample_bytes(r->base, r->size_bytes, after);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(c->env->reason, sizeof(c->env->reason), "child ended with wait status 0x%x", status);
		return -ECHILD;
	}
	struct cow_result res = c->pattern == PARENT_WRITES ? parent_res : *c->shared;
	res.held = c->shared->held && (c->pattern == PARENT_WRITES || memcmp(before, after, SAMPLES) == 0);
	fill_sample(out, c->pattern, r, &res, &it);
	return 0;
}

/* The parent's writes to a shared THP split its PMDs: the region would stay
 * 4 KiB-mapped for every benchmark the worker runs after this one. Map it
 * afresh (touched, huge again) so that each iteration, and the cases that
 * follow, see the region the worker was started with. */
static int restore_huge_region(struct fb_env *env)
{
	struct fb_region *r = env->region;
	size_t size = r->size_bytes;

	fb_region_destroy(r);
	int err = fb_region_create(r, size, FB_PAGES_THP);
	if (err)
		snprintf(env->reason, sizeof(env->reason), "re-creating the THP region: %s", strerror(-err));
	return err;
}

static int cow_run(struct fb_env *env, struct fb_sample *out, size_t n)
{
	struct cow_ctx c = { .env = env, .pattern = (enum cow_pattern)env->param };
	int err = 0;

	if (!env->region || env->region->size_bytes == 0) {
		snprintf(env->reason, sizeof(env->reason), "no memory to share at 0 MiB");
		return FB_SKIP;
	}
	c.shared = mmap(NULL, sizeof(*c.shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c.shared == MAP_FAILED)
		return -errno;
	int restore = c.pattern == PARENT_WRITES && env->region->mode == FB_PAGES_THP;
	for (size_t i = 0; !err && i < n; i++) {
		err = cow_once(&c, &out[i]);
		if (!err && restore)
			err = restore_huge_region(env);
	}
	munmap(c.shared, sizeof(*c.shared));
	return err;
}

enum copy_metric { C_FAULTS_RUSAGE, C_PAGES_COPIED, C_PREFAULTED_COPY_NS, C_GIB_PER_S, N_COPY_METRICS };
static const char *const copy_values[N_COPY_METRICS + 1] = {
	[C_FAULTS_RUSAGE] = "faults_rusage", [C_PAGES_COPIED] = "pages_copied",
	[C_PREFAULTED_COPY_NS] = "prefaulted_copy_ns", [C_GIB_PER_S] = "gib_per_s", [N_COPY_METRICS] = NULL,
};

/* What fork would cost without COW: copy the whole region into fresh
 * memory (faults, zeroing and copying, as a copying fork would), then once
 * more into the same, now resident, memory (the copy alone). */
static int naive_copy(struct fb_env *env, struct fb_sample *out, size_t n)
{
	struct fb_region *r = env->region;

	if (!r || r->size_bytes == 0) {
		snprintf(env->reason, sizeof(env->reason), "nothing to copy at 0 MiB");
		return FB_SKIP;
	}
	for (size_t i = 0; i < n; i++) {
		struct fb_faults f;
		struct fb_fault_counts c;
		char *dest = fresh_like(r);
		if (!dest) {
			snprintf(env->reason, sizeof(env->reason), "mmap of %zu bytes: %s", r->size_bytes, strerror(errno));
			return FB_NO_RESOURCE;
		}
		fb_faults_open(&f);
		fb_faults_start(&f);
		int64_t t0 = fb_now_ns();
		memcpy(dest, r->base, r->size_bytes);
		int64_t t1 = fb_now_ns();
		fb_faults_stop(&f, &c);
		fb_faults_close(&f);
		memcpy(dest, r->base, r->size_bytes);
		int64_t t2 = fb_now_ns();
		munmap(dest, r->size_bytes);
		out[i].time_ns = (double)(t1 - t0);
		out[i].values[C_FAULTS_RUSAGE] = (double)c.rusage;
		out[i].values[C_PAGES_COPIED] = (double)(r->size_bytes / FB_PAGE_BYTES);
		out[i].values[C_PREFAULTED_COPY_NS] = (double)(t2 - t1);
		out[i].values[C_GIB_PER_S] = (double)r->size_bytes / (1 << 30) / ((double)(t1 - t0) / 1e9);
	}
	return 0;
}

/* At 0 MiB there is nothing to share or copy: the sweep starts above it. */
#define COW_AXES (FB_AXIS_MEM | FB_AXIS_MODE | FB_AXIS_NO_ZERO)
/* 16 MiB of writing per repetition: 16 iterations at 1 MiB, one from 16 MiB
 * up. Each iteration is a fork, the loop and an exit: with 64 (64 at 1 MiB,
 * 4 at 16 MiB) the cow family took 114 s of a default run on a PVM guest in a
 * slow phase, and `make bench` 5.5 minutes; the median of 16 iterations
 * still leaves one slow iteration out. */
#define COW_WORK_MIB 16
#define COW_CASE(name_, pattern_, what_, per_) \
	{ .name = name_, .run = cow_run, .param = pattern_, .axes = COW_AXES, .value_names = cow_values, .what = what_, \
	  .work_mib = COW_WORK_MIB, .per = per_ }

/* Each row pins down one behaviour; "faults_expected" is what the kernel
 * must do, "behaviour_held" whether the isolation or advice was seen. */
static const struct fb_case cow_cases[] = {
	/* one COW fault and one 4 KiB copy per page written (4k mode) */
	COW_CASE("child_write_all", CHILD_WRITES_ALL, "child writes every page; write loop time", "child's write pass"),
	COW_CASE("child_write_half", CHILD_WRITES_HALF, "child writes every other page", "child's write pass"),
	/* THP since Linux 5.8: the write splits the PMD and copies 4 KiB only */
	COW_CASE("child_write_per_2m", CHILD_WRITES_PER_2M, "child writes one byte per 2 MiB", "child's write pass"),
	/* reading shared pages copies nothing */
	COW_CASE("child_read_only", CHILD_READS, "child reads every page", "child's read pass"),
	/* the parent's writes copy too, while a child shares the pages */
	COW_CASE("parent_write_all", PARENT_WRITES, "parent writes every page while the child lives", "parent's write pass"),
	/* for contrast: first-touch faults on memory the parent never touched */
	COW_CASE("child_write_fresh", CHILD_WRITES_FRESH, "child writes fresh memory (not COW)", "child's write pass"),
	/* MADV_DONTFORK: the child has no such mapping */
	COW_CASE("dontfork", DONTFORK, "region under MADV_DONTFORK: absent in the child; fork time", "fork"),
	/* MADV_WIPEONFORK: the child gets zero-filled memory, not copies */
	COW_CASE("wipeonfork_write_all", WIPEONFORK, "region under MADV_WIPEONFORK: child writes zeroed pages", "child's write pass"),
	/* what fork would cost if it copied */
	{ .name = "naive_copy", .run = naive_copy, .axes = COW_AXES, .value_names = copy_values,
	  .what = "memcpy of the region into fresh memory", .work_mib = COW_WORK_MIB, .per = "copy of the region" },
};

const struct fb_family fb_cow_family = {
	.name = "cow", .cases = cow_cases, .ncases = sizeof(cow_cases) / sizeof(cow_cases[0]),
};
