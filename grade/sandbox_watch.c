/* sandbox_watch.c - the step's processes end with the grader, however the
 * grader ends. A step's main process dies with the grader (its
 * PR_SET_PDEATHSIG), but what it forked does not: SIGKILLed mid-step, the
 * grader left 7 processes of the sandbox uid asleep for 20 s more. So a
 * watcher, started before anything runs, learns each step's process group
 * and cgroup through a pipe, and when that pipe ends (the grader is gone,
 * or done) it kills them: the group, the cgroup, and, when the steps run as
 * a uid of their own, every process of that uid until none is left.
 *
 * Like the reference server (grade_ref.c) it is not the grader's child
 * (orphan.c), or the sandbox would reap it as a step's leftover. */
#define _GNU_SOURCE
#include "sandbox.h"

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
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

/* Kill the step of msg and, with its own uid, every process of that uid. */
static void sweep(const struct fb_sandbox *sb, const struct watch_msg *msg)
{
	if (msg->pgid > 0)
		kill(-msg->pgid, SIGKILL);
	for (int i = 0; msg->cg[0] && i < 100 && fb_cg_kill_round(sb, msg->cg) > 0; i++)
		sleep_1ms();
	if (msg->cg[0])
		fb_cg_remove(msg->cg);
	if (sb->drop_ids)
		fb_sandbox_sweep_uid(sb, 1);   /* zombies are init's to reap now */
}

/* The watcher's body: steps on fd 0 until it ends, then the sweep. */
static void watch(void *arg)
{
	const struct fb_sandbox *sb = arg;
	struct watch_msg msg = { 0 };

	prctl(PR_SET_NAME, "fb-grade-watch");
	/* Its own session: a kill of the grader's process group (a CI job
	 * cancelled) must leave it to sweep; the grader alone decides what a
	 * Ctrl-C or SIGTERM ends. */
	setsid();
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	while (fb_read_full(0, &msg, sizeof(msg)) == 0)
		;
	if (msg.pgid >= 0)   /* -1: the grader stopped us, everything reaped */
		sweep(sb, &msg);
	_exit(0);
}

int fb_sandbox_watch_start(struct fb_sandbox *sb)
{
	int err = fb_orphan_start(&sb->watch, watch, sb);

	sb->watching = err == 0;
	return err;
}

void fb_sandbox_watch_step(const struct fb_sandbox *sb, pid_t pgid, const char *cg)
{
	struct watch_msg msg = { .pgid = pgid };

	snprintf(msg.cg, sizeof(msg.cg), "%s", cg ? cg : "");
	if (sb->watching)
		fb_write_full(sb->watch.to_fd, &msg, sizeof(msg));
}

/* Everything was reaped: the watcher leaves without a sweep. */
void fb_sandbox_watch_stop(struct fb_sandbox *sb)
{
	if (!sb->watching)
		return;
	fb_sandbox_watch_step(sb, -1, NULL);
	fb_orphan_stop(&sb->watch);
	sb->watching = 0;
}
