/* storm.c - the storm family: fork under concurrency. K processes forking at
 * once (the machine's fork throughput and each round trip's latency, p50 and
 * p99), and fork of a parent whose sibling threads are faulting memory at the
 * same time: the Redis/JVM case, where fork write-locks the address space
 * for its whole page-table copy and every fault of the siblings waits. */
#define _GNU_SOURCE
#include "family.h"
#include "machine.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* Round trips each forker makes per iteration: K x 32 latencies to rank
 * (p99 of 32 or 64 is the largest, of 128 the second largest). On a PVM
 * guest (a 0 MiB round trip 1.5-2 ms, and two CPUs fork no faster than
 * one) forkers:1, 2 and 4 take 3-5 s of a default run at 32, twice that
 * at 64. */
#define ROUNDS_PER_FORKER 32
#define MAX_FORKERS 16            /* the axis's largest value */

#define SIBLING_BUFFER_BYTES ((size_t)1 << 20)
/* The siblings only call mmap, write and munmap: 64 KiB is plenty, and 256
 * KiB leaves AddressSanitizer's larger frames room in the tests. */
#define SIBLING_STACK_BYTES ((size_t)256 * 1024)
#define MAX_SIBLINGS 16

/* what failed, with the limit err stands for when it names one (machine.h). */
static int set_reason(struct fb_env *env, int err, const char *what)
{
	char limit[160];

	fb_limit_text(err, limit, sizeof(limit));
	snprintf(env->reason, sizeof(env->reason), limit[0] ? "%s: %s (%s)" : "%s: %s", what, strerror(err), limit);
	return err == EAGAIN || err == ENOMEM ? FB_NO_RESOURCE : -err;
}

/* fork + child _exit(0) + waitpid: 0 and the round trip in *ns, or the
 * errno that stopped it. A child that was created is always reaped. */
static int fork_round_trip(int64_t *ns)
{
	int status;
	int64_t t0 = fb_now_ns();
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return errno;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return errno;
	*ns = fb_now_ns() - t0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : ECHILD;
}

/* --- parallel_fork: K forkers at once ------------------------------------- */

/* What the forkers write and the worker reads: MAP_SHARED, so it is the
 * same memory on both sides of fork. */
struct forker_report {
	int64_t end_ns;                   /* its last round trip ended */
	int err;                          /* errno that stopped it, 0 */
	int cpu;                          /* the CPU it ran on, -1 when it could not move */
};

struct storm_shared {
	int cancelled;                    /* set before the release: leave at once */
	struct forker_report forkers[MAX_FORKERS];
	int64_t latency_ns[MAX_FORKERS * ROUNDS_PER_FORKER];
};

/* The two pipes of one iteration: each forker writes a byte into ready
 * once it is set up; the worker closes go's write end, and every forker's
 * read of go returns 0 at once: the release. */
struct barrier {
	int ready[2], go[2];
};

static void barrier_close(struct barrier *b)
{
	for (int i = 0; i < 2; i++) {
		if (b->ready[i] >= 0)
			close(b->ready[i]);
		if (b->go[i] >= 0)
			close(b->go[i]);
		b->ready[i] = b->go[i] = -1;
	}
}

/* Forker k's own CPU: round robin over set, starting at the first CPU the
 * caller (a forker not moved yet: the worker's mask) may use, so forker 0
 * shares spawn/fork's CPU (the run's) and not, say, CPU 0, where the
 * machine's interrupts and the harness run (forkers:1 measured 1.46x
 * spawn/fork there). -1 when set is empty. */
static int cpu_of_forker(const cpu_set_t *set, int k)
{
	int n = CPU_COUNT(set), start = 0, seen = 0;
	cpu_set_t own;

	if (n && sched_getaffinity(0, sizeof(own), &own) == 0)
		for (int cpu = 0, index = 0; cpu < CPU_SETSIZE; cpu++) {
			if (!CPU_ISSET(cpu, set))
				continue;
			if (CPU_ISSET(cpu, &own)) {
				start = index;
				break;
			}
			index++;
		}
	for (int cpu = 0; n && cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, set) && seen++ == (start + k) % n)
			return cpu;
	return -1;
}

/* A forker: move to a CPU of its own, round robin over the online ones (the
 * run pins the worker to one; the worker's own mask never changes), say
 * ready, wait for the release, then ROUNDS_PER_FORKER round trips, each
 * child reaped by it. Pinned, not free: its children inherit the one CPU,
 * as spawn/fork's do, so forkers:1 is spawn/fork's round trip from another
 * process (a consistency pair); free, a child lands on the other CPU about
 * half the time, and forkers:1 measured 2.2x spawn/fork here. Dies with the
 * worker (PR_SET_PDEATHSIG). A mask the kernel refuses leaves it on the CPUs
 * it has: the cpus counter says how many CPUs the forkers used. */
static __attribute__((noreturn)) void forker_main(struct storm_shared *sh, int k, const cpu_set_t *cpus,
						  struct barrier *b, pid_t worker)
{
	struct forker_report *me = &sh->forkers[k];
	cpu_set_t got;
	char byte = 1;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != worker)
		_exit(1);
	close(b->ready[0]);
	close(b->go[1]);
	int cpu = cpu_of_forker(cpus, k);
	CPU_ZERO(&got);
	if (cpu >= 0)
		CPU_SET(cpu, &got);
	if (cpu < 0 || sched_setaffinity(0, sizeof(got), &got) || sched_getaffinity(0, sizeof(got), &got))
		CPU_ZERO(&got);
	me->cpu = CPU_COUNT(&got) == 1 ? cpu : -1;
	if (write(b->ready[1], &byte, 1) != 1)
		_exit(1);
	close(b->ready[1]);
	while (read(b->go[0], &byte, 1) < 0 && errno == EINTR)
		;
	int cancelled = __atomic_load_n(&sh->cancelled, __ATOMIC_RELAXED);
	for (int r = 0; !me->err && !cancelled && r < ROUNDS_PER_FORKER; r++)
		me->err = fork_round_trip(&sh->latency_ns[k * ROUNDS_PER_FORKER + r]);
	me->end_ns = fb_now_ns();
	_exit(me->err ? 1 : 0);
}

/* Read one byte per forker that started; fewer when one died before. */
static int wait_ready(int fd, long count)
{
	char bytes[MAX_FORKERS];
	long got = 0;

	while (got < count) {
		ssize_t r = read(fd, bytes, (size_t)(count - got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -EPIPE;
		got += r;
	}
	return 0;
}

static int cmp_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* The nearest-rank percentile of sorted[0..count): the value at rank
 * ceil(pct/100 x count). */
static double percentile_us(const int64_t *sorted, size_t count, unsigned pct)
{
	size_t rank = (pct * count + 99) / 100;
	return (double)sorted[rank ? rank - 1 : 0] / 1e3;
}

/* One iteration's figures, from the forkers' reports and latencies. */
static void forkers_sample(struct storm_shared *sh, long forkers, int64_t released, struct fb_sample *out)
{
	size_t rounds = (size_t)forkers * ROUNDS_PER_FORKER;
	int64_t last_end = released;
	cpu_set_t used;

	CPU_ZERO(&used);
	for (long k = 0; k < forkers; k++) {
		if (sh->forkers[k].end_ns > last_end)
			last_end = sh->forkers[k].end_ns;
		if (sh->forkers[k].cpu >= 0)
			CPU_SET(sh->forkers[k].cpu, &used);
	}
	int cpus = CPU_COUNT(&used);
	double wall_ns = (double)(last_end - released);
	qsort(sh->latency_ns, rounds, sizeof(sh->latency_ns[0]), cmp_int64);
	out->time_ns = wall_ns / (double)rounds;
	out->values[0] = (double)rounds / wall_ns * 1e9;
	out->values[1] = percentile_us(sh->latency_ns, rounds, 50);
	out->values[2] = percentile_us(sh->latency_ns, rounds, 99);
	out->values[3] = (double)forkers;
	out->values[4] = cpus;
}

/* Reap every forker started; the first failure among them, as an op status. */
static int forkers_reap(struct storm_shared *sh, const pid_t *pids, long started, struct fb_env *env)
{
	int result = 0;

	for (long k = 0; k < started; k++) {
		int status = 0;
		while (waitpid(pids[k], &status, 0) < 0 && errno == EINTR)
			;
		int err = sh->forkers[k].err;   /* final once it is reaped */
		if (result)
			continue;
		if (err)
			result = set_reason(env, err, "fork in a forker");
		else if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			snprintf(env->reason, sizeof(env->reason), "forker %d ended with wait status 0x%x",
				 pids[k], status);
			result = -ECHILD;
		}
	}
	return result;
}

/* One iteration: start the forkers, release them together once all are
 * ready (their start-up is outside the timing), reap them all, also when
 * one could not be started. */
static int forkers_once(struct storm_shared *sh, long forkers, const cpu_set_t *cpus, struct fb_env *env,
			struct fb_sample *out)
{
	struct barrier b = { { -1, -1 }, { -1, -1 } };
	pid_t pids[MAX_FORKERS];
	long started = 0;
	int err = 0;

	memset(sh, 0, sizeof(*sh));
	if (pipe2(b.ready, O_CLOEXEC) || pipe2(b.go, O_CLOEXEC)) {
		err = set_reason(env, errno, "pipe");
		barrier_close(&b);
		return err;
	}
	pid_t worker = getpid();
	while (!err && started < forkers) {
		pid_t pid = fork();
		if (pid == 0)
			forker_main(sh, (int)started, cpus, &b, worker);
		if (pid < 0)
			err = set_reason(env, errno, "fork of a forker");
		else
			pids[started++] = pid;
	}
	close(b.ready[1]);
	b.ready[1] = -1;
	if (!err && wait_ready(b.ready[0], started)) {
		snprintf(env->reason, sizeof(env->reason), "a forker died before it was ready");
		err = -ECHILD;
	}
	sh->cancelled = err != 0;
	int64_t released = fb_now_ns();
	close(b.go[1]);   /* the release: go's last write end */
	b.go[1] = -1;
	barrier_close(&b);
	int reaped = forkers_reap(sh, pids, started, env);
	if (!err && !(err = reaped))
		forkers_sample(sh, forkers, released, out);
	return err;
}

/* parallel_fork: forkers:K at once, each ROUNDS_PER_FORKER round trips.
 * time_ns is the wall time from the release to the last forker's end over
 * K x R: the time per fork at the machine's aggregate rate. */
static int parallel_fork(struct fb_env *env, struct fb_sample *out, size_t n)
{
	long forkers = env->axis_value;
	cpu_set_t cpus;
	int err = 0;

	fb_cpus_usable(&cpus);
	/* The range is 1 .. 2x cores; the axis is fixed, the machine is not. */
	if (forkers > 2L * CPU_COUNT(&cpus)) {
		snprintf(env->reason, sizeof(env->reason), "forkers:%ld is more than 2x the %d CPUs online", forkers,
			 CPU_COUNT(&cpus));
		return FB_SKIP;
	}
	if (forkers < 1 || forkers > MAX_FORKERS) {
		snprintf(env->reason, sizeof(env->reason), "forkers:%ld is outside 1..%d", forkers, MAX_FORKERS);
		return -EINVAL;
	}
	struct storm_shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return set_reason(env, errno, "mmap of the shared latencies");
	fflush(NULL);   /* nothing buffered may be written twice by a forker */
	for (size_t i = 0; !err && i < n; i++)
		err = forkers_once(sh, forkers, &cpus, env, &out[i]);
	munmap(sh, sizeof(*sh));
	return err;
}

/* --- fork_while_faulting: fork beside faulting sibling threads ----------- */

/* One faulting sibling; on a cache line of its own, so that its counter's
 * line does not bounce with another's. */
struct sibling {
	long pages;                       /* pages written so far (atomic) */
	int err;                          /* errno of a failed mmap (atomic), 0 */
	const int *stop;
	pthread_t thread;
} __attribute__((aligned(64)));

struct faulting {
	int stop;                         /* set: the siblings leave (atomic) */
	size_t count;                     /* siblings started */
	char *stacks;                     /* one mapping for every sibling's stack */
	size_t stacks_bytes;
	struct sibling sib[MAX_SIBLINGS];
};

/* Map 1 MiB, write every page, unmap, until told to stop. Each first write
 * is a page fault, which takes the VMA's lock (per-VMA locks, Linux 6.4+)
 * or mmap_lock for read; fork write-locks mmap_lock and every VMA for its
 * whole page-table copy, so these faults stall while it runs, and it
 * waits for those in flight. mmap and munmap take mmap_lock for write, as
 * malloc's arenas do in the Redis/JVM case (and madvise, once per MiB).
 * MADV_NOHUGEPAGE: with mTHP enabled one fault could map 16 pages or more,
 * and a fault is counted per page written. */
static void *sibling_fault_loop(void *arg)
{
	struct sibling *me = arg;

	while (!__atomic_load_n(me->stop, __ATOMIC_RELAXED)) {
		volatile char *buffer = mmap(NULL, SIBLING_BUFFER_BYTES, PROT_READ | PROT_WRITE,
					     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buffer == MAP_FAILED) {
			__atomic_store_n(&me->err, errno, __ATOMIC_RELEASE);
			break;
		}
		madvise((void *)buffer, SIBLING_BUFFER_BYTES, MADV_NOHUGEPAGE);
		/* stop checked per page: the join at the end of the batch waits
		 * for one fault, not for up to 256 of them */
		for (size_t off = 0; off < SIBLING_BUFFER_BYTES && !__atomic_load_n(me->stop, __ATOMIC_RELAXED);
		     off += FB_PAGE_BYTES) {
			buffer[off] = 1;
			__atomic_fetch_add(&me->pages, 1, __ATOMIC_RELAXED);
		}
		munmap((void *)buffer, SIBLING_BUFFER_BYTES);
	}
	return NULL;
}

/* Start want siblings on cpus, on stacks of one mapping of ours: glibc
 * caches the stacks it allocates itself, which would leave mappings
 * behind in the worker after the batch. */
static int siblings_start(struct faulting *f, size_t want, const cpu_set_t *cpus, struct fb_env *env)
{
	pthread_attr_t attr;
	int err;

	f->stacks_bytes = want * SIBLING_STACK_BYTES;
	f->stacks = mmap(NULL, f->stacks_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
			 -1, 0);
	if (f->stacks == MAP_FAILED) {
		f->stacks = NULL;
		return set_reason(env, errno, "mmap of the siblings' stacks");
	}
	if ((err = pthread_attr_init(&attr)))
		return set_reason(env, err, "pthread_attr_init");
	err = pthread_attr_setaffinity_np(&attr, sizeof(*cpus), cpus);
	while (!err && f->count < want) {
		struct sibling *s = &f->sib[f->count];
		s->stop = &f->stop;
		err = pthread_attr_setstack(&attr, f->stacks + f->count * SIBLING_STACK_BYTES, SIBLING_STACK_BYTES);
		if (!err && !(err = pthread_create(&s->thread, &attr, sibling_fault_loop, s)))
			f->count++;
	}
	pthread_attr_destroy(&attr);
	return err ? set_reason(env, err, "pthread_create of a faulting sibling") : 0;
}

static long sibling_pages(const struct faulting *f)
{
	long pages = 0;
	for (size_t i = 0; i < f->count; i++)
		pages += __atomic_load_n(&f->sib[i].pages, __ATOMIC_RELAXED);
	return pages;
}

/* Until every sibling has written a page (or failed): the first fork of
 * the batch meets the same contention as the last. */
static void siblings_wait_running(struct faulting *f)
{
	for (size_t i = 0; i < f->count; i++)
		while (!__atomic_load_n(&f->sib[i].pages, __ATOMIC_RELAXED) &&
		       !__atomic_load_n(&f->sib[i].err, __ATOMIC_ACQUIRE))
			sched_yield();
}

/* Stop and join every sibling started, unmap their stacks; a sibling's
 * failure as an op status. */
static int siblings_stop(struct faulting *f, struct fb_env *env)
{
	int err = 0;

	__atomic_store_n(&f->stop, 1, __ATOMIC_RELAXED);
	for (size_t i = 0; i < f->count; i++) {
		pthread_join(f->sib[i].thread, NULL);
		if (!err)
			err = f->sib[i].err;
	}
	if (f->stacks)
		munmap(f->stacks, f->stacks_bytes);
	return err ? set_reason(env, err, "mmap in a faulting sibling") : 0;
}

/* The siblings' CPUs: the online ones besides the forking thread's, when
 * it is pinned (forkbench run pins the worker to one); all of them else. */
static void sibling_cpus(const cpu_set_t *usable, cpu_set_t *cpus)
{
	cpu_set_t mine;

	*cpus = *usable;
	if (sched_getaffinity(0, sizeof(mine), &mine) == 0) {
		cpu_set_t others;
		CPU_XOR(&others, usable, &mine);   /* in one of the two ... */
		CPU_AND(&others, &others, usable);   /* ... and usable: usable, not mine */
		if (CPU_COUNT(&others))
			*cpus = others;
	}
}

/* fork_while_faulting: S = CPUs - 1 siblings fault while the main thread
 * makes fork round trips: one forking thread and one faulting sibling per
 * other CPU keeps every CPU busy and none oversubscribed (more siblings
 * than CPUs would add the scheduler's time slices, not lock contention). */
static int fork_while_faulting(struct fb_env *env, struct fb_sample *out, size_t n)
{
	struct faulting f = { 0 };
	cpu_set_t usable, cpus;
	int err;

	fb_cpus_usable(&usable);
	if (CPU_COUNT(&usable) < 2) {
		snprintf(env->reason, sizeof(env->reason),
			 "only 1 CPU online: the faulting siblings need a CPU beside the forking thread");
		return FB_SKIP;
	}
	size_t siblings = (size_t)CPU_COUNT(&usable) - 1;
	if (siblings > MAX_SIBLINGS)
		siblings = MAX_SIBLINGS;
	sibling_cpus(&usable, &cpus);
	fflush(NULL);   /* nothing buffered may be written twice by a child */
	err = siblings_start(&f, siblings, &cpus, env);
	if (!err)
		siblings_wait_running(&f);
	for (size_t i = 0; !err && i < n; i++) {
		int64_t ns = 0;
		long pages_before = sibling_pages(&f);
		int fork_err = fork_round_trip(&ns);
		long faults = sibling_pages(&f) - pages_before;
		if (fork_err) {
			err = set_reason(env, fork_err, "fork beside faulting siblings");
			break;
		}
		out[i].time_ns = (double)ns;
		out[i].values[0] = (double)faults / (double)ns * 1e9;
		out[i].values[1] = (double)siblings;
	}
	int stopped = siblings_stop(&f, env);
	return err ? err : stopped;
}

static const struct fb_axis forkers_axis = {
	.name = "forkers", .values = { 1, 2, 4, 8, 16 }, .short_max = 4, .per = "forker", .per_count = 1,
};

static const char *const parallel_values[] = { "forks_per_s", "p50_us", "p99_us", "forkers", "cpus", NULL };
static const char *const faulting_values[] = { "sibling_faults_per_s", "siblings", NULL };

#define STORM_CASE(name_, fn_, axes_, axis_, work_mib_, values_, what_) \
	{ .name = name_, .run = fn_, .axes = axes_, .axis = axis_, .work_mib = work_mib_, .value_names = values_, \
	  .what = what_, .per = "round trip" }

static const struct fb_case storm_cases[] = {
	/* One iteration is K x 32 round trips (60-250 ms here) but reports the
	 * time of one: Google Benchmark would run ~20 of them per repetition
	 * to fill its minimum time. work_mib fixes 1 iteration (at 0 MiB). */
	STORM_CASE("parallel_fork", parallel_fork, 0, &forkers_axis, 1, parallel_values,
		   "K forkers x 32 fork + _exit + waitpid at once: wall time / (K x 32)"),
	/* time_ns is the round trip itself: Google Benchmark's count is right. */
	STORM_CASE("fork_while_faulting", fork_while_faulting, FB_AXIS_MEM, NULL, 0, faulting_values,
		   "fork + _exit + waitpid while sibling threads fault 1 MiB buffers"),
};

const struct fb_family fb_storm_family = {
	.name = "storm", .cases = storm_cases, .ncases = sizeof(storm_cases) / sizeof(storm_cases[0]),
};
