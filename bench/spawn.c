/* spawn.c - the spawn family: fork, vfork, clone, clone3, posix_spawn and the
 * exec forms, each timed four ways per iteration: until the call returns in
 * the parent, until the child's first instruction, from the child's exit to
 * the parent's wait returning (exit_ns), and the round trip to a reaped
 * child. Then the end of a process's life on its own: a zombie reaped late,
 * and the pidfd calls (clone3 CLONE_PIDFD, pidfd_spawn, pidfd_send_signal,
 * waitid P_PIDFD). Runs inside the worker, which holds the parent's memory. */
#define _GNU_SOURCE
#include "family.h"
#include "machine.h"
#include "stackpage.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <features.h>
#include <gnu/libc-version.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_STACK_BYTES (64 * 1024)
/* A child that does not exec stamps its start and exit on one iteration in
 * this many: the stamp (two clock reads and one pipe write in the child) is
 * about 3% of a 0 MiB fork round trip, and the round trip's median should
 * not carry it. The iterations without a stamp report child_start_ns and
 * exit_ns as NaN ("not measured"), and the counters are the means over
 * those with one. */
#define CHILD_START_EVERY 8
/* pidfd_kill: how long the parent waits for its child to block. */
#define READY_TIMEOUT_MS 10000

/* glibc has P_PIDFD in its idtype_t from 2.36; the kernel's value is 3. */
#if !__GLIBC_PREREQ(2, 36)
#define P_PIDFD 3
#endif

enum exec_target { EXEC_NONE, EXEC_STATIC, EXEC_DYNAMIC };

/* Where spawn_once writes its figures: the order of spawn_values and
 * reap_late_values (the harness reads them by name). */
enum spawn_value { VAL_PARENT, VAL_CHILD_START, VAL_EXIT, VAL_STAMPED_TRIP, VAL_REAP, VAL_ZOMBIE_SEEN };
/* And kill_once, in the order of kill_values. */
enum kill_value { KILL_PARENT, KILL_SIGNAL };

/* What a stamping child writes, in one 16-byte write just before it exits
 * (bench/exit0.c writes the same two numbers). */
struct stamp {
	int64_t start_ns;                 /* its first instruction */
	int64_t exit_ns;                  /* just before the write and _exit */
};

/* What one batch shares between its iterations. */
struct spawn_ctx {
	char *child_stack_top;            /* for clone(CLONE_VM | CLONE_VFORK) */
	char helper_path[512];
	char fd_arg[16];                  /* the pipe's write end, as argv[1] for the helper */
	int ts_pipe[2];                   /* stamping children write their stamps here */
	int lifeline[2];                  /* pidfd_kill: its child sleeps reading [0], which
					   * ends (EOF) when the worker, holding [1], is gone */
	int pidfd;                        /* this iteration's child's pidfd, or -1 */
	int stamp;                        /* this iteration's child stamps */
	int slowdown_pct;                 /* test-only: FORKBENCH_TEST_SLOWDOWN_PCT */
	size_t iteration;
	char *helper_argv[3];
};

/* How a child ended, as waitid's siginfo says it, and when the parent
 * learned it: exit_ns ends there. */
struct child_end {
	pid_t pid;
	int code;                         /* CLD_EXITED, CLD_KILLED, CLD_DUMPED */
	int status;                       /* the exit status, or the signal */
	int64_t t_exit_seen;              /* 0: when the reap step returned */
};

/* Starts the child: its pid in the parent (0 when it is known by its pidfd
 * only: pidfd_spawn), or -1 with errno. */
typedef pid_t (*spawn_start_fn)(struct spawn_ctx *ctx);
/* Waits for the child and reaps it, also when it fails: 0 or -errno. May
 * write the row's own counters into the sample. */
typedef int (*spawn_reap_fn)(struct spawn_ctx *ctx, pid_t pid, struct child_end *end, struct fb_sample *sample);

/* How a case starts its child and waits for it: a case row's data. */
struct primitive {
	spawn_start_fn start;
	spawn_reap_fn reap;
	enum exec_target target;
	int needs_stack;          /* the child runs on a stack of ours (CLONE_VM) */
	int stamp_all;            /* the child stamps on every iteration, not 1 in 8 */
	int missing_errno;        /* besides ENOSYS, the errno that says the kernel
				   * lacks a flag of the call: a skip, not an error */
};

/* --- the child's side --------------------------------------------------- */

/* The stamps into the pipe: a write into an empty pipe, cheaper than a store
 * into a MAP_SHARED page, which fork does not copy (the child would take a
 * page fault, and the parent would carry one more VMA: together about 5% of
 * a 0 MiB fork, measured against fb-bare). The exit stamp is taken before
 * the write, so the write (one syscall, about 1 us here) is part of exit_ns. */
static void child_stamp(struct spawn_ctx *ctx, int64_t start_ns)
{
	struct stamp stamp = { .start_ns = start_ns, .exit_ns = fb_now_ns() };
	if (write(ctx->ts_pipe[1], &stamp, sizeof(stamp)) != sizeof(stamp))
		_exit(3);
}

/* A child that did not exec: its start time at its first instruction, then
 * (nothing else to do) its exit time and the write. _exit, never exit:
 * atexit handlers and stdio buffers belong to the parent. */
static void child_stamp_and_exit(struct spawn_ctx *ctx)
{
	if (ctx->stamp)
		child_stamp(ctx, fb_now_ns());
	_exit(0);
}

static pid_t start_fork(struct spawn_ctx *ctx)
{
	pid_t pid = fork();
	if (pid == 0)
		child_stamp_and_exit(ctx);
	return pid;
}

/* vfork: the parent is suspended until the child exits, so the "parent"
 * figure includes the child's whole (short) life. */
static pid_t start_vfork(struct spawn_ctx *ctx)
{
	pid_t pid = vfork();
	if (pid == 0)
		child_stamp_and_exit(ctx);
	return pid;
}

/* The raw clone syscall with only SIGCHLD: a process like fork's, but
 * without glibc's fork wrapper (atfork handlers, lock resets). */
static pid_t start_clone(struct spawn_ctx *ctx)
{
	pid_t pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
	if (pid == 0)
		child_stamp_and_exit(ctx);
	return pid;
}

/* Runs on its own small stack: it returns (glibc's clone wrapper then ends
 * the task with status 0) instead of calling _exit, so its exit stamp is
 * taken just before the return, and stays out of the tests'
 * AddressSanitizer, which does not know this stack. */
__attribute__((no_sanitize("address", "undefined")))
static int clone_vm_child(void *arg)
{
	struct spawn_ctx *ctx = arg;
	if (ctx->stamp)
		child_stamp(ctx, fb_now_ns());
	return 0;
}

/* CLONE_VM | CLONE_VFORK: what posix_spawn uses inside glibc; no page tables
 * are copied, and the parent sleeps until the child exits. */
static pid_t start_clone_vm_vfork(struct spawn_ctx *ctx)
{
	return clone(clone_vm_child, ctx->child_stack_top, CLONE_VM | CLONE_VFORK | SIGCHLD, ctx);
}

/* The raw clone3 syscall; with CLONE_PIDFD the kernel writes the child's
 * pidfd (close-on-exec) into *pidfd. */
static pid_t clone3_child(struct spawn_ctx *ctx, uint64_t flags, int *pidfd)
{
	struct clone_args args;
	memset(&args, 0, sizeof(args));
	args.flags = flags;
	args.pidfd = (uint64_t)(uintptr_t)pidfd;
	args.exit_signal = SIGCHLD;
	pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0)
		child_stamp_and_exit(ctx);
	return pid;
}

static pid_t start_clone3(struct spawn_ctx *ctx)
{
	return clone3_child(ctx, 0, NULL);
}

static pid_t start_clone3_pidfd(struct spawn_ctx *ctx)
{
	return clone3_child(ctx, CLONE_PIDFD, &ctx->pidfd);
}

/* pidfd_kill's child: says it is ready with one byte, then sleeps until a
 * signal (SIGKILL) ends it. It sleeps in read() on the lifeline, not in
 * pause(): the same interruptible sleep for the signal to wake, but one
 * that also ends when the worker dies first (a fork child does not inherit
 * PR_SET_PDEATHSIG; asleep in pause() it outlived a SIGKILLed run for
 * good, adopted by init). */
static pid_t start_blocked_fork(struct spawn_ctx *ctx)
{
	char byte;
	pid_t pid = fork();

	if (pid == 0) {
		close(ctx->lifeline[1]);
		if (write(ctx->ts_pipe[1], "r", 1) != 1)
			_exit(3);
		while (read(ctx->lifeline[0], &byte, 1) != 0)
			;
		_exit(0);
	}
	return pid;
}

static void child_exec(struct spawn_ctx *ctx)
{
	static char *const no_env[] = { NULL };
	execve(ctx->helper_path, ctx->helper_argv, no_env);
	_exit(127);
}

static pid_t start_fork_exec(struct spawn_ctx *ctx)
{
	pid_t pid = fork();
	if (pid == 0)
		child_exec(ctx);
	return pid;
}

static pid_t start_vfork_exec(struct spawn_ctx *ctx)
{
	pid_t pid = vfork();
	if (pid == 0)
		child_exec(ctx);
	return pid;
}

static pid_t start_posix_spawn(struct spawn_ctx *ctx)
{
	static char *const no_env[] = { NULL };
	pid_t pid;
	int err = posix_spawn(&pid, ctx->helper_path, NULL, NULL, ctx->helper_argv, no_env);
	if (err) {
		errno = err;
		return -1;
	}
	return pid;
}

/* glibc 2.39's posix_spawn that hands back a pidfd instead of a pid
 * (clone3 with CLONE_PIDFD inside). Older glibc: pidfd_spawn_run skips
 * before this is ever called. */
static pid_t start_pidfd_spawn(struct spawn_ctx *ctx)
{
#if __GLIBC_PREREQ(2, 39)
	static char *const no_env[] = { NULL };
	int err = pidfd_spawn(&ctx->pidfd, ctx->helper_path, NULL, NULL, ctx->helper_argv, no_env);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
#else
	(void)ctx;
	errno = ENOSYS;
	return -1;
#endif
}

/* --- failures ----------------------------------------------------------- */

/* A failed call as an op result: a call or flag this kernel lacks is a
 * skip, a limit hit is no-resource (the reason names the limit and its
 * value), anything else an error. */
static int call_failed(struct fb_env *env, const char *call, int err, int missing_errno)
{
	char *reason = env->reason;
	size_t len = sizeof(env->reason);

	if (err == ENOSYS || err == missing_errno) {
		snprintf(reason, len, "%s: %s: this kernel does not implement the call or the flag", call,
			 strerror(err));
		return FB_SKIP;
	}
	/* a limit of the machine: named with its value */
	if (err == EMFILE || err == EAGAIN || err == ENOMEM || err == ENFILE) {
		char limit[160];
		fb_limit_text(err, limit, sizeof(limit));
		snprintf(reason, len, "%s: %s (%s)", call, strerror(err), limit);
		return FB_NO_RESOURCE;
	}
	snprintf(reason, len, "%s: %s", call, strerror(err));
	return -err;
}

static const char *end_text(int code)
{
	return code == CLD_EXITED ? "exited with status" : code == CLD_KILLED ? "was killed by signal" :
	       code == CLD_DUMPED ? "dumped core on signal" : "ended (si_code ?) with";
}

/* The child ended as the row expects (exit 0, or SIGKILL for pidfd_kill). */
static int check_end(struct fb_env *env, const struct child_end *end, int code, int status)
{
	if (end->code == code && end->status == status)
		return 0;
	snprintf(env->reason, sizeof(env->reason), "child %d %s %d, expected: %s %d", (int)end->pid,
		 end_text(end->code), end->status, end_text(code), status);
	return -ECHILD;
}

/* --- the parent's side: reap steps -------------------------------------- */

/* waitid, again after a signal: 0 or -errno. */
static int wait_child(idtype_t type, id_t id, int options, siginfo_t *info)
{
	memset(info, 0, sizeof(*info));
	while (waitid(type, id, info, options) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* waitpid by pid: what the fork-like rows have always done (wait4, no
 * siginfo to fill), its status turned into waitid's terms. */
static int reap_pid(struct spawn_ctx *ctx, pid_t pid, struct child_end *end, struct fb_sample *sample)
{
	int status;

	(void)ctx;
	(void)sample;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	end->pid = pid;
	end->code = WIFEXITED(status) ? CLD_EXITED : WCOREDUMP(status) ? CLD_DUMPED : CLD_KILLED;
	end->status = WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status);
	return 0;
}

/* waitid(P_PIDFD): the child by its pidfd, closed after (every child comes
 * with a new one). ctx_open made sure the kernel has P_PIDFD, so it fails
 * only with ECHILD: then there is no child left to reap. */
static int reap_pidfd(struct spawn_ctx *ctx, pid_t pid, struct child_end *end, struct fb_sample *sample)
{
	siginfo_t info;
	int err = wait_child(P_PIDFD, (id_t)ctx->pidfd, WEXITED, &info);

	(void)pid;
	(void)sample;
	close(ctx->pidfd);
	ctx->pidfd = -1;
	end->pid = info.si_pid;
	end->code = info.si_code;
	end->status = info.si_status;
	return err;
}

/* The state letter of /proc/<pid>/stat ('R', 'S', 'Z', ...), '?' if
 * unreadable: read after the last ')', since the command may hold one.
 * open/read, not stdio: no heap growth in the worker between its checks. */
static char task_state(pid_t pid)
{
	char path[48], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t len = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (len <= 0)
		return '?';
	buf[len] = '\0';
	char *paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' && paren[2] ? paren[2] : '?';
}

/* The parent reaps late: waitid(WNOWAIT) returns once the child is a zombie
 * (do_exit done: mm torn down, files closed, SIGCHLD sent) and leaves it
 * one; /proc/<pid>/stat must say Z; then the reap alone is timed:
 * release_task, the last of a process. The first wait failing still ends
 * in the reap (waitpid blocks until the child has exited). */
static int reap_late(struct spawn_ctx *ctx, pid_t pid, struct child_end *end, struct fb_sample *sample)
{
	siginfo_t info;
	int err = wait_child(P_PID, (id_t)pid, WEXITED | WNOWAIT, &info);

	end->t_exit_seen = fb_now_ns();
	sample->values[VAL_ZOMBIE_SEEN] = !err && task_state(pid) == 'Z';
	int64_t t_reap = fb_now_ns();
	int reap_err = reap_pid(ctx, pid, end, sample);
	sample->values[VAL_REAP] = (double)(fb_now_ns() - t_reap);
	return err ? err : reap_err;
}

/* --- a batch's shared state --------------------------------------------- */

static void ctx_close(struct spawn_ctx *ctx)
{
	if (ctx->child_stack_top)
		munmap(ctx->child_stack_top - CHILD_STACK_BYTES, CHILD_STACK_BYTES);
	for (int i = 0; i < 2; i++) {
		if (ctx->ts_pipe[i] >= 0)
			close(ctx->ts_pipe[i]);
		if (ctx->lifeline[i] >= 0)
			close(ctx->lifeline[i]);
	}
	if (ctx->pidfd >= 0)
		close(ctx->pidfd);
}

/* waitid(P_PIDFD) came with Linux 5.4 (CLONE_PIDFD with 5.2): on a file
 * that is not a pidfd it fails with EBADF where the kernel has it, with
 * EINVAL (an unknown idtype) where it does not. */
static int pidfd_wait_missing(struct spawn_ctx *ctx, struct fb_env *env)
{
	siginfo_t info;

	if (waitid(P_PIDFD, (id_t)ctx->ts_pipe[0], &info, WEXITED | WNOHANG) == 0 || errno != EINVAL)
		return 0;
	snprintf(env->reason, sizeof(env->reason),
		 "waitid(P_PIDFD): EINVAL: this kernel has no pidfd wait (Linux 5.4+)");
	return FB_SKIP;
}

static int ctx_open(struct spawn_ctx *ctx, const struct primitive *prim, struct fb_env *env)
{
	/* Only for the primitive that uses it: every mapping is one more VMA
	 * that fork copies, and the fork figure is compared with a bare loop
	 * that has none (calibrate/bare_fork). */
	void *stack = !prim->needs_stack ? NULL :
		      mmap(NULL, CHILD_STACK_BYTES, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);

	memset(ctx, 0, sizeof(*ctx));
	ctx->ts_pipe[0] = ctx->ts_pipe[1] = ctx->lifeline[0] = ctx->lifeline[1] = ctx->pidfd = -1;
	ctx->child_stack_top = !stack || stack == MAP_FAILED ? NULL : (char *)stack + CHILD_STACK_BYTES;
	if (prim->needs_stack && !ctx->child_stack_top) {
		snprintf(env->reason, sizeof(env->reason), "mmap: %s", strerror(errno));
		return -ENOMEM;
	}
	/* The write end stays open across exec (no O_CLOEXEC): its number is
	 * the helper's argv[1]. Non-blocking: a child that wrote nothing is an
	 * error, not a hang. */
	if (pipe2(ctx->ts_pipe, O_NONBLOCK))
		return call_failed(env, "pipe", errno, 0);
	if (prim->start == start_blocked_fork && pipe2(ctx->lifeline, O_CLOEXEC))
		return call_failed(env, "pipe", errno, 0);
	if (prim->reap == reap_pidfd && pidfd_wait_missing(ctx, env))
		return FB_SKIP;
	if (prim->target == EXEC_NONE)
		return 0;
	snprintf(ctx->helper_path, sizeof(ctx->helper_path), "%s/fb-exit0-%s",
		 env->helper_dir ? env->helper_dir : ".",
		 prim->target == EXEC_STATIC ? "static" : "dynamic");
	if (access(ctx->helper_path, X_OK)) {
		snprintf(env->reason, sizeof(env->reason), "exec target %.150s: %s",
			 ctx->helper_path, strerror(errno));
		return -ENOENT;
	}
	snprintf(ctx->fd_arg, sizeof(ctx->fd_arg), "%d", ctx->ts_pipe[1]);
	ctx->helper_argv[0] = ctx->helper_path;
	ctx->helper_argv[1] = ctx->fd_arg;
	return 0;
}

/* What the child (or the exec'd helper) wrote into the pipe before it
 * exited: there once the child is reaped. */
static int read_stamp(struct spawn_ctx *ctx, struct stamp *stamp)
{
	return read(ctx->ts_pipe[0], stamp, sizeof(*stamp)) == sizeof(*stamp) ? 0 : -EIO;
}

/* Test-only (FORKBENCH_TEST_SLOWDOWN_PCT=P in the environment): a busy
 * wait of P% of the round trip inside its timed window, a slow-down of a
 * known size for the tests of compare and ab to catch. Never set in a run. */
static int64_t slow_down(int64_t t0, int64_t t_end, int pct)
{
	int64_t until = t_end + (t_end - t0) * pct / 100, now;

	while ((now = fb_now_ns()) < until)
		;
	return now;
}

/* --- one iteration ------------------------------------------------------ */

/* Start a child, time the parent's return, reap it, check it exited 0.
 * exit_ns runs from the child's exit stamp to the moment the parent saw it
 * end (the reap step's return, or reap_late's zombie wait): the stamp's
 * write, do_exit (exit_mm tears down the child's copy of the address
 * space: most of a 1 GiB round trip with 4 KiB pages), the parent's wakeup
 * and the reap. The child is always reaped before returning, also on error. */
static int spawn_once(struct spawn_ctx *ctx, const struct primitive *prim,
		      struct fb_env *env, struct fb_sample *sample)
{
	struct child_end end = { 0 };
	struct stamp stamp = { 0 };
	int64_t t0, t_parent, t_reaped, t_end;

	/* An exec'd helper always stamps. */
	ctx->stamp = prim->target != EXEC_NONE || prim->stamp_all || ctx->iteration++ % CHILD_START_EVERY == 0;
	FB_STACK_TO_PAGE_ROOM();
	t0 = fb_now_ns();
	pid_t pid = prim->start(ctx);
	t_parent = fb_now_ns();
	if (pid < 0)
		return call_failed(env, "spawn", errno, prim->missing_errno);
	int err = prim->reap(ctx, pid, &end, sample);
	t_reaped = fb_now_ns();
	if (err)
		return call_failed(env, "wait", -err, 0);
	t_end = ctx->slowdown_pct ? slow_down(t0, t_reaped, ctx->slowdown_pct) : t_reaped;
	if ((err = check_end(env, &end, CLD_EXITED, 0)))
		return err;
	if (ctx->stamp && read_stamp(ctx, &stamp)) {
		snprintf(env->reason, sizeof(env->reason), "child %d left no stamps", (int)end.pid);
		return -EIO;
	}
	sample->time_ns = (double)(t_end - t0);
	sample->values[VAL_PARENT] = (double)(t_parent - t0);
	sample->values[VAL_CHILD_START] = ctx->stamp ? (double)(stamp.start_ns - t0) : NAN;
	sample->values[VAL_EXIT] = !ctx->stamp ? NAN :
				   (double)((end.t_exit_seen ? end.t_exit_seen : t_reaped) - stamp.exit_ns);
	/* the round trip of the same iterations: exit_ns is a mean over the
	 * stamped ones (the first of every batch among them, often the slowest),
	 * so its share is read against this mean, not the median round trip */
	sample->values[VAL_STAMPED_TRIP] = ctx->stamp ? sample->time_ns : NAN;
	return 0;
}

/* pidfd_kill: kill what cannot be signalled through its pidfd, and reap. */
static void kill_and_reap(struct spawn_ctx *ctx, pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (ctx->pidfd >= 0)
		close(ctx->pidfd);
	ctx->pidfd = -1;
}

static int open_pidfd(struct spawn_ctx *ctx, pid_t pid, struct fb_env *env)
{
	ctx->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	return ctx->pidfd < 0 ? call_failed(env, "pidfd_open", errno, 0) : 0;
}

/* The signal must find the child asleep in pause(), so the figure is the
 * kill of a blocked task (its wakeup, then do_exit), not a race with one
 * still on its way there. Its ready byte says it is at pause's door (the
 * pidfd polls readable instead if it died first); the parent can run
 * again before the child has blocked (waking the reader may preempt the
 * writer on one CPU), so it yields while /proc says the child runs. */
static int wait_blocked(struct spawn_ctx *ctx, pid_t pid, struct fb_env *env)
{
	struct pollfd fds[2] = { { .fd = ctx->ts_pipe[0], .events = POLLIN }, { .fd = ctx->pidfd, .events = POLLIN } };
	int64_t deadline = fb_now_ns() + (int64_t)READY_TIMEOUT_MS * 1000000;
	char byte;
	int got;

	while ((got = poll(fds, 2, READY_TIMEOUT_MS)) < 0 && errno == EINTR)
		;
	if (got <= 0 || !(fds[0].revents & POLLIN) || read(ctx->ts_pipe[0], &byte, 1) != 1) {
		snprintf(env->reason, sizeof(env->reason), "child %d did not block within %d ms (it %s)", (int)pid,
			 READY_TIMEOUT_MS, fds[1].revents & POLLIN ? "ended" : "wrote nothing");
		return -ETIMEDOUT;
	}
	while (task_state(pid) == 'R' && fb_now_ns() < deadline)
		sched_yield();
	return 0;
}

/* Fork a child that blocks, open its pidfd, then time pidfd_send_signal
 * (signal_ns) and the whole signal-to-reap window (time_ns). The child is
 * reaped on every path. signal_ns is rarely the call alone: SIGKILL wakes
 * the child, which preempts the sender and runs its whole do_exit before the
 * call returns (measured here: the child was a zombie right after the call
 * returned 30 times in 30, pinned to one CPU or not), so the time left
 * after it is mostly the reap. */
static int kill_once(struct spawn_ctx *ctx, const struct primitive *prim,
		     struct fb_env *env, struct fb_sample *sample)
{
	struct child_end end = { 0 };
	int64_t t0, t_parent, t_signal, t_sent, t_reaped;
	int err;

	FB_STACK_TO_PAGE_ROOM();
	t0 = fb_now_ns();
	pid_t pid = prim->start(ctx);
	t_parent = fb_now_ns();
	if (pid < 0)
		return call_failed(env, "fork", errno, 0);
	if ((err = open_pidfd(ctx, pid, env)) || (err = wait_blocked(ctx, pid, env))) {
		kill_and_reap(ctx, pid);
		return err;
	}
	t_signal = fb_now_ns();
	if (syscall(SYS_pidfd_send_signal, ctx->pidfd, SIGKILL, NULL, 0) < 0) {
		err = call_failed(env, "pidfd_send_signal", errno, 0);
		kill_and_reap(ctx, pid);
		return err;
	}
	t_sent = fb_now_ns();
	err = prim->reap(ctx, pid, &end, sample);
	t_reaped = fb_now_ns();
	if (err)
		return call_failed(env, "wait", -err, 0);
	if (ctx->slowdown_pct)
		t_reaped = slow_down(t_signal, t_reaped, ctx->slowdown_pct);
	if ((err = check_end(env, &end, CLD_KILLED, SIGKILL)))
		return err;
	sample->time_ns = (double)(t_reaped - t_signal);
	sample->values[KILL_PARENT] = (double)(t_parent - t0);
	sample->values[KILL_SIGNAL] = (double)(t_sent - t_signal);
	return 0;
}

/* --- the ops ------------------------------------------------------------ */

typedef int (*spawn_once_fn)(struct spawn_ctx *ctx, const struct primitive *prim, struct fb_env *env,
			     struct fb_sample *sample);

static int spawn_batch(struct fb_env *env, struct fb_sample *out, size_t n, spawn_once_fn once)
{
	const struct primitive *prim = env->data;
	struct spawn_ctx ctx;
	int err = ctx_open(&ctx, prim, env);
	const char *slowdown = getenv("FORKBENCH_TEST_SLOWDOWN_PCT");

	ctx.slowdown_pct = slowdown ? atoi(slowdown) : 0;
	fflush(NULL); /* nothing buffered may be written twice by a child */
	for (size_t i = 0; !err && i < n; i++)
		err = once(&ctx, prim, env, &out[i]);
	ctx_close(&ctx);
	return err;
}

static int spawn_run(struct fb_env *env, struct fb_sample *out, size_t n)
{
	return spawn_batch(env, out, n, spawn_once);
}

static int pidfd_kill_run(struct fb_env *env, struct fb_sample *out, size_t n)
{
	return spawn_batch(env, out, n, kill_once);
}

/* pidfd_spawn is glibc 2.39's: built against an older glibc, the row is a
 * recorded skip that names the glibc it runs on. */
static int pidfd_spawn_run(struct fb_env *env, struct fb_sample *out, size_t n)
{
#if __GLIBC_PREREQ(2, 39)
	return spawn_run(env, out, n);
#else
	(void)out;
	(void)n;
	snprintf(env->reason, sizeof(env->reason), "glibc %s has no pidfd_spawn (2.39+)", gnu_get_libc_version());
	return FB_SKIP;
#endif
}

/* --- the table ---------------------------------------------------------- */

/* The harness reads these by name; the order is spawn_value's. */
static const char *const spawn_values[] = { "parent_ns", "child_start_ns", "exit_ns", "stamped_trip_ns", NULL };
static const char *const reap_late_values[] = { "parent_ns", "child_start_ns", "exit_ns", "stamped_trip_ns",
						"reap_ns", "zombie_seen", NULL };
static const char *const kill_values[] = { "parent_ns", "signal_ns", NULL };

/* A case is one row: its name, how it starts the child (the primitive,
 * what it execs, whether the child needs a stack of ours) and what the
 * figure measures. The primitive is a compound literal: static, one per row. */
#define SPAWN_CASE(name_, start_, target_, stack_, what_) \
	{ .name = name_, .run = spawn_run, .axes = FB_AXIS_MEM | FB_AXIS_MODE, .value_names = spawn_values, \
	  .what = what_, .per = "round trip", .data = &(const struct primitive){ .start = start_, .reap = reap_pid, .target = target_, \
							   .needs_stack = stack_ } }

/* A row at 0 MiB with 4 KiB pages only (no axes): it measures the reap or
 * the pidfd calls, which do not grow with the parent's memory (fork against
 * memory is the fork row's job), and a sweep would make each such row 12
 * points of the default profile (6 sizes x 2 modes) instead of one. The
 * primitive's fields are named in the row. */
#define SPAWN_CASE_AT0(name_, run_, values_, what_, per_, ...) \
	{ .name = name_, .run = run_, .value_names = values_, .what = what_, .per = per_, \
	  .data = &(const struct primitive){ __VA_ARGS__ } }

/* Rows pin down: the cost of copying the parent's page tables (fork, clone,
 * clone3 grow with memory), its absence (vfork, CLONE_VM), what exec and
 * dynamic loading add on top (exec forms, static vs dynamic target), and
 * the end of a life: a zombie reaped late, reaping and killing by pidfd. */
static const struct fb_case spawn_cases[] = {
	SPAWN_CASE("fork", start_fork, EXEC_NONE, 0, "fork + child _exit(0) + waitpid"),
	SPAWN_CASE("vfork", start_vfork, EXEC_NONE, 0, "vfork + child _exit(0) + waitpid"),
	SPAWN_CASE("clone", start_clone, EXEC_NONE, 0, "raw clone(SIGCHLD) syscall, process-like"),
	SPAWN_CASE("clone_vm_vfork", start_clone_vm_vfork, EXEC_NONE, 1, "clone(CLONE_VM|CLONE_VFORK) on its own stack"),
	SPAWN_CASE("clone3", start_clone3, EXEC_NONE, 0, "raw clone3 syscall, exit_signal SIGCHLD"),
	SPAWN_CASE("fork_exec_static", start_fork_exec, EXEC_STATIC, 0, "fork + execve of a static helper"),
	SPAWN_CASE("fork_exec_dynamic", start_fork_exec, EXEC_DYNAMIC, 0, "fork + execve of a dynamic helper"),
	SPAWN_CASE("vfork_exec_static", start_vfork_exec, EXEC_STATIC, 0, "vfork + execve of a static helper"),
	SPAWN_CASE("vfork_exec_dynamic", start_vfork_exec, EXEC_DYNAMIC, 0, "vfork + execve of a dynamic helper"),
	SPAWN_CASE("posix_spawn_static", start_posix_spawn, EXEC_STATIC, 0, "posix_spawn of a static helper"),
	SPAWN_CASE("posix_spawn_dynamic", start_posix_spawn, EXEC_DYNAMIC, 0, "posix_spawn of a dynamic helper"),
	/* Its child stamps every time: the figure here is the reap (reap_ns),
	 * and the stamp's write (about 3% of a fork) is in every round trip. */
	SPAWN_CASE_AT0("fork_reap_late", spawn_run, reap_late_values,
		       "fork + child _exit(0) + waitid(WNOWAIT) until a zombie + /proc state Z read + waitpid", "round trip",
		       .start = start_fork, .reap = reap_late, .stamp_all = 1),
	SPAWN_CASE_AT0("clone3_pidfd", spawn_run, spawn_values, "clone3(CLONE_PIDFD) + child _exit(0) + waitid(P_PIDFD)", "round trip",
		       .start = start_clone3_pidfd, .reap = reap_pidfd, .missing_errno = EINVAL),
	SPAWN_CASE_AT0("pidfd_spawn_static", pidfd_spawn_run, spawn_values,
		       "pidfd_spawn (glibc 2.39+) of a static helper + waitid(P_PIDFD)", "round trip",
		       .start = start_pidfd_spawn, .reap = reap_pidfd, .target = EXEC_STATIC),
	SPAWN_CASE_AT0("pidfd_kill", pidfd_kill_run, kill_values,
		       "pidfd_send_signal(SIGKILL) to a child blocked in pause(), to waitid(P_PIDFD) reaping it",
		       "kill and reap", .start = start_blocked_fork, .reap = reap_pidfd),
};

const struct fb_family fb_spawn_family = {
	.name = "spawn", .cases = spawn_cases, .ncases = sizeof(spawn_cases) / sizeof(spawn_cases[0]),
};
