/* sandbox_watch.c - the step's processes end with the grader, however the
 * grader ends. A step's main process dies with the grader (its
 * PR_SET_PDEATHSIG), but what it forked does not: SIGKILLed mid-step, the
 * grader left 7 processes of the sandbox uid asleep for 20 s more. So a
 * watcher, started before anything runs, learns each step's process group
 * and cgroup through a pipe, and when that pipe ends (the grader is gone,
 * or done) it kills them: the group, the cgroup, and, when the steps run as
 * a uid of their own, every process of that uid until none is left.
 *
 * Like the reference server (grade_ref.c) it is not the grader's child: the
 * sandbox reaps every child of the grader as a step's leftover. It is
 * started through an intermediate that exits at once, before the grader
 * becomes a subreaper, so that init adopts it. */
#define _GNU_SOURCE
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fdio.h"

/* What the watcher must kill if the grader goes now. */
struct watch_msg {
	pid_t pgid;                  /* the running step's process group, 0: none, -1: stop */
	char cg[PATH_MAX];           /* its cgroup, "" when none */
};

static void sleep_1ms(void)
{
	struct timespec ts = { 0, 1000000L };
	nanosleep(&ts, NULL);
}

/* Kill the step of msg and, with its own uid, every process of that uid
 * (kill(-1) as that uid spares only ourselves), for up to ~5 s. */
static void sweep(const struct fb_sandbox *sb, const struct watch_msg *msg)
{
	if (msg->pgid > 0)
		kill(-msg->pgid, SIGKILL);
	for (int i = 0; msg->cg[0] && i < 100 && fb_cg_kill_round(sb, msg->cg) > 0; i++)
		sleep_1ms();
	if (msg->cg[0])
		fb_cg_remove(msg->cg);
	if (!sb->drop_ids || fb_sandbox_drop_ids(sb))
		return;
	for (int i = 0; i < 5000 && fb_sandbox_count_uid_alive(sb->uid, getpid()) > 0; i++) {
		kill(-1, SIGKILL);
		sleep_1ms();
	}
}

static void watch(const struct fb_sandbox *sb, int from_fd)
{
	struct watch_msg msg = { 0 };

	prctl(PR_SET_NAME, "fb-grade-watch");
	while (fb_read_full(from_fd, &msg, sizeof(msg)) == 0)
		;
	if (msg.pgid >= 0)   /* -1: the grader stopped us, everything reaped */
		sweep(sb, &msg);
	_exit(0);
}

int fb_sandbox_watch_start(struct fb_sandbox *sb)
{
	int to[2], back[2], status;
	sigset_t none;

	if (pipe2(to, O_CLOEXEC))
		return -errno;
	if (pipe2(back, O_CLOEXEC)) {
		int err = -errno;
		close(to[0]);
		close(to[1]);
		return err;
	}
	pid_t mid = fork();
	if (mid == 0) {
		if (fork() == 0) {
			/* back[1] stays open until we exit: the grader reads EOF then */
			if (dup2(to[0], 3) < 0 || dup2(back[1], 4) < 0)
				_exit(1);
			close_range(5, ~0U, 0);
			/* Its own session: a kill of the grader's process group (a
			 * CI job cancelled) must leave it to sweep; the grader
			 * alone decides what a Ctrl-C or SIGTERM ends. */
			setsid();
			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
			signal(SIGINT, SIG_IGN);
			signal(SIGTERM, SIG_IGN);
			signal(SIGHUP, SIG_IGN);
			watch(sb, 3);
		}
		_exit(0);
	}
	while (mid > 0 && waitpid(mid, &status, 0) < 0 && errno == EINTR)
		;
	close(to[0]);
	close(back[1]);
	sb->watch_fd = to[1];
	sb->watch_back_fd = back[0];
	sb->watching = 1;
	if (mid < 0) {
		fb_sandbox_watch_stop(sb);
		return -errno;
	}
	return 0;
}

void fb_sandbox_watch_step(const struct fb_sandbox *sb, pid_t pgid, const char *cg)
{
	struct watch_msg msg = { .pgid = pgid };

	snprintf(msg.cg, sizeof(msg.cg), "%s", cg ? cg : "");
	if (sb->watching)
		fb_write_full(sb->watch_fd, &msg, sizeof(msg));
}

/* Everything was reaped: the watcher leaves without a sweep; its end of
 * the back pipe reads EOF once it has exited. */
void fb_sandbox_watch_stop(struct fb_sandbox *sb)
{
	char byte;
	ssize_t n;

	if (!sb->watching)
		return;
	fb_sandbox_watch_step(sb, -1, NULL);
	close(sb->watch_fd);
	while ((n = read(sb->watch_back_fd, &byte, 1)) > 0 || (n < 0 && errno == EINTR))
		;
	close(sb->watch_back_fd);
	sb->watching = 0;
}
