/* shape.c - the shape family: what the parent's shape adds to a process
 * creation. The same round trip (fork + child _exit(0) + waitpid, or fork +
 * execve of the static helper + waitpid) against the parent's mappings
 * (VMAs), its threads, and its open file descriptors (inherited, O_CLOEXEC,
 * or closed by close_range in the child). Every value of an axis is a
 * benchmark of its own; the report fits the slope through them (us per 1000
 * VMAs, per thread, per 1000 fds). A batch builds its shape, runs its
 * iterations, and takes the shape down again: the worker's maps, threads,
 * page tables and resident memory are checked after every batch (wstate.c),
 * its fds and RLIMIT_NOFILE are restored too. */
#define _GNU_SOURCE
#include "family.h"
#include "machine.h"
#include "stackpage.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* What one page-middle-directory page maps on x86-64 (see map_isolated). */
#define TABLE_SPAN (1UL << 30)
/* An idle thread makes two system calls: a few hundred bytes of stack. */
#define IDLE_STACK_BYTES (64 * 1024UL)
#define MAX_THREADS 1024
/* A thread whose tid the kernel cleared may still be on its way out (it
 * leaves the thread group after): wait this long at most for Threads: to
 * come back down. */
#define THREADS_GONE_TRIES 2000
/* Room for what the ops read from /proc, on the stack: see proc_read. */
#define PROC_CHUNK 4096

enum fd_variant {
	FDS_INHERITED,       /* no O_CLOEXEC: the exec'd helper holds them all */
	FDS_CLOEXEC,         /* O_CLOEXEC: execve closes them */
	FDS_CLOSED_IN_CHILD, /* no O_CLOEXEC: the child calls close_range(3, ~0U) before execve */
};

/* What the child does after fork: _exit(0) when path is NULL, else execve
 * path with an empty environment, first closing every fd above stderr when
 * close_first is set. */
struct child_plan {
	const char *path;
	char *argv[2];
	int close_first;
};

/* what failed, with the limit err stands for when it names one (machine.h). */
static int set_reason(struct fb_env *env, int err, const char *what)
{
	char limit[160];

	fb_limit_text(err, limit, sizeof(limit));
	snprintf(env->reason, sizeof(env->reason), limit[0] ? "%s: %s (%s)" : "%s: %s", what, strerror(err), limit);
	return err == EAGAIN || err == ENOMEM || err == EMFILE ? FB_NO_RESOURCE : -err;
}

/* The ops read /proc with open/read into their own stack, never stdio or
 * opendir: those take buffers from malloc, and a heap that grows past what
 * it held when the worker read its baseline can reach into a 2 MiB range
 * without a page table yet, one more VmPTE page and a restarted worker
 * (seen with opendir's 32 KiB buffer: the heap's first 8 KiB were the last
 * pages of a 2 MiB range). The worker's stack below main is touched before
 * its baseline (worker.c), so buffers there cost nothing of the kind. */

/* Call each on every chunk of the file; 0 or -errno. */
static int proc_read(const char *path, void (*each)(const char *chunk, ssize_t len, void *arg), void *arg)
{
	char chunk[PROC_CHUNK];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t len;

	if (fd < 0)
		return -errno;
	while ((len = read(fd, chunk, sizeof(chunk))) > 0)
		each(chunk, len, arg);
	int err = len < 0 ? -errno : 0;
	close(fd);
	return err;
}

static void add_lines(const char *chunk, ssize_t len, void *arg)
{
	for (ssize_t i = 0; i < len; i++)
		*(long *)arg += chunk[i] == '\n';
}

/* Lines of a /proc file: of /proc/self/maps, the VMAs. */
static long proc_lines(const char *path)
{
	long lines = 0;
	int err = proc_read(path, add_lines, &lines);
	return err ? err : lines;
}

static void child_run(const struct child_plan *plan)
{
	static char *const no_env[] = { NULL };

	if (!plan->path)
		_exit(0);
	if (plan->close_first && close_range(3, ~0U, 0))
		_exit(126);
	execve(plan->path, plan->argv, no_env);
	_exit(127);
}

/* One iteration: fork, the child follows the plan, reap it, check it
 * exited 0. time_ns is the round trip. The child is always reaped. */
static int fork_round_trip(struct fb_env *env, const struct child_plan *plan, struct fb_sample *sample)
{
	int status;

	FB_STACK_TO_PAGE_ROOM();
	int64_t t0 = fb_now_ns();
	pid_t pid = fork();
	if (pid == 0)
		child_run(plan);
	if (pid < 0)
		return set_reason(env, errno, "fork");
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return set_reason(env, errno, "waitpid");
	int64_t t_reaped = fb_now_ns();
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(env->reason, sizeof(env->reason), "child %d ended with wait status 0x%x%s", pid, status,
			 WIFEXITED(status) && WEXITSTATUS(status) == 126 ? " (close_range failed)" :
			 WIFEXITED(status) && WEXITSTATUS(status) == 127 ? " (execve failed)" : "");
		return -ECHILD;
	}
	sample->time_ns = (double)(t_reaped - t0);
	return 0;
}

/* --- mappings ----------------------------------------------------------- */

/* A private read-write anonymous mapping of bytes that shares no page table
 * with any other mapping: it starts on a 1 GiB boundary and nothing else
 * lies in the 1 GiB ranges it covers. munmap frees a page-table page only
 * when no other mapping lies in what it covers; one shared with a
 * neighbour that had none before would stay allocated after the batch,
 * VmPTE would have grown by 4 KiB and the worker would be restarted
 * (wstate.c). 1 GiB and not 2 MiB: VmPTE counts the PMD page too. The
 * reservation is PROT_NONE (no commit charge); its unused ends go back at
 * once, so the set-up peaks at 3 VMAs. */
static void *map_isolated(size_t bytes)
{
	size_t span = (bytes + TABLE_SPAN - 1) / TABLE_SPAN * TABLE_SPAN + TABLE_SPAN;
	char *reserved = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (reserved == MAP_FAILED)
		return NULL;
	char *start = (char *)(((uintptr_t)reserved + TABLE_SPAN - 1) & ~(TABLE_SPAN - 1));
	if (mmap(start, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
		int err = errno;
		munmap(reserved, span);
		errno = err;
		return NULL;
	}
	if (start > reserved)
		munmap(reserved, (size_t)(start - reserved));
	munmap(start + bytes, (size_t)(reserved + span - (start + bytes)));
	/* 4 KiB pages whatever the THP setting: a huge page would be split by
	 * the first mprotect, and the figure would depend on the setting. */
	madvise(start, bytes, MADV_NOHUGEPAGE);
	return start;
}

/* Write one page in the kernel: MADV_POPULATE_WRITE (Linux 5.14) faults it
 * in within the system call. From user space a first write is a page fault
 * of about 25 us on this PVM guest; before 5.14 that is what it costs. */
static int populate_page(char *page)
{
	if (madvise(page, FB_PAGE_BYTES, MADV_POPULATE_WRITE) == 0)
		return 0;
	if (errno != EINVAL)
		return -errno;
	*(volatile char *)page = 1;
	return 0;
}

/* mprotect's split fails with ENOMEM at vm.max_map_count (or when the
 * kernel has no memory for one more VMA). */
static int split_failed(struct fb_env *env, int err, long at, long count)
{
	if (err != ENOMEM)
		return set_reason(env, err, "mprotect");
	snprintf(env->reason, sizeof(env->reason), "mprotect: ENOMEM at VMA %ld of %ld (vm.max_map_count reached?)",
		 at, count);
	return FB_NO_RESOURCE;
}

struct vma_set {
	char *base;
	size_t bytes;
};

static void vmas_free(struct vma_set *set)
{
	if (set->base)
		munmap(set->base, set->bytes);
	set->base = NULL;
}

/* count VMAs of one page each: one mapping, every other page made
 * read-only (count/2 mprotect calls, each splitting off a VMA on either
 * side) so that no two neighbours can merge, then every writable page
 * written once. Like a real process: its writable mappings hold pages (a
 * heap, a stack: fork links the child's VMA to an anon_vma and copies and
 * write-protects the PTE), its read-only ones mostly map a file whose
 * pages fork does not copy (copy_page_range skips a VMA without an
 * anon_vma: the child faults them in again). Untouched, they all cost the
 * VMA copy only. And cheaper to set up: mprotect on a page already present
 * changes its PTE and flushes the TLB, 14 us a call here against 4.
 * maps_now: the process's map count before. */
static int vmas_make(struct vma_set *set, long count, long maps_now, struct fb_env *env)
{
	long max_map_count = fb_proc_number("/proc/sys/vm/max_map_count", "");
	int err = 0;

	memset(set, 0, sizeof(*set));
	if (count < 1)
		return snprintf(env->reason, sizeof(env->reason), "vmas:%ld is not a VMA count", count), -EINVAL;
	/* A map count above vm.max_map_count makes mprotect's split fail with
	 * ENOMEM: tell it apart from a lack of memory before trying. */
	if (max_map_count > 0 && maps_now + count > max_map_count) {
		snprintf(env->reason, sizeof(env->reason), "vm.max_map_count is %ld: %ld VMAs plus the %ld already mapped do not fit",
			 max_map_count, count, maps_now);
		return FB_NO_RESOURCE;
	}
	set->bytes = (size_t)count * FB_PAGE_BYTES;
	if (!(set->base = map_isolated(set->bytes)))
		return set_reason(env, errno, "mmap of the VMAs' pages");
	for (long page = 1; !err && page < count; page += 2)
		if (mprotect(set->base + page * FB_PAGE_BYTES, FB_PAGE_BYTES, PROT_READ))
			err = split_failed(env, errno, page, count);
	for (long page = 0; !err && page < count; page += 2)
		if ((err = populate_page(set->base + page * FB_PAGE_BYTES)))
			err = set_reason(env, -err, "MADV_POPULATE_WRITE of a VMA's page");
	if (err)
		vmas_free(set);
	return err;
}

/* fork round trip of a parent holding axis_value more one-page VMAs.
 * Counters: the VMAs really added (the map count during the batch minus
 * before) and the parent's whole map count during the forks. */
static int fork_vmas(struct fb_env *env, struct fb_sample *out, size_t n)
{
	static const struct child_plan exit_at_once = { 0 };
	struct vma_set set;
	long maps_before = proc_lines("/proc/self/maps");
	int err = maps_before < 0 ? set_reason(env, (int)-maps_before, "/proc/self/maps") :
				    vmas_make(&set, (long)env->axis_value, maps_before, env);

	if (err)
		return err;
	long maps_during = proc_lines("/proc/self/maps");
	fflush(NULL);   /* nothing buffered may be written twice by a child */
	for (size_t i = 0; !err && i < n; i++) {
		err = fork_round_trip(env, &exit_at_once, &out[i]);
		out[i].values[0] = (double)(maps_during - maps_before);
		out[i].values[1] = (double)maps_during;
	}
	vmas_free(&set);
	return err;
}

/* --- threads ------------------------------------------------------------ */

/* Idle threads as the kernel sees them: tasks sharing mm, files and signal
 * handlers (threads.c's clone_thread), made with clone on stacks of ours,
 * all in one mapping. Not pthread_create: glibc's own stacks are a mapping
 * and a guard page each (2 VMAs a thread, the VMA slope mixed into this
 * one), freed ones stay in its stack cache (up to 40 MiB of mappings that
 * outlive the join); with pthread_attr_setstack there is no cache, but
 * each thread still gets its TLS vector from malloc (about 300 bytes), and
 * 63 of them grow the heap past its baseline (see proc_read). What this
 * leaves out is glibc's: its fork, knowing of threads, takes the stdio and
 * malloc locks around the call (a constant), and with glibc's own stacks
 * its child marks every other thread's stack free (reclaim_stacks writes
 * into each descriptor: a COW fault per thread, in the child). */
struct idle_threads {
	char *stacks;
	size_t stacks_bytes;
	long started;
	int ready[2];      /* each thread writes one byte here, then blocks */
	int release[2];    /* closing the write end lets them all return */
	pid_t tids[MAX_THREADS];   /* cleared by the kernel as each one leaves */
};

static const int idle_clone_flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
				    CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;

/* Shares our TLS pointer (no CLONE_SETTLS): it must not touch errno or any
 * thread-local state, nor AddressSanitizer's (the tests), so only raw
 * system calls that succeed. Blocked in a pipe read, not spinning: no CPU
 * time taken from the forking thread. Returning ends the task (glibc's
 * clone wrapper makes the exit system call). */
__attribute__((no_sanitize("address", "undefined")))
static int idle_body(void *arg)
{
	struct idle_threads *t = arg;
	char byte = 1;

	syscall(SYS_write, t->ready[1], &byte, 1);
	syscall(SYS_read, t->release[0], &byte, 1);   /* 0 bytes: the write end closed */
	return 0;
}

static long thread_count(void)
{
	return fb_proc_number("/proc/self/status", "Threads:");
}

static void close_pair(int pair[2])
{
	for (int i = 0; i < 2; i++)
		if (pair[i] >= 0)
			close(pair[i]);
	pair[0] = pair[1] = -1;
}

/* Let every started thread return, wait for the kernel to clear each tid
 * (the futex wake of CLONE_CHILD_CLEARTID), then for Threads: to come back
 * down (bounded); then nothing runs on the stacks any more. */
static void threads_stop(struct idle_threads *t, long threads_before)
{
	if (t->release[1] >= 0)
		close(t->release[1]);
	t->release[1] = -1;
	for (long k = 0; k < t->started; k++)
		for (pid_t seen; (seen = __atomic_load_n(&t->tids[k], __ATOMIC_ACQUIRE)) != 0;)
			syscall(SYS_futex, &t->tids[k], FUTEX_WAIT, seen, NULL, NULL, 0);
	for (int tries = 0; tries < THREADS_GONE_TRIES && thread_count() > threads_before; tries++)
		sched_yield();
	if (t->stacks)
		munmap(t->stacks, t->stacks_bytes);
	t->stacks = NULL;
	t->started = 0;
	close_pair(t->ready);
	close_pair(t->release);
}

/* extra idle threads, each one through its write before this returns (a
 * thread may still be on its way into the read: a few instructions). The
 * stack mapping is there even for none, so that the parent's map count is
 * the same all along the axis. */
static int threads_start(struct idle_threads *t, long extra, long threads_before, struct fb_env *env)
{
	memset(t, 0, sizeof(*t));
	t->ready[0] = t->ready[1] = t->release[0] = t->release[1] = -1;
	t->stacks_bytes = (size_t)(extra > 0 ? extra : 1) * IDLE_STACK_BYTES;
	if (pipe2(t->ready, O_CLOEXEC) || pipe2(t->release, O_CLOEXEC)) {
		int err = errno;
		threads_stop(t, threads_before);
		return set_reason(env, err, "pipe");
	}
	if (!(t->stacks = map_isolated(t->stacks_bytes))) {
		int err = errno;
		threads_stop(t, threads_before);
		return set_reason(env, err, "mmap of the thread stacks");
	}
	for (; t->started < extra; t->started++) {
		char *top = t->stacks + (t->started + 1) * IDLE_STACK_BYTES;
		if (clone(idle_body, top, idle_clone_flags, t, &t->tids[t->started], NULL, &t->tids[t->started]) < 0)
			break;
	}
	int err = t->started < extra ? errno : 0;
	char bytes[64];
	for (long parked = 0; !err && parked < extra;) {
		ssize_t got = read(t->ready[0], bytes, sizeof(bytes) < (size_t)(extra - parked) ? sizeof(bytes) : (size_t)(extra - parked));
		if (got > 0)
			parked += got;
		else if (got == 0 || errno != EINTR)
			err = got == 0 ? EPIPE : errno;
	}
	if (!err)
		return 0;
	long made = t->started;
	threads_stop(t, threads_before);
	char what[64];
	snprintf(what, sizeof(what), "clone of thread %ld of %ld", made + 2, extra + 1);
	return set_reason(env, err, what);
}

/* fork round trip from a parent of axis_value threads in all: the forking
 * one and axis_value - 1 idle ones (threads:1 = no extra thread). fork
 * copies the calling thread only, but the address space it copies is
 * shared by all of them. Counters: Threads: of /proc/self/status and the
 * map count, both read during the batch. */
static int fork_threads(struct fb_env *env, struct fb_sample *out, size_t n)
{
	static const struct child_plan exit_at_once = { 0 };
	static struct idle_threads idle;   /* static: MAX_THREADS tids */
	long threads_before = thread_count();

	if (env->axis_value < 1 || env->axis_value > MAX_THREADS)
		return snprintf(env->reason, sizeof(env->reason), "threads:%lld is outside 1..%d",
				(long long)env->axis_value, MAX_THREADS), -EINVAL;
	if (threads_before < 1)
		return snprintf(env->reason, sizeof(env->reason), "no Threads: in /proc/self/status"), -EIO;
	int err = threads_start(&idle, (long)env->axis_value - 1, threads_before, env);
	if (err)
		return err;
	long threads_during = thread_count(), maps_during = proc_lines("/proc/self/maps");
	fflush(NULL);
	for (size_t i = 0; !err && i < n; i++) {
		err = fork_round_trip(env, &exit_at_once, &out[i]);
		out[i].values[0] = (double)threads_during;
		out[i].values[1] = (double)maps_during;
	}
	threads_stop(&idle, threads_before);
	return err;
}

/* --- file descriptors --------------------------------------------------- */

/* How many fds are open, and the highest (the directory's own fd left
 * out): getdents64 into our stack, no opendir (see proc_read). */
static long count_open_fds(int *highest)
{
	char entries[PROC_CHUNK] __attribute__((aligned(8)));
	int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long open_fds = 0;
	ssize_t len;

	*highest = -1;
	if (dir < 0)
		return -errno;
	while ((len = getdents64(dir, entries, sizeof(entries))) > 0)
		for (ssize_t at = 0; at < len;) {
			const struct dirent64 *e = (const struct dirent64 *)(entries + at);
			int fd = atoi(e->d_name);
			at += e->d_reclen;
			if (e->d_name[0] == '.' || fd == dir)
				continue;
			open_fds++;
			if (fd > *highest)
				*highest = fd;
		}
	int err = len < 0 ? -errno : 0;
	close(dir);
	return err ? err : open_fds;
}

/* count fds, numbered first .. first + count - 1, and the RLIMIT_NOFILE
 * they found (restored when they are closed). */
struct fd_block {
	int first;
	long count;
	struct rlimit saved;
	int raised;
};

static void fds_close(struct fd_block *b)
{
	if (b->count > 0 && close_range((unsigned)b->first, (unsigned)(b->first + b->count - 1), 0))
		for (long k = 0; k < b->count; k++)
			close(b->first + (int)k);
	b->count = 0;
	if (b->raised)
		setrlimit(RLIMIT_NOFILE, &b->saved);
	b->raised = 0;
}

/* count fds above every open one, all on /dev/null: one open, then
 * F_DUPFD, so that they are contiguous (one close_range takes them down)
 * and cheap to make. They share one open file: fork and exit touch each
 * fd's reference, the last close of a file of its own would cost more.
 * RLIMIT_NOFILE's soft limit is raised as far as they need, within the
 * hard limit: beyond it, FB_NO_RESOURCE. */
static int fds_open(struct fd_block *b, long count, int cloexec, struct fb_env *env)
{
	int highest, src = open("/dev/null", O_RDONLY | O_CLOEXEC);
	long open_fds = src < 0 ? -errno : count_open_fds(&highest);

	memset(b, 0, sizeof(*b));
	if (open_fds < 0) {
		if (src >= 0)
			close(src);
		return set_reason(env, (int)-open_fds, src < 0 ? "open /dev/null" : "/proc/self/fd");
	}
	getrlimit(RLIMIT_NOFILE, &b->saved);
	rlim_t needed = (rlim_t)highest + 1 + (rlim_t)count;
	if (needed > b->saved.rlim_max) {
		close(src);
		snprintf(env->reason, sizeof(env->reason), "RLIMIT_NOFILE hard limit is %llu: %ld fds do not fit beside the %ld open",
			 (unsigned long long)b->saved.rlim_max, count, open_fds - 1);
		return FB_NO_RESOURCE;
	}
	if (needed > b->saved.rlim_cur) {
		struct rlimit raised = { .rlim_cur = needed, .rlim_max = b->saved.rlim_max };
		b->raised = setrlimit(RLIMIT_NOFILE, &raised) == 0;
	}
	b->first = highest + 1;
	int err = 0;
	for (; b->count < count; b->count++)
		if (fcntl(src, cloexec ? F_DUPFD_CLOEXEC : F_DUPFD, b->first + (int)b->count) < 0) {
			err = errno;
			break;
		}
	close(src);
	if (!err)
		return 0;
	long made = b->count;
	fds_close(b);
	snprintf(env->reason, sizeof(env->reason), "F_DUPFD of fd %ld of %ld: %s (RLIMIT_NOFILE, fs.nr_open, fs.file-max)",
		 made + 1, count, strerror(err));
	return err == EMFILE || err == ENFILE || err == ENOMEM ? FB_NO_RESOURCE : -err;
}

/* fork + execve of the static helper from a parent holding axis_value more
 * fds, each way of handling them (the row's param). Counter: the fds open
 * in the parent during the batch. */
static int fork_exec_fds(struct fb_env *env, struct fb_sample *out, size_t n)
{
	enum fd_variant variant = (enum fd_variant)env->param;
	char path[512];
	struct child_plan plan = { .path = path, .argv = { path, NULL }, .close_first = variant == FDS_CLOSED_IN_CHILD };
	struct fd_block block;
	int highest;

	snprintf(path, sizeof(path), "%s/fb-exit0-static", env->helper_dir ? env->helper_dir : ".");
	if (access(path, X_OK))
		return snprintf(env->reason, sizeof(env->reason), "exec target %.150s: %s", path, strerror(errno)), -ENOENT;
	/* An empty range closes nothing: what is left to learn is ENOSYS. */
	if (plan.close_first && close_range(~0U, ~0U, 0) && errno == ENOSYS)
		return snprintf(env->reason, sizeof(env->reason), "close_range: this kernel does not implement it (ENOSYS)"),
		       FB_SKIP;
	int err = fds_open(&block, (long)env->axis_value, variant == FDS_CLOEXEC, env);
	if (err)
		return err;
	long fds_during = count_open_fds(&highest);
	fflush(NULL);
	for (size_t i = 0; !err && i < n; i++) {
		err = fork_round_trip(env, &plan, &out[i]);
		out[i].values[0] = (double)fds_during;
	}
	fds_close(&block);
	return err;
}

/* --- the table ---------------------------------------------------------- */

/* The short sweeps (quick and default profiles) keep each family's part of
 * a default run to a few seconds here: about 0.45 s a point, 1 s at 16384
 * VMAs. The fds axis steps by 10x past 10: a slope shows only from 10000. */
static const struct fb_axis vmas_axis = {
	.name = "vmas", .values = { 16, 256, 1024, 4096, 16384, 65536 }, .short_max = 4096,
	.per = "1000 VMAs", .per_count = 1000,
};
static const struct fb_axis threads_axis = {
	.name = "threads", .values = { 1, 4, 16, 64 }, .short_max = 16,
	.per = "thread", .per_count = 1,
};
static const struct fb_axis fds_axis = {
	.name = "fds", .values = { 10, 1000, 10000, 100000 }, .short_max = 10000,
	.per = "1000 fds", .per_count = 1000,
};

static const char *const vmas_values[] = { "vmas", "parent_maps", NULL };
static const char *const threads_values[] = { "parent_threads", "parent_maps", NULL };
static const char *const fds_values[] = { "fds", NULL };

/* All at 0 MiB in 4 KiB mode: the axis is the parent's shape, not its memory. */
#define SHAPE_CASE(name_, fn_, param_, axis_, values_, what_) \
	{ .name = name_, .run = fn_, .param = param_, .axis = axis_, .value_names = values_, .what = what_, \
	  .per = "round trip" }

static const struct fb_case shape_cases[] = {
	SHAPE_CASE("fork_vmas", fork_vmas, 0, &vmas_axis, vmas_values,
		   "fork + child _exit(0) + waitpid, parent holding N more one-page VMAs"),
	SHAPE_CASE("fork_threads", fork_threads, 0, &threads_axis, threads_values,
		   "fork + child _exit(0) + waitpid, parent of N threads (N-1 idle, blocked)"),
	SHAPE_CASE("fork_exec_fds", fork_exec_fds, FDS_INHERITED, &fds_axis, fds_values,
		   "fork + execve of a static helper, parent holding N more fds, inherited"),
	SHAPE_CASE("fork_exec_fds_cloexec", fork_exec_fds, FDS_CLOEXEC, &fds_axis, fds_values,
		   "fork + execve of a static helper, parent holding N more O_CLOEXEC fds"),
	SHAPE_CASE("fork_exec_fds_close_range", fork_exec_fds, FDS_CLOSED_IN_CHILD, &fds_axis, fds_values,
		   "fork + close_range(3, ~0U) in the child + execve, parent holding N more fds"),
};

const struct fb_family fb_shape_family = {
	.name = "shape", .cases = shape_cases, .ncases = sizeof(shape_cases) / sizeof(shape_cases[0]),
};
