/* switch.c - the switch family: what a switch between two kernel tasks
 * costs, beside the user-level switches of the threads family
 * (threads/ucontext_switch, threads/bare_switch). The lecture: user-level
 * threads switch 10-100x faster than kernel-level ones; here is the
 * kernel-level side, switch for switch.
 *
 * Method (LMbench's lat_ctx and lat_pipe): side A, the measuring thread,
 * passes a token to side B (a thread or a process) and blocks until B
 * passes it back: one round trip is two switches. Through a futex (two
 * words, between threads) or through two pipes (1-byte messages, blocking
 * reads, between threads or processes). An iteration is
 * ROUND_TRIPS_PER_ITERATION round trips; ns_per_switch = time / (2 x that),
 * as in the threads family's switch cases.
 *
 * Placement, the case's axis "cpus":
 *   cpus:1  both sides pinned to one CPU: every pass of the token blocks
 *           the sender and runs the receiver, a real context switch through
 *           the scheduler (what lat_ctx measures).
 *   cpus:2  the sides pinned to two CPUs: no CPU ever switches from one
 *           side to the other; a pass is a wake-up across CPUs (an IPI to
 *           the partner's idle CPU and its exit from idle), so the figure is
 *           the cross-CPU wake-up latency, not a switch. The waiting side
 *           still blocks, and its CPU going idle counts as a voluntary
 *           context switch too, unless the answer came first (the futex
 *           case sometimes: 0.85-0.95 per round trip measured, pipes 1.0).
 *           A busy partner CPU (another load there) makes this point slow
 *           and noisy: the wake-up waits for the scheduler to preempt it.
 * ctx_switches_per_round_trip (the measuring thread's own voluntary +
 * involuntary switches, getrusage RUSAGE_THREAD) is the run's own proof of
 * what was measured: about 1 with cpus:1.
 *
 * The partner is made and torn down per batch, outside the timing; a
 * warm-up round trip precedes the timed ones. The worker is left as found:
 * the partner thread runs on a stack of ours that is unmapped after the
 * join (glibc would cache its own stacks: mappings the worker did not have),
 * the partner process is always reaped, the pipes are closed and the
 * measuring thread's CPU mask is restored. */
#define _GNU_SOURCE
#include "family.h"
#include "machine.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* A round trip took 6-15 us on one CPU and 19-24 us across two on a quiet
 * slow PVM guest: 200 of them are 1.2-4.7 ms, far above the clock's
 * resolution, and Google Benchmark's 0.03 s still holds 6-25 iterations.
 * The same count for all three cases, so that they compare. */
#define ROUND_TRIPS_PER_ITERATION 200
/* The partner thread's stack: ours, unmapped after the join. glibc puts the
 * thread's descriptor and static TLS at its top. */
#define PARTNER_STACK_BYTES (256 * 1024)
/* After its join, a thread's task is still counted in /proc/self/status
 * ("Threads:", which the worker's state check reads) until the kernel
 * releases it: the join returns when the kernel clears the tid word, a bit
 * earlier in the thread's exit. Wait for /proc/self/task/TID to go. */
#define TASK_GONE_POLLS 20000   /* x 50 us: at most 1 s */
#define TASK_GONE_POLL_NS 50000

/* futex words: B's answer when it failed, and A's "stop" */
#define WORD_PARTNER_FAILED UINT32_MAX
#define WORD_STOP (UINT32_MAX - 1)

enum channel { CHANNEL_FUTEX, CHANNEL_PIPE };
enum partner { PARTNER_THREAD, PARTNER_PROCESS };

/* A case row's data: how the token travels, and who B is. */
struct style {
	enum channel channel;
	enum partner partner;
};

/* One batch's two sides and what joins them. */
struct link {
	const struct style *style;
	struct fb_env *env;
	uint32_t seq;                  /* the token of the latest round trip */
	uint32_t ping_word, pong_word; /* futex: A's token, B's echo of it */
	int ping_fd[2], pong_fd[2];    /* pipes: A -> B, B -> A */
	int cpu_a, cpu_b;              /* where each side is pinned */
	cpu_set_t saved_cpus;          /* A's mask before the op */
	void *stack;                   /* the partner thread's */
	pthread_t thread;
	int thread_live;
	pid_t partner_tid;             /* the thread's, set by itself */
	pid_t child;                   /* the partner process, 0: none */
};

/* --- reasons ------------------------------------------------------------- */

/* what failed with err: FB_NO_RESOURCE when a limit says why, else -err. */
static int call_failed(struct fb_env *env, const char *what, int err)
{
	char limit[120];

	fb_limit_text(err, limit, sizeof(limit));
	snprintf(env->reason, sizeof(env->reason), limit[0] ? "%s: %s (%s)" : "%s: %s", what,
		 strerror(err), limit);
	return limit[0] ? FB_NO_RESOURCE : -err;
}

static int partner_broke(struct fb_env *env, const char *what)
{
	snprintf(env->reason, sizeof(env->reason), "%s", what);
	return -EIO;
}

/* --- the futex channel (threads) ----------------------------------------- */

static long futex_wake(uint32_t *word)
{
	return syscall(SYS_futex, word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0);
}

/* Sleep while *word holds seen. A wake-up may be spurious, and EAGAIN says
 * the word changed before we slept: the callers read it again either way. */
static int futex_wait(uint32_t *word, uint32_t seen)
{
	if (syscall(SYS_futex, word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, seen, NULL, NULL, 0) == 0 ||
	    errno == EAGAIN || errno == EINTR)
		return 0;
	return -errno;
}

static void futex_post(uint32_t *word, uint32_t value)
{
	__atomic_store_n(word, value, __ATOMIC_RELEASE);
	futex_wake(word);
}

/* Side A: post the token, sleep until B echoes it. */
static int futex_round_trip(struct link *l)
{
	uint32_t seq = ++l->seq, seen;
	int err;

	futex_post(&l->ping_word, seq);
	while ((seen = __atomic_load_n(&l->pong_word, __ATOMIC_ACQUIRE)) != seq) {
		if (seen == WORD_PARTNER_FAILED)
			return partner_broke(l->env, "the partner thread's FUTEX_WAIT failed");
		if ((err = futex_wait(&l->pong_word, seen)))
			return call_failed(l->env, "FUTEX_WAIT", -err);
	}
	return 0;
}

/* Side B: echo every new token until the stop word. */
static void futex_partner(struct link *l)
{
	uint32_t last = 0, seen;

	for (;;) {
		while ((seen = __atomic_load_n(&l->ping_word, __ATOMIC_ACQUIRE)) == last)
			if (futex_wait(&l->ping_word, seen)) {
				futex_post(&l->pong_word, WORD_PARTNER_FAILED);
				return;
			}
		if (seen == WORD_STOP)
			return;
		futex_post(&l->pong_word, last = seen);
	}
}

/* --- the pipe channel (threads or processes) ----------------------------- */

static ssize_t read_retry(int fd, void *buf, size_t len)
{
	ssize_t got;
	while ((got = read(fd, buf, len)) < 0 && errno == EINTR)
		;
	return got;
}

static ssize_t write_retry(int fd, const void *buf, size_t len)
{
	ssize_t put;
	while ((put = write(fd, buf, len)) < 0 && errno == EINTR)
		;
	return put;
}

/* Side A: write the token, block reading B's echo. A partner gone is EOF
 * here (its end of the answer pipe closed), never SIGPIPE: A keeps the read
 * end of the token pipe open (see start_process). */
static int pipe_round_trip(struct link *l)
{
	uint8_t token = (uint8_t)++l->seq, echo;
	ssize_t got;

	if (write_retry(l->ping_fd[1], &token, 1) != 1)
		return call_failed(l->env, "write to the partner's pipe", errno);
	if ((got = read_retry(l->pong_fd[0], &echo, 1)) == 1 && echo == token)
		return 0;
	if (got < 0)
		return call_failed(l->env, "read of the partner's answer", errno);
	if (got == 0)
		return partner_broke(l->env, "the partner closed its answer pipe: it ended");
	snprintf(l->env->reason, sizeof(l->env->reason), "the partner answered %u to token %u", echo, token);
	return -EIO;
}

/* Side B: echo every byte until EOF (A closed the token pipe). Returns 0
 * at EOF, -1 on a failed read or write. */
static int pipe_partner(struct link *l)
{
	uint8_t token;
	ssize_t got;

	while ((got = read_retry(l->ping_fd[0], &token, 1)) == 1)
		if (write_retry(l->pong_fd[1], &token, 1) != 1)
			return -1;
	return got == 0 ? 0 : -1;
}

static int round_trip(struct link *l)
{
	return l->style->channel == CHANNEL_FUTEX ? futex_round_trip(l) : pipe_round_trip(l);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int open_pipes(struct link *l)
{
	if (pipe2(l->ping_fd, O_CLOEXEC))
		return call_failed(l->env, "pipe", errno);
	if (pipe2(l->pong_fd, O_CLOEXEC))
		return call_failed(l->env, "pipe", errno);
	return 0;
}

static void close_pipes(struct link *l)
{
	for (int i = 0; i < 2; i++) {
		close_fd(&l->ping_fd[i]);
		close_fd(&l->pong_fd[i]);
	}
}

/* --- placement ----------------------------------------------------------- */

static void one_cpu(cpu_set_t *set, int cpu)
{
	CPU_ZERO(set);
	CPU_SET(cpu, set);
}

static int pin_self(int cpu)
{
	cpu_set_t set;
	one_cpu(&set, cpu);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

static int highest_cpu(const cpu_set_t *set)
{
	for (int cpu = CPU_SETSIZE - 1; cpu >= 0; cpu--)
		if (CPU_ISSET(cpu, set))
			return cpu;
	return -1;
}

/* B's CPU for cpus:2: the highest usable one other than A's that
 * sched_setaffinity accepts (tried on ourselves; place() pins A after). */
static int second_cpu(struct link *l)
{
	cpu_set_t usable;

	fb_cpus_usable(&usable);
	CPU_CLR(l->cpu_a, &usable);
	for (int cpu = highest_cpu(&usable); cpu >= 0; cpu--)
		if (CPU_ISSET(cpu, &usable) && pin_self(cpu) == 0)
			return l->cpu_b = cpu, 0;
	if (CPU_COUNT(&usable) == 0)
		snprintf(l->env->reason, sizeof(l->env->reason), "only one CPU online");
	else
		snprintf(l->env->reason, sizeof(l->env->reason),
			 "only one CPU usable: sched_setaffinity refused every CPU but %d", l->cpu_a);
	return FB_SKIP;
}

static void unplace(struct link *l)
{
	sched_setaffinity(0, sizeof(l->saved_cpus), &l->saved_cpus);
}

/* A on the highest CPU of its own mask (where the run pinned the worker),
 * B on the same one (cpus:1) or on another (cpus:2). */
static int place(struct link *l, int64_t cpus)
{
	int err;

	if (cpus != 1 && cpus != 2) {
		snprintf(l->env->reason, sizeof(l->env->reason), "cpus:%lld: only 1 and 2", (long long)cpus);
		return -EINVAL;
	}
	if (sched_getaffinity(0, sizeof(l->saved_cpus), &l->saved_cpus))
		return call_failed(l->env, "sched_getaffinity", errno);
	l->cpu_a = l->cpu_b = highest_cpu(&l->saved_cpus);
	err = cpus == 2 ? second_cpu(l) : 0;
	if (!err && (err = pin_self(l->cpu_a)))
		err = call_failed(l->env, "sched_setaffinity of the measuring thread", -err);
	if (err)
		unplace(l);   /* second_cpu may have moved us */
	return err;
}

/* --- the partner thread -------------------------------------------------- */

static void *partner_thread(void *arg)
{
	struct link *l = arg;

	l->partner_tid = gettid();
	if (l->style->channel == CHANNEL_FUTEX) {
		futex_partner(l);
		return NULL;
	}
	pipe_partner(l);
	/* The fds are shared: A holds the answer pipe's write end too and
	 * would never see EOF, so B closes it as it leaves, whatever the
	 * reason (A closes nothing of it before the join). */
	close_fd(&l->pong_fd[1]);
	return NULL;
}

/* Wait (bounded) until the joined thread's task is released, so that the
 * worker's thread count is back when it is checked after the batch. */
static void wait_task_gone(pid_t tid)
{
	const struct timespec poll = { .tv_nsec = TASK_GONE_POLL_NS };
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d", (int)tid);
	for (int i = 0; i < TASK_GONE_POLLS && access(path, F_OK) == 0; i++)
		nanosleep(&poll, NULL);
}

static int start_thread(struct link *l)
{
	pthread_attr_t attr;
	cpu_set_t cpus;
	int err;

	l->stack = mmap(NULL, PARTNER_STACK_BYTES, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (l->stack == MAP_FAILED) {
		l->stack = NULL;
		return call_failed(l->env, "mmap of the partner thread's stack", errno);
	}
	one_cpu(&cpus, l->cpu_b);
	if ((err = pthread_attr_init(&attr)))
		return call_failed(l->env, "pthread_attr_init", err);
	err = pthread_attr_setstack(&attr, l->stack, PARTNER_STACK_BYTES);
	if (!err)
		err = pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus);
	if (!err)
		err = pthread_create(&l->thread, &attr, partner_thread, l);
	pthread_attr_destroy(&attr);
	if (err)
		return call_failed(l->env, "pthread_create of the partner thread", err);
	l->thread_live = 1;
	return 0;
}

static void stop_thread(struct link *l)
{
	if (l->thread_live) {
		if (l->style->channel == CHANNEL_FUTEX)
			futex_post(&l->ping_word, WORD_STOP);
		else
			close_fd(&l->ping_fd[1]);   /* B reads EOF */
		pthread_join(l->thread, NULL);
		wait_task_gone(l->partner_tid);
		l->thread_live = 0;
	}
	if (l->stack)
		munmap(l->stack, PARTNER_STACK_BYTES);
	l->stack = NULL;
}

/* --- the partner process ------------------------------------------------- */

/* The child: die with the worker, keep only its own ends, echo until EOF. */
static void partner_process(struct link *l, pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	close_fd(&l->ping_fd[1]);
	close_fd(&l->pong_fd[0]);
	_exit(pipe_partner(l) ? 2 : 0);
}

static int start_process(struct link *l)
{
	pid_t parent = getpid();
	cpu_set_t cpus;

	fflush(NULL);   /* nothing buffered may be written twice by the child */
	l->child = fork();
	if (l->child == 0)
		partner_process(l, parent);
	if (l->child < 0) {
		l->child = 0;
		return call_failed(l->env, "fork of the partner process", errno);
	}
	/* The answer pipe's write end is the child's alone, so that its end is
	 * EOF here; the token pipe's read end stays open here too, so that a
	 * write after the child's end fails nothing (the read then says EOF)
	 * instead of raising SIGPIPE in the worker. */
	close_fd(&l->pong_fd[1]);
	one_cpu(&cpus, l->cpu_b);
	if (sched_setaffinity(l->child, sizeof(cpus), &cpus))
		return call_failed(l->env, "sched_setaffinity of the partner process", errno);
	return 0;
}

/* Reap the child, also after an error (then killed first); -EIO unless it
 * ended by EOF with status 0. */
static int stop_process(struct link *l, int failed)
{
	int status;

	if (!l->child)
		return 0;
	close_fd(&l->ping_fd[1]);   /* the child reads EOF and leaves */
	if (failed)
		kill(l->child, SIGKILL);
	while (waitpid(l->child, &status, 0) < 0 && errno == EINTR)
		;
	l->child = 0;
	if (failed || (WIFEXITED(status) && WEXITSTATUS(status) == 0))
		return 0;
	snprintf(l->env->reason, sizeof(l->env->reason), "the partner process ended with wait status 0x%x",
		 status);
	return -EIO;
}

/* --- the op -------------------------------------------------------------- */

static long ctx_switches(void)
{
	struct rusage ru;
	return getrusage(RUSAGE_THREAD, &ru) ? 0 : ru.ru_nvcsw + ru.ru_nivcsw;
}

/* One iteration: ROUND_TRIPS_PER_ITERATION round trips, timed together. */
static int timed_iteration(struct link *l, struct fb_sample *sample)
{
	const double trips = ROUND_TRIPS_PER_ITERATION;
	long switches = ctx_switches(), done = 0;
	int err = 0;
	int64_t t0 = fb_now_ns();

	while (done < ROUND_TRIPS_PER_ITERATION && !(err = round_trip(l)))
		done++;
	sample->time_ns = (double)(fb_now_ns() - t0);
	switches = ctx_switches() - switches;
	sample->values[0] = (double)done;
	sample->values[1] = sample->time_ns / (2 * trips);
	sample->values[2] = sample->time_ns / trips;
	sample->values[3] = (double)switches / trips;
	return err;
}

static int start_partner(struct link *l)
{
	int err = l->style->channel == CHANNEL_PIPE ? open_pipes(l) : 0;

	if (!err)
		err = l->style->partner == PARTNER_THREAD ? start_thread(l) : start_process(l);
	return err ? err : round_trip(l);   /* the warm-up */
}

static int stop_partner(struct link *l, int failed)
{
	int err = 0;

	if (l->style->partner == PARTNER_THREAD)
		stop_thread(l);
	else
		err = stop_process(l, failed);
	close_pipes(l);
	return err;
}

static int switch_run(struct fb_env *env, struct fb_sample *out, size_t n)
{
	struct link l = { .style = env->data, .env = env, .ping_fd = { -1, -1 }, .pong_fd = { -1, -1 } };
	int err = place(&l, env->axis_value), stop_err;

	if (err)
		return err;
	err = start_partner(&l);
	for (size_t i = 0; !err && i < n; i++)
		err = timed_iteration(&l, &out[i]);
	stop_err = stop_partner(&l, err != 0);
	unplace(&l);
	return err ? err : stop_err;
}

static const char *const switch_values[] = { "ran", "ns_per_switch", "round_trip_ns",
					      "ctx_switches_per_round_trip", NULL };

static const struct fb_axis cpus_axis = {
	.name = "cpus", .values = { 1, 2 }, .short_max = 2, .per = "CPU", .per_count = 1,
};

/* "ran" counts the round trips whose answer carried their own token: the
 * partner really answered every one. */
#define SWITCH_CASE(name_, channel_, partner_, what_) \
	{ .name = name_, .run = switch_run, .axis = &cpus_axis, .value_names = switch_values, .what = what_, \
	  .data = &(const struct style){ .channel = channel_, .partner = partner_ }, .per = "switch", \
	  .per_count = 2 * ROUND_TRIPS_PER_ITERATION }

static const struct fb_case switch_cases[] = {
	/* the cheapest kernel hand-over: a futex word, no file at all */
	SWITCH_CASE("futex_pingpong_threads", CHANNEL_FUTEX, PARTNER_THREAD,
		    "200 futex ping-pong round trips between two threads"),
	/* LMbench's lat_ctx / lat_pipe method, with threads sharing one mm */
	SWITCH_CASE("pipe_pingpong_threads", CHANNEL_PIPE, PARTNER_THREAD,
		    "200 pipe ping-pong round trips between two threads"),
	/* the same between processes: a switch of mm (page tables) on cpus:1 */
	SWITCH_CASE("pipe_pingpong_processes", CHANNEL_PIPE, PARTNER_PROCESS,
		    "200 pipe ping-pong round trips between two processes"),
};

const struct fb_family fb_switch_family = {
	.name = "switch", .cases = switch_cases, .ncases = sizeof(switch_cases) / sizeof(switch_cases[0]),
};
