/* check_life.c - a process's life as /proc and its parent see it: zombie
 * until reaped, SIGCHLD on exit (sent once the zombie is visible),
 * reparenting to a subreaper, and the task states S, T and t. */
#define _GNU_SOURCE
#include "checks.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BOUND_MS 5000   /* bounded waits: well inside the runner's timeout */

/* A child that sleeps in pause() until killed; -1 on failure. */
static pid_t start_sleeper(void)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		for (;;)
			pause();
	return pid;
}

static void kill_and_reap(pid_t pid)
{
	int status;
	kill(pid, SIGKILL);
	fb_reap(pid, &status, __WALL);
}

int fb_check_zombie_until_reaped(struct fb_vmsg *m)
{
	struct fb_pstat st;
	char state;
	int status;

	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return fb_fail(m, "fork: %s", strerror(errno));
	int zombie = fb_wait_state(pid, 'Z', BOUND_MS, &state);
	fb_reap(pid, &status, 0);
	int after = fb_proc_stat(pid, &st);
	if (zombie)
		return fb_fail(m, "an exited, unreaped child shows state " FB_GOT("'%c'") " in /proc/%d/stat, not " FB_EXPECTED("Z"),
			       state, (int)pid);
	if (after != -ENOENT)
		return fb_fail(m, "after waitpid, /proc/%d/stat still %s", (int)pid,
			       after ? strerror(-after) : "reads fine");
	return FB_CHECK_PASS;
}

/* SIGCHLD blocked and read through a signalfd: the siginfo says who exited
 * and how, not merely that a signal came. */
int fb_check_sigchld_on_exit(struct fb_vmsg *m)
{
	struct signalfd_siginfo si = { 0 };
	sigset_t set;
	int status;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int fd = signalfd(-1, &set, SFD_CLOEXEC);
	if (fd < 0)
		return fb_fail(m, "signalfd: %s", strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		_exit(7);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int ready = pid > 0 && poll(&pfd, 1, BOUND_MS) == 1 && read(fd, &si, sizeof(si)) == sizeof(si);
	if (pid > 0)
		fb_reap(pid, &status, 0);
	if (!ready)
		return fb_fail(m, FB_GOT("no SIGCHLD") " within %d ms of the child's exit (" FB_EXPECTED("SIGCHLD") ")", BOUND_MS);
	if (si.ssi_signo != SIGCHLD || si.ssi_pid != (unsigned)pid || si.ssi_code != CLD_EXITED ||
	    si.ssi_status != 7)
		return fb_fail(m, FB_GOT("signal %u from pid %u, code %d, status %d") "; expected " FB_EXPECTED("SIGCHLD from %d, CLD_EXITED, 7"),
			       si.ssi_signo, si.ssi_pid, si.ssi_code, si.ssi_status, (int)pid);
	return FB_CHECK_PASS;
}

/* sigtimedwait, retried on EINTR (a stop and continue of the check) with
 * the whole bound each time: the signal number, or -errno. */
static int wait_signal(const sigset_t *set, siginfo_t *si)
{
	const struct timespec bound = { BOUND_MS / 1000, (long)(BOUND_MS % 1000) * 1000000L };
	int sig;

	while ((sig = sigtimedwait(set, si, &bound)) < 0 && errno == EINTR)
		;
	return sig < 0 ? -errno : sig;
}

/* The order of a child's end: exit_notify() sets EXIT_ZOMBIE and only then
 * sends SIGCHLD (do_notify_parent), both under tasklist_lock, so when the
 * parent holds the signal /proc already shows the child as Z (the state is
 * read from exit_state, even if the child has not left the CPU yet). Then
 * waitpid reaps it and its /proc entry goes. */
int fb_check_sigchld_after_zombie(struct fb_vmsg *m)
{
	struct fb_pstat at_signal = { .state = '?' }, after;
	siginfo_t si = { 0 };
	sigset_t set, old;
	int status = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);   /* blocked, so queued until we take it */
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		_exit(7);
	int err = pid < 0 ? -errno : 0;
	int sig = err ? err : wait_signal(&set, &si);
	int seen = err ? err : fb_proc_stat(pid, &at_signal);   /* right away: the state at delivery */
	pid_t reaped = err ? err : fb_reap(pid, &status, 0);
	int gone = err ? err : fb_proc_stat(pid, &after);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (err)
		return fb_fail(m, "fork: %s", strerror(-err));
	if (sig != SIGCHLD)
		return fb_fail(m, "no SIGCHLD within %d ms of the child's exit: %s", BOUND_MS,
			       sig < 0 ? strerror(-sig) : strsignal(sig));
	if (si.si_pid != pid || si.si_code != CLD_EXITED || si.si_status != 7)
		return fb_fail(m, "SIGCHLD from " FB_GOT("pid %d, code %d, status %d") "; expected " FB_EXPECTED("pid %d, CLD_EXITED, 7"),
			       (int)si.si_pid, si.si_code, si.si_status, (int)pid);
	if (seen)
		return fb_fail(m, "when SIGCHLD arrived, /proc/%d/stat could not be read: %s", (int)pid, strerror(-seen));
	if (at_signal.state != 'Z')
		return fb_fail(m, "when SIGCHLD arrived, /proc/%d/stat showed state " FB_GOT("'%c'") ", not " FB_EXPECTED("Z"), (int)pid,
			       at_signal.state);
	if (reaped != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 7)
		return fb_fail(m, "waitpid after SIGCHLD gave " FB_GOT("%d with wait status 0x%x") "; expected " FB_EXPECTED("%d, exited 7"),
			       (int)reaped, status, (int)pid);
	if (gone != -ENOENT)
		return fb_fail(m, "after waitpid, /proc/%d/stat still %s", (int)pid,
			       gone ? strerror(-gone) : "reads fine");
	return FB_CHECK_PASS;
}

struct orphan_report {
	pid_t pid, new_ppid;
};

/* In the middle child: start a grandchild that waits (bounded) until its
 * parent, the middle child, is gone, then reports its new parent. */
static void middle_child(int report_fd)
{
	pid_t middle = getpid();
	pid_t pid = fork();

	if (pid == 0) {
		for (int waited_ms = 0; getppid() == middle && waited_ms < BOUND_MS; waited_ms++)
			fb_sleep_ms(1);
		struct orphan_report r = { getpid(), getppid() };
		_exit(write(report_fd, &r, sizeof(r)) == sizeof(r) ? 0 : 1);
	}
	_exit(pid < 0 ? 1 : 0);   /* orphan the grandchild at once */
}

int fb_check_reparent_to_subreaper(struct fb_vmsg *m)
{
	struct orphan_report r = { 0, 0 };
	int fds[2], status;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1))
		return fb_skip(m, "PR_SET_CHILD_SUBREAPER: %s (Linux 3.4+)", strerror(errno));
	if (pipe(fds))
		return fb_fail(m, "pipe: %s", strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		middle_child(fds[1]);
	close(fds[1]);
	if (pid < 0 || fb_reap(pid, &status, 0) != pid || status)
		return fb_fail(m, "the middle child could not fork or failed (status 0x%x)", pid < 0 ? 0 : status);
	ssize_t got = read(fds[0], &r, sizeof(r));   /* EOF if the grandchild died first */
	pid_t reaped = got == sizeof(r) ? fb_reap(r.pid, &status, 0) : -1;
	if (got != sizeof(r))
		return fb_fail(m, "the grandchild did not report its new parent");
	if (r.new_ppid != getpid())
		return fb_fail(m, "the orphaned grandchild's parent is " FB_GOT("%d") ", not the subreaper " FB_EXPECTED("%d"),
			       (int)r.new_ppid, (int)getpid());
	if (reaped != r.pid)
		return fb_fail(m, "the subreaper could not reap the grandchild %d: %s", (int)r.pid, strerror(-reaped));
	return FB_CHECK_PASS;
}

int fb_check_task_states_stop_cont(struct fb_vmsg *m)
{
	char asleep = '?', stopped = '?', resumed = '?';
	int status = 0;
	pid_t pid = start_sleeper();

	if (pid < 0)
		return fb_fail(m, "fork: %s", strerror(errno));
	int ok = fb_wait_state(pid, 'S', BOUND_MS, &asleep) == 0;
	if (ok && kill(pid, SIGSTOP) == 0 && fb_reap(pid, &status, WUNTRACED) == pid && WIFSTOPPED(status))
		ok = fb_wait_state(pid, 'T', BOUND_MS, &stopped) == 0;
	else
		ok = 0;
	if (ok && kill(pid, SIGCONT) == 0)
		ok = fb_wait_state(pid, 'S', BOUND_MS, &resumed) == 0;
	kill_and_reap(pid);
	if (!ok)
		return fb_fail(m, "states of the child " FB_GOT("sleeping '%c', after SIGSTOP '%c', after SIGCONT '%c'") "; expected "
			       FB_EXPECTED("S, T, S"),
			       asleep, stopped, resumed);
	return FB_CHECK_PASS;
}

int fb_check_traced_state(struct fb_vmsg *m)
{
	char state = '?';
	int status = 0;
	pid_t pid = start_sleeper();

	if (pid < 0)
		return fb_fail(m, "fork: %s", strerror(errno));
	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL)) {
		int err = errno;
		kill_and_reap(pid);
		if (err == EPERM || err == EACCES || err == ENOSYS)
			return fb_skip(m, "ptrace is denied here: PTRACE_SEIZE: %s", strerror(err));
		return fb_fail(m, "PTRACE_SEIZE: %s", strerror(err));
	}
	int stopped = ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) == 0 &&
		      fb_reap(pid, &status, __WALL) == pid && WIFSTOPPED(status);
	int traced = stopped && fb_wait_state(pid, 't', BOUND_MS, &state) == 0;
	kill_and_reap(pid);
	if (!traced)
		return fb_fail(m, "a tracee stopped by PTRACE_INTERRUPT shows " FB_GOT("'%c'") " (wait status 0x%x), expected " FB_EXPECTED("t"),
			       state, status);
	return FB_CHECK_PASS;
}
