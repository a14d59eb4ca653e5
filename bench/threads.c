/* threads.c - the threads family: what a thread costs to create against a
 * process (fork in the same worker) and a user-level context. The lecture:
 * threads are cheaper than processes; user-level threads are 10-100x
 * faster than kernel-level ones; Linux threads are tasks sharing mm, files
 * and signal handlers (the raw clone case shows exactly those flags). */
#define _GNU_SOURCE
#include "family.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "ctxswitch.h"

#define SWITCHES_PER_ITERATION 1000
#define CONTEXT_STACK_BYTES (64 * 1024)

/* Bumped by every thread and context that ran: the figures prove it. */
static volatile long ran_count;

static void mark_ran(void)
{
	__atomic_fetch_add(&ran_count, 1, __ATOMIC_RELAXED);
}

static long ran_now(void)
{
	return __atomic_load_n(&ran_count, __ATOMIC_ACQUIRE);
}

static void *thread_body(void *arg)
{
	(void)arg;
	mark_ran();
	return NULL;
}

/* Touch param bytes of the thread's own stack, page by page: the first
 * touch of each page is a page fault the creation cost does not include. */
static void *thread_touch_body(void *arg)
{
	size_t bytes = (size_t)(uintptr_t)arg;
	volatile char *buf = __builtin_alloca(bytes);
	for (size_t off = 0; off < bytes; off += FB_PAGE_BYTES)
		buf[off] = 1;
	mark_ran();
	return NULL;
}

static int set_reason(struct fb_env *env, int err, const char *what)
{
	snprintf(env->reason, sizeof(env->reason), "%s: %s", what, strerror(err));
	return err == EAGAIN || err == ENOMEM ? FB_NO_RESOURCE : -err;
}

/* pthread_create + pthread_join; param: stack size in bytes (0: default,
 * 8 MiB here), or with touch, the bytes of stack the thread writes. */
static int create_join(struct fb_env *env, struct fb_sample *out, size_t n, void *(*body)(void *),
		       void *arg, size_t stack_bytes)
{
	pthread_attr_t attr;
	pthread_t t;
	int err = pthread_attr_init(&attr);

	if (!err && stack_bytes)
		err = pthread_attr_setstacksize(&attr, stack_bytes);
	for (size_t i = 0; !err && i < n; i++) {
		long before = ran_now();
		int64_t t0 = fb_now_ns();
		err = pthread_create(&t, &attr, body, arg);
		if (err)
			break;
		pthread_join(t, NULL);
		out[i].time_ns = (double)(fb_now_ns() - t0);
		out[i].values[0] = (double)(ran_now() - before);
	}
	pthread_attr_destroy(&attr);
	return err ? set_reason(env, err, "pthread_create") : 0;
}

static int pthread_stack(struct fb_env *env, struct fb_sample *out, size_t n)
{
	return create_join(env, out, n, thread_body, NULL, (size_t)env->param);
}

static int pthread_touch(struct fb_env *env, struct fb_sample *out, size_t n)
{
	return create_join(env, out, n, thread_touch_body, (void *)(uintptr_t)env->param, 0);
}

static void *detached_body(void *arg)
{
	mark_ran();
	sem_post(arg);
	return NULL;
}

/* Detached threads are never joined: completion comes through a semaphore
 * (a futex underneath), so the figure is create + run + signal. */
static int pthread_detached(struct fb_env *env, struct fb_sample *out, size_t n)
{
	static sem_t done;   /* static: a detached thread may still be inside
			      * sem_post when sem_wait returns */
	pthread_attr_t attr;
	pthread_t t;
	int err = pthread_attr_init(&attr);

	sem_init(&done, 0, 0);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (size_t i = 0; !err && i < n; i++) {
		long before = ran_now();
		int64_t t0 = fb_now_ns();
		if ((err = pthread_create(&t, &attr, detached_body, &done)))
			break;
		while (sem_wait(&done) && errno == EINTR)
			;
		out[i].time_ns = (double)(fb_now_ns() - t0);
		out[i].values[0] = (double)(ran_now() - before);
	}
	pthread_attr_destroy(&attr);
	return err ? set_reason(env, err, "pthread_create") : 0;
}

/* The child of a raw clone thread shares our TLS pointer (no CLONE_SETTLS):
 * it must not touch errno or any thread-local state, so it only bumps the
 * counter and returns; glibc's clone wrapper then makes the exit syscall. */
static int clone_thread_body(void *arg)
{
	(void)arg;
	mark_ran();
	return 0;
}

/* The flags of a thread, spelled out: same mm, fs, files, signal handlers
 * and thread group. CLONE_CHILD_CLEARTID makes the kernel zero the tid word
 * and futex-wake it once the thread is gone, which is the join. */
static int clone_thread(struct fb_env *env, struct fb_sample *out, size_t n)
{
	const int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			  CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
	char *stack = mmap(NULL, CONTEXT_STACK_BYTES, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	static volatile pid_t tid;

	if (stack == MAP_FAILED)
		return set_reason(env, errno, "mmap stack");
	for (size_t i = 0; i < n; i++) {
		long before = ran_now();
		int64_t t0 = fb_now_ns();
		if (clone(clone_thread_body, stack + CONTEXT_STACK_BYTES, flags, NULL,
			  (pid_t *)&tid, NULL, (pid_t *)&tid) < 0) {
			munmap(stack, CONTEXT_STACK_BYTES);
			return set_reason(env, errno, "clone");
		}
		for (pid_t seen; (seen = tid) != 0;)
			syscall(SYS_futex, &tid, FUTEX_WAIT, seen, NULL, NULL, 0);
		out[i].time_ns = (double)(fb_now_ns() - t0);
		out[i].values[0] = (double)(ran_now() - before);
	}
	munmap(stack, CONTEXT_STACK_BYTES);   /* every thread is gone: tid was cleared */
	return 0;
}

/* --- user-level contexts ------------------------------------------------ */

struct uctx_pair {
	ucontext_t main, child;
};

static void uctx_body(void)
{
	mark_ran();   /* returning resumes uc_link: the main context */
}

/* One context: getcontext returns twice-like (it is resumed through
 * uc_link), so it lives in a function of its own where no local changes
 * between the two returns (-Wclobbered). */
static __attribute__((noinline)) int ucontext_once(char *stack, size_t size)
{
	struct uctx_pair c;

	if (getcontext(&c.child))
		return -1;
	c.child.uc_stack.ss_sp = stack;
	c.child.uc_stack.ss_size = size;
	c.child.uc_link = &c.main;
	makecontext(&c.child, uctx_body, 0);
	return swapcontext(&c.main, &c.child);
}

/* Create a context, switch to it, let it return: what starting a user-level
 * thread costs. swapcontext saves the signal mask: one rt_sigprocmask
 * system call per switch. */
static int ucontext_create(struct fb_env *env, struct fb_sample *out, size_t n)
{
	static char stack[CONTEXT_STACK_BYTES] __attribute__((aligned(16)));

	for (size_t i = 0; i < n; i++) {
		long before = ran_now();
		int64_t t0 = fb_now_ns();
		if (ucontext_once(stack, sizeof(stack)))
			return set_reason(env, errno, "getcontext/swapcontext");
		out[i].time_ns = (double)(fb_now_ns() - t0);
		out[i].values[0] = (double)(ran_now() - before);
	}
	return 0;
}

static struct uctx_pair ping;

static void uctx_pong(void)
{
	for (;;) {
		mark_ran();
		swapcontext(&ping.child, &ping.main);
	}
}

/* SWITCHES_PER_ITERATION round trips main -> child -> main; one switch is
 * too short for the clock, so ns_per_switch = time / (2 * count). */
static int ucontext_switch(struct fb_env *env, struct fb_sample *out, size_t n)
{
	static char stack[CONTEXT_STACK_BYTES] __attribute__((aligned(16)));

	if (getcontext(&ping.child))
		return set_reason(env, errno, "getcontext");
	ping.child.uc_stack.ss_sp = stack;
	ping.child.uc_stack.ss_size = sizeof(stack);
	ping.child.uc_link = NULL;
	makecontext(&ping.child, uctx_pong, 0);
	for (size_t i = 0; i < n; i++) {
		long before = ran_now();
		int64_t t0 = fb_now_ns();
		for (int k = 0; k < SWITCHES_PER_ITERATION; k++)
			swapcontext(&ping.main, &ping.child);
		out[i].time_ns = (double)(fb_now_ns() - t0);
		out[i].values[0] = (double)(ran_now() - before);
		out[i].values[1] = out[i].time_ns / (2.0 * SWITCHES_PER_ITERATION);
	}
	return 0;   /* the pong context is left parked: it is restarted next time */
}

struct bare_pair {
	void *main_sp, *child_sp;
};

/* Run once, switch back, and stay parked: the next iteration makes a new
 * context on the same stack. */
static void bare_once(void *arg)
{
	struct bare_pair *p = arg;
	mark_ran();
	fb_ctx_switch(&p->child_sp, p->main_sp);
	__builtin_trap();   /* never resumed */
}

static void bare_pong(void *arg)
{
	struct bare_pair *p = arg;
	for (;;) {
		mark_ran();
		fb_ctx_switch(&p->child_sp, p->main_sp);
	}
}

static int bare_unsupported(struct fb_env *env)
{
	snprintf(env->reason, sizeof(env->reason),
		 "the hand-written context switch exists for x86-64 only (bench/ctxswitch_x86_64.S)");
	return FB_SKIP;
}

/* Create a context, switch to it, switch back: no system call at all. */
static int bare_create(struct fb_env *env, struct fb_sample *out, size_t n)
{
	static char stack[CONTEXT_STACK_BYTES] __attribute__((aligned(16)));
	struct bare_pair p;

	if (!fb_ctx_supported())
		return bare_unsupported(env);
	for (size_t i = 0; i < n; i++) {
		long before = ran_now();
		int64_t t0 = fb_now_ns();
		p.child_sp = fb_ctx_make(stack, sizeof(stack), bare_once, &p);
		fb_ctx_switch(&p.main_sp, p.child_sp);
		out[i].time_ns = (double)(fb_now_ns() - t0);
		out[i].values[0] = (double)(ran_now() - before);
	}
	return 0;
}

static int bare_switch(struct fb_env *env, struct fb_sample *out, size_t n)
{
	static char stack[CONTEXT_STACK_BYTES] __attribute__((aligned(16)));
	struct bare_pair p;

	if (!fb_ctx_supported())
		return bare_unsupported(env);
	p.child_sp = fb_ctx_make(stack, sizeof(stack), bare_pong, &p);
	for (size_t i = 0; i < n; i++) {
		long before = ran_now();
		int64_t t0 = fb_now_ns();
		for (int k = 0; k < SWITCHES_PER_ITERATION; k++)
			fb_ctx_switch(&p.main_sp, p.child_sp);
		out[i].time_ns = (double)(fb_now_ns() - t0);
		out[i].values[0] = (double)(ran_now() - before);
		out[i].values[1] = out[i].time_ns / (2.0 * SWITCHES_PER_ITERATION);
	}
	return 0;
}

/* --- bursts and the process comparison ---------------------------------- */

/* Room for count more tasks under RLIMIT_NPROC (counted per user, all
 * processes) and kernel.threads-max; NULL when there is, else why not. */
static const char *burst_limit(long count, char *why, size_t len)
{
	struct rlimit nproc;
	long threads_max = 0;
	FILE *f = fopen("/proc/sys/kernel/threads-max", "r");

	if (f) {
		if (fscanf(f, "%ld", &threads_max) != 1)
			threads_max = 0;
		fclose(f);
	}
	if (getrlimit(RLIMIT_NPROC, &nproc) == 0 && nproc.rlim_cur != RLIM_INFINITY &&
	    (rlim_t)count * 2 > nproc.rlim_cur)
		return snprintf(why, len, "%ld threads need RLIMIT_NPROC well above %ld (it is %llu)", count,
				count, (unsigned long long)nproc.rlim_cur), why;
	if (threads_max && count * 2 > threads_max)
		return snprintf(why, len, "%ld threads exceed half of kernel.threads-max (%ld)", count,
				threads_max), why;
	return NULL;
}

/* Create param threads, then join them all: per-thread cost of a burst. */
static int pthread_burst(struct fb_env *env, struct fb_sample *out, size_t n)
{
	static pthread_t threads[1024];
	long count = env->param;
	int err = 0;

	if (count > 1024 || burst_limit(count, env->reason, sizeof(env->reason)))
		return count > 1024 ? -EINVAL : FB_SKIP;
	for (size_t i = 0; !err && i < n; i++) {
		long before = ran_now(), made = 0;
		int64_t t0 = fb_now_ns();
		while (made < count && !(err = pthread_create(&threads[made], NULL, thread_body, NULL)))
			made++;
		for (long k = 0; k < made; k++)
			pthread_join(threads[k], NULL);
		out[i].time_ns = (double)(fb_now_ns() - t0);
		out[i].values[0] = (double)(ran_now() - before);
		out[i].values[1] = out[i].time_ns / (double)count;
	}
	return err ? set_reason(env, err, "pthread_create in a burst") : 0;
}

/* fork + _exit + waitpid from this same worker: the process that the
 * thread figures are compared with. */
static int fork_process(struct fb_env *env, struct fb_sample *out, size_t n)
{
	fflush(NULL);
	for (size_t i = 0; i < n; i++) {
		int status;
		long before = ran_now();
		int64_t t0 = fb_now_ns();
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0)
			return set_reason(env, errno, "fork");
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		out[i].time_ns = (double)(fb_now_ns() - t0);
		out[i].values[0] = (double)(ran_now() - before) + (WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	return 0;
}

static const char *const ran_values[] = { "ran", NULL };
static const char *const switch_values[] = { "ran", "ns_per_switch", NULL };
static const char *const burst_values[] = { "ran", "ns_per_thread", NULL };

#define THREAD_CASE(name_, fn_, param_, values_, what_, per_, per_count_) \
	{ .name = name_, .run = fn_, .param = param_, .value_names = values_, .what = what_, .per = per_, \
	  .per_count = per_count_ }

/* "ran" counts what actually ran each iteration (threads, contexts, or a
 * child that exited 0), so every figure carries its own proof. */
static const struct fb_case thread_cases[] = {
	/* the baseline kernel thread: clone + schedule + exit + join */
	THREAD_CASE("pthread_create_join", pthread_stack, 0, ran_values, "pthread_create + join, default attributes", "create and join", 1),
	/* smaller stacks: less to map, and glibc's stack cache behaves differently */
	THREAD_CASE("pthread_stack_16k", pthread_stack, 16 * 1024, ran_values, "pthread_create + join, 16 KiB stack", "create and join", 1),
	THREAD_CASE("pthread_stack_64k", pthread_stack, 64 * 1024, ran_values, "pthread_create + join, 64 KiB stack", "create and join", 1),
	/* first touches of stack pages are page faults on top of creation */
	THREAD_CASE("pthread_touch_stack_256k", pthread_touch, 256 * 1024, ran_values, "thread writes 256 KiB of its stack", "create, write and join", 1),
	/* no join: completion signalled through a semaphore (a futex) */
	THREAD_CASE("pthread_detached_sem", pthread_detached, 0, ran_values, "detached thread, completion by semaphore", "create and completion", 1),
	/* the kernel's view: a task sharing mm, fs, files, sighand, thread group */
	THREAD_CASE("clone_thread", clone_thread, 0, ran_values, "raw clone(CLONE_VM|...|CLONE_THREAD), futex join", "create and join", 1),
	/* user-level: makecontext + swapcontext, one sigprocmask syscall per switch */
	THREAD_CASE("ucontext_create", ucontext_create, 0, ran_values, "makecontext + swapcontext + return", "create and switch back", 1),
	THREAD_CASE("ucontext_switch", ucontext_switch, 0, switch_values, "1000 swapcontext round trips", "round trip", 1000),
	/* user-level without any syscall: the hand-written switch */
	THREAD_CASE("bare_create", bare_create, 0, ran_values, "make a context, switch to it and back (asm)", "create and switch back", 1),
	THREAD_CASE("bare_switch", bare_switch, 0, switch_values, "1000 hand-written switch round trips", "round trip", 1000),
	/* bursts: creating many before joining any */
	THREAD_CASE("burst_1", pthread_burst, 1, burst_values, "create 1 thread, then join", "burst of 1 thread", 1),
	THREAD_CASE("burst_16", pthread_burst, 16, burst_values, "create 16 threads, then join all", "burst of 16 threads", 1),
	THREAD_CASE("burst_256", pthread_burst, 256, burst_values, "create 256 threads, then join all", "burst of 256 threads", 1),
	THREAD_CASE("burst_1024", pthread_burst, 1024, burst_values, "create 1024 threads, then join all", "burst of 1024 threads", 1),
	/* the comparison point: a process from the same worker */
	THREAD_CASE("fork_exit_wait", fork_process, 0, ran_values, "fork + _exit + waitpid", "round trip", 1),
};

const struct fb_family fb_threads_family = {
	.name = "threads", .cases = thread_cases, .ncases = sizeof(thread_cases) / sizeof(thread_cases[0]),
};
