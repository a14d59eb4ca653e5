/* runner.c - run each check in its own forked child and process group,
 * under a timeout. The child, and whatever it left in its group, is always
 * killed and reaped: no zombie, no stray, also on timeout or Ctrl-C. */
#define _GNU_SOURCE
#include "validate.h"
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted_by;

static void on_interrupt(int sig)
{
	interrupted_by = sig;
}


/* The check's child: its own group (so one kill reaches everything it
 * starts), default signal dispositions, stdin/stdout on /dev/null so that
 * nothing it prints lands in the TAP stream. The verdict is the exit
 * status; a message goes through the pipe, in one write below PIPE_BUF. */
static void run_child(const struct fb_check *c, int msg_fd)
{
	struct fb_vmsg m = { .text = "" };
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);   /* the runner died: do not linger */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(null_fd, 1) < 0)
		_exit(FB_CHECK_FAIL);
	int v = c->run(&m);
	if (m.text[0] && write(msg_fd, &m, sizeof(m)) < 0)   /* text, got, expected: one write */
		v = FB_CHECK_FAIL;
	_exit(v);
}

/* Wait for the check's child until the deadline or an interrupt; then kill
 * its group. Returns 1 when it had to be killed for time. */
static int wait_check(pid_t pid, int timeout_s, int *status)
{
	double deadline = fb_now_s() + timeout_s;
	useconds_t nap_us = 100;
	int timed_out = 0;

	for (;;) {
		pid_t got = waitpid(pid, status, WNOHANG);
		if (got == pid || (got < 0 && errno != EINTR))
			break;
		if (interrupted_by || (timed_out = fb_now_s() >= deadline)) {
			kill(-pid, SIGKILL);
			fb_reap(pid, status, 0);
			break;
		}
		usleep(nap_us);   /* short naps first: most checks take milliseconds */
		nap_us = nap_us < 5000 ? nap_us * 2 : nap_us;
	}
	/* Strays of the group: as a subreaper we inherit them, so kill and
	 * reap every one of our children still in that group. */
	kill(-pid, SIGKILL);
	while (waitpid(-pid, NULL, 0) > 0 || errno == EINTR)
		;
	return timed_out;
}

/* Turn what the child left (status, message) into a verdict; where the
 * runner itself fails a check, the got/expected are its own. */
static void judge(struct fb_vresult *r, int status, int timed_out, int timeout_s, const struct fb_vmsg *m)
{
	const char *text = m->text;
	char how[96];

	r->msg = *m;
	if (timed_out) {
		r->verdict = FB_CHECK_FAIL;
		fb_fail(&r->msg, "timed out after " FB_GOT("%d s") " (its process group was killed; "
			FB_EXPECTED("a verdict within %d s") ")", timeout_s, timeout_s);
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) > FB_CHECK_SKIP) {
		r->verdict = fb_fail(&r->msg, "the check's child " FB_GOT("%s") "%s%.300s (" FB_EXPECTED("exited 0, 1 or 2")
				     ")", fb_describe_status(status, how, sizeof(how)), text[0] ? ": " : "", text);
	} else {
		r->verdict = WEXITSTATUS(status);
		if (r->verdict != FB_CHECK_PASS && !text[0])   /* a bug of the check: say so */
			r->verdict = fb_fail(&r->msg, "the check %s " FB_GOT("without saying why") " ("
					     FB_EXPECTED("a message with every failure or skip") ")",
					     r->verdict == FB_CHECK_SKIP ? "skipped" : "failed");
	}
	for (char *c = r->msg.text; *c; c++)   /* one TAP diagnostic line */
		*c = *c == '\n' ? ' ' : *c;
}

static int run_one(const struct fb_check *c, int timeout_s, struct fb_vresult *r)
{
	struct fb_vmsg m;
	int fds[2], status = 0;
	double t0 = fb_now_s();

	r->check = c;
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	fflush(NULL);   /* nothing buffered twice */
	pid_t pid = fork();
	if (pid == 0)
		run_child(c, fds[1]);
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return -errno;
	}
	setpgid(pid, pid);   /* also here: no race with a kill(-pid) below */
	int timed_out = wait_check(pid, timeout_s, &status);
	memset(&m, 0, sizeof(m));
	ssize_t len = read(fds[0], &m, sizeof(m));   /* non-blocking: strays may hold the pipe */
	if (len != (ssize_t)sizeof(m))
		memset(&m, 0, sizeof(m));
	m.text[sizeof(m.text) - 1] = m.got[sizeof(m.got) - 1] = m.expected[sizeof(m.expected) - 1] = '\0';
	close(fds[0]);
	r->seconds = fb_now_s() - t0;
	judge(r, status, timed_out, timeout_s, &m);
	return 0;
}

/* Catch sig unless it is ignored (as in a background job); old keeps the
 * previous action for restore. */
static void catch_interrupt(int sig, struct sigaction *old)
{
	struct sigaction sa = { .sa_handler = on_interrupt };

	sigaction(sig, NULL, old);
	if (old->sa_handler != SIG_IGN)
		sigaction(sig, &sa, NULL);
}

/* SIGINT/SIGTERM only set a flag while checks run; the previous handling is
 * restored and the signal raised again once the running check is reaped. */
int fb_validate_run(struct fb_vrun *run)
{
	struct sigaction old_int, old_term;
	int failed = 0, err = 0;

	interrupted_by = 0;
	prctl(PR_SET_CHILD_SUBREAPER, 1);   /* strays of a check come back to us */
	catch_interrupt(SIGINT, &old_int);
	catch_interrupt(SIGTERM, &old_term);
	fb_tap_begin(run);
	for (size_t i = 0; i < run->count && !interrupted_by && !err; i++) {
		err = run_one(run->checks[i], run->timeout_s, &run->results[i]);
		if (!err && !interrupted_by) {
			failed += run->results[i].verdict == FB_CHECK_FAIL;
			fb_tap_result(run, i);
		}
	}
	if (!err && !interrupted_by)
		fb_tap_totals(run);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (interrupted_by) {
		raise(interrupted_by);
		return -EINTR;
	}
	return err ? err : failed;
}
