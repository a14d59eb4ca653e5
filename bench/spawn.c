/* spawn.c - the spawn family: fork, vfork, clone, clone3, posix_spawn and the
 * exec forms, each timed three ways per iteration: until the call returns in
 * the parent, until the child's first instruction, and the round trip to a
 * reaped child. Runs inside the worker, which holds the parent's memory. */
#define _GNU_SOURCE
#include "family.h"
#include "stackpage.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_STACK_BYTES (64 * 1024)
/* A child that does not exec stamps its start on one iteration in this many:
 * the stamp (a clock read and a pipe write in the child) is about 3% of a
 * 0 MiB fork round trip, and the round trip's median should not carry it.
 * The iterations without a stamp report child_start_ns as NaN ("not
 * measured"), and the counter is the mean over those with one. */
#define CHILD_START_EVERY 8

enum exec_target { EXEC_NONE, EXEC_STATIC, EXEC_DYNAMIC };

/* What one batch shares between its iterations. */
struct spawn_ctx {
	char *child_stack_top;            /* for clone(CLONE_VM | CLONE_VFORK) */
	char helper_path[512];
	char fd_arg[16];                  /* the pipe's write end, as argv[1] for the helper */
	int ts_pipe[2];                   /* every child writes its start time here */
	int stamp;                        /* this iteration's child stamps its start */
	int slowdown_pct;                 /* test-only: FORKBENCH_TEST_SLOWDOWN_PCT */
	size_t iteration;
	char *helper_argv[3];
};

typedef pid_t (*spawn_start_fn)(struct spawn_ctx *ctx);

/* How a case starts its child: a case row's data. */
struct primitive {
	spawn_start_fn start;
	enum exec_target target;
	int needs_stack;          /* the child runs on a stack of ours (CLONE_VM) */
};

/* The child's first instruction, into the pipe: a write of 8 bytes into an
 * empty pipe, cheaper than a store into a MAP_SHARED page, which fork does
 * not copy (the child would take a page fault, and the parent would carry one
 * more VMA: together about 5% of a 0 MiB fork, measured against fb-bare). */
static void child_stamp(struct spawn_ctx *ctx)
{
	int64_t now = fb_now_ns();
	if (write(ctx->ts_pipe[1], &now, sizeof(now)) != sizeof(now))
		_exit(3);
}

/* A child that did not exec: stamp its first instruction and leave. _exit,
 * never exit: atexit handlers and stdio buffers belong to the parent. */
static void child_stamp_and_exit(struct spawn_ctx *ctx)
{
	if (ctx->stamp)
		child_stamp(ctx);
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
 * the task with status 0) instead of calling _exit, and stays out of the
 * tests' AddressSanitizer, which does not know this stack. */
__attribute__((no_sanitize("address", "undefined")))
static int clone_vm_child(void *arg)
{
	struct spawn_ctx *ctx = arg;
	if (ctx->stamp)
		child_stamp(ctx);
	return 0;
}

/* CLONE_VM | CLONE_VFORK: what posix_spawn uses inside glibc; no page tables
 * are copied, and the parent sleeps until the child exits. */
static pid_t start_clone_vm_vfork(struct spawn_ctx *ctx)
{
	return clone(clone_vm_child, ctx->child_stack_top, CLONE_VM | CLONE_VFORK | SIGCHLD, ctx);
}

static pid_t start_clone3(struct spawn_ctx *ctx)
{
	struct clone_args args;
	memset(&args, 0, sizeof(args));
	args.exit_signal = SIGCHLD;
	pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0)
		child_stamp_and_exit(ctx);
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

static void ctx_close(struct spawn_ctx *ctx)
{
	if (ctx->child_stack_top)
		munmap(ctx->child_stack_top - CHILD_STACK_BYTES, CHILD_STACK_BYTES);
	for (int i = 0; i < 2; i++)
		if (ctx->ts_pipe[i] >= 0)
			close(ctx->ts_pipe[i]);
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
	ctx->ts_pipe[0] = ctx->ts_pipe[1] = -1;
	ctx->child_stack_top = !stack || stack == MAP_FAILED ? NULL : (char *)stack + CHILD_STACK_BYTES;
	if (prim->needs_stack && !ctx->child_stack_top) {
		snprintf(env->reason, sizeof(env->reason), "mmap: %s", strerror(errno));
		return -ENOMEM;
	}
	/* The write end stays open across exec (no O_CLOEXEC): its number is
	 * the helper's argv[1]. Non-blocking: a child that wrote nothing is an
	 * error, not a hang. */
	if (pipe2(ctx->ts_pipe, O_NONBLOCK)) {
		snprintf(env->reason, sizeof(env->reason), "pipe: %s", strerror(errno));
		return -errno;
	}
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
static int child_start_ns(struct spawn_ctx *ctx, int64_t *ns)
{
	return read(ctx->ts_pipe[0], ns, sizeof(*ns)) == sizeof(*ns) ? 0 : -EIO;
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

/* One iteration: start a child, time the parent's return, reap it, check it
 * exited 0. The child is always reaped before returning, also on error. */
static int spawn_once(struct spawn_ctx *ctx, const struct primitive *prim,
		      struct fb_env *env, struct fb_sample *sample)
{
	int status;
	int64_t child_ns = 0, t0, t_parent, t_reaped;

	/* An exec'd helper always writes its start time. */
	ctx->stamp = prim->target != EXEC_NONE || ctx->iteration++ % CHILD_START_EVERY == 0;
	FB_STACK_TO_PAGE_ROOM();
	t0 = fb_now_ns();
	pid_t pid = prim->start(ctx);
	t_parent = fb_now_ns();
	if (pid < 0) {
		int err = errno;
		snprintf(env->reason, sizeof(env->reason), err == ENOSYS ?
			 "this kernel does not implement the call (ENOSYS)" : "spawn: %s", strerror(err));
		return err == ENOSYS ? FB_SKIP : (err == EAGAIN || err == ENOMEM) ? FB_NO_RESOURCE : -err;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	t_reaped = fb_now_ns();
	if (ctx->slowdown_pct)
		t_reaped = slow_down(t0, t_reaped, ctx->slowdown_pct);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(env->reason, sizeof(env->reason), "child %d ended with wait status 0x%x", pid, status);
		return -ECHILD;
	}
	if (ctx->stamp && child_start_ns(ctx, &child_ns)) {
		snprintf(env->reason, sizeof(env->reason), "child %d left no start time", pid);
		return -EIO;
	}
	sample->time_ns = (double)(t_reaped - t0);
	sample->values[0] = (double)(t_parent - t0);
	sample->values[1] = ctx->stamp ? (double)(child_ns - t0) : NAN;
	return 0;
}

static int spawn_run(struct fb_env *env, struct fb_sample *out, size_t n)
{
	const struct primitive *prim = env->data;
	struct spawn_ctx ctx;
	int err = ctx_open(&ctx, prim, env);
	const char *slowdown = getenv("FORKBENCH_TEST_SLOWDOWN_PCT");

	ctx.slowdown_pct = slowdown ? atoi(slowdown) : 0;
	fflush(NULL); /* nothing buffered may be written twice by a child */
	for (size_t i = 0; !err && i < n; i++)
		err = spawn_once(&ctx, prim, env, &out[i]);
	ctx_close(&ctx);
	return err;
}

static const char *const spawn_values[] = { "parent_ns", "child_start_ns", NULL };

/* A case is one row: its name, how it starts the child (the primitive,
 * what it execs, whether the child needs a stack of ours) and what the
 * figure measures. The primitive is a compound literal: static, one per row. */
#define SPAWN_CASE(name_, start_, target_, stack_, what_) \
	{ .name = name_, .run = spawn_run, .axes = FB_AXIS_MEM | FB_AXIS_MODE, .value_names = spawn_values, \
	  .what = what_, .data = &(const struct primitive){ .start = start_, .target = target_, .needs_stack = stack_ } }

/* Rows pin down: the cost of copying the parent's page tables (fork, clone,
 * clone3 grow with memory), its absence (vfork, CLONE_VM), and what exec and
 * dynamic loading add on top (exec forms, static vs dynamic target). */
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
};

const struct fb_family fb_spawn_family = {
	.name = "spawn", .cases = spawn_cases, .ncases = sizeof(spawn_cases) / sizeof(spawn_cases[0]),
};
