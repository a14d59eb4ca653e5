/* orphan.c - a helper process of the grader that is not its child: the
 * sandbox reaps every child of the grader as a step's leftover, until none
 * is left (sandbox.c), so the reference server (grade_ref.c) and the steps'
 * watcher (sandbox_watch.c) are started through an intermediate that exits
 * at once, with the grader no subreaper meanwhile, and init adopts them.
 * They read requests on fd 0 until it ends (the grader stopped them or is
 * gone, however it ended) and hold fd 1, whose end-of-file tells the
 * grader they have exited. */
#define _GNU_SOURCE
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* In the helper: its pipes at fds 0 and 1, stderr kept, nothing else of
 * the grader's open, no signal blocked; then body, which must not return. */
static void become_helper(int in_fd, int out_fd, void (*body)(void *), void *arg)
{
	sigset_t none;

	if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0)
		_exit(1);
	close_range(3, ~0U, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	body(arg);
	_exit(0);
}

int fb_orphan_start(struct fb_orphan *o, void (*body)(void *), void *arg)
{
	int to[2], back[2], status, subreaper = 0, err = 0;

	o->to_fd = o->from_fd = -1;
	if (pipe2(to, O_CLOEXEC))
		return -errno;
	if (pipe2(back, O_CLOEXEC)) {
		err = -errno;
		close(to[0]);
		close(to[1]);
		return err;
	}
	prctl(PR_GET_CHILD_SUBREAPER, &subreaper);
	prctl(PR_SET_CHILD_SUBREAPER, 0);   /* so that init adopts the helper */
	pid_t mid = fork();
	if (mid == 0) {
		if (fork() == 0)
			become_helper(to[0], back[1], body, arg);
		_exit(0);
	}
	if (mid < 0)
		err = -errno;
	while (mid > 0 && waitpid(mid, &status, 0) < 0 && errno == EINTR)
		;
	prctl(PR_SET_CHILD_SUBREAPER, subreaper);
	close(to[0]);
	close(back[1]);
	o->to_fd = to[1];
	o->from_fd = back[0];
	if (err)
		fb_orphan_stop(o);
	return err;
}

void fb_orphan_stop(struct fb_orphan *o)
{
	char byte;
	ssize_t n;

	if (o->to_fd >= 0)
		close(o->to_fd);
	while (o->from_fd >= 0 && ((n = read(o->from_fd, &byte, 1)) > 0 || (n < 0 && errno == EINTR)))
		;
	if (o->from_fd >= 0)
		close(o->from_fd);
	o->to_fd = o->from_fd = -1;
}
