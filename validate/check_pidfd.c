/* check_pidfd.c - process file descriptors: clone3 with CLONE_PIDFD hands
 * the parent a pidfd for the child, the pidfd becomes readable when the
 * child exits, waitid(P_PIDFD) reaps through it (once: no zombie is left and
 * a second wait fails), pidfd_send_signal kills through it, and pidfd_open
 * makes one for an existing pid. Kernels without a call are skipped with the
 * version that brought it. */
#define _GNU_SOURCE
#include "checks.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* waitid's idtype for a pidfd (linux/wait.h, Linux 5.4). glibc names it
 * in idtype_t from 2.36 on, as an enumerator #ifdef cannot see, hence the
 * version test (nested: __GLIBC_PREREQ exists only with glibc). */
#if defined(__GLIBC__) && !defined(P_PIDFD)
#if !__GLIBC_PREREQ(2, 36)
#define P_PIDFD 3
#endif
#elif !defined(P_PIDFD)
#define P_PIDFD 3
#endif
/* linux/sched.h has it from Linux 5.2 on (struct clone_args, used below,
 * needs 5.3's headers anyway); glibc's sched.h later. */
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
/* C library headers older than the calls: the unified syscall table (424
 * on, Linux 5.1+) gives these numbers on all architectures but alpha and
 * ia64. */
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif

#define BOUND_MS 5000   /* bounded waits: well inside the runner's timeout */
#define EXIT_CODE 42    /* distinctive: not 0, 1, 127 or another status a failure gives */

/* A child that waits for the parent's word (EOF on a pipe) and then exits
 * with EXIT_CODE; with a pidfd from clone3's CLONE_PIDFD or none (fork). */
struct held_child {
	pid_t pid;
	int pidfd;       /* -1 until there is one */
	int release_fd;  /* the parent's write end: closing it lets the child exit */
	int reaped;
};

/* Raw clone3 with no stack of its own: the child runs on a copy of the
 * caller's stack, as after fork. It only makes plain system calls (close,
 * read, _exit): glibc did not see this fork, so its atfork handlers (stdio,
 * malloc locks) did not run for it. */
static pid_t clone3_with_pidfd(int *pidfd)
{
	struct clone_args args;

	memset(&args, 0, sizeof(args));
	args.flags = CLONE_PIDFD;
	args.pidfd = (uint64_t)(uintptr_t)pidfd;
	args.exit_signal = SIGCHLD;
	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

/* Start the child; 0 or -errno (-ENOSYS: no clone3). */
static int start_held(struct held_child *c, int with_clone3)
{
	int hold[2];

	*c = (struct held_child){ .pid = -1, .pidfd = -1, .release_fd = -1 };
	if (pipe2(hold, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	pid_t pid = with_clone3 ? clone3_with_pidfd(&c->pidfd) : fork();
	if (pid == 0) {
		char byte;
		close(hold[1]);
		_exit(read(hold[0], &byte, 1) == 0 ? EXIT_CODE : 100);
	}
	int err = pid < 0 ? -errno : 0;
	close(hold[0]);
	if (err) {
		close(hold[1]);
		return err;
	}
	c->pid = pid;
	c->release_fd = hold[1];
	return 0;
}

static void release(struct held_child *c)
{
	if (c->release_fd >= 0)
		close(c->release_fd);
	c->release_fd = -1;
}

/* Every path ends here: the child killed unless reaped already (a zombie
 * or a live child still owns its pid, so kill cannot hit another process),
 * reaped, and the fds closed. */
static void finish(struct held_child *c)
{
	int status;

	release(c);
	if (c->pid > 0 && !c->reaped) {
		kill(c->pid, SIGKILL);
		fb_reap(c->pid, &status, 0);
	}
	if (c->pidfd >= 0)
		close(c->pidfd);
}

static int skip_or_fail(struct fb_vmsg *m, int err, const char *call, const char *since)
{
	if (err == -ENOSYS)
		return fb_skip(m, "%s: ENOSYS: the kernel is older than %s (or a seccomp filter refuses the call)",
			       call, since);
	return fb_fail(m, "%s: %s", call, strerror(-err));
}

/* Start a clone3 child and fill m when that fails. */
static int start_clone3(struct held_child *c, struct fb_vmsg *m)
{
	int err = start_held(c, 1);
	return err ? skip_or_fail(m, err, "clone3(CLONE_PIDFD)", "5.3") : FB_CHECK_PASS;
}

/* waitid(P_PIDFD, pidfd, WEXITED | options) with si zeroed first (so that
 * WNOHANG with nothing to report leaves si_pid 0); 0 or -errno. */
static int wait_pidfd(int pidfd, siginfo_t *si, int options)
{
	memset(si, 0, sizeof(*si));
	while (waitid(P_PIDFD, (id_t)pidfd, si, WEXITED | options) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* Reap c through its pidfd; fills m and returns non-zero when waitid
 * failed (EINVAL: P_PIDFD is unknown before Linux 5.4). */
static int reap_pidfd(struct held_child *c, siginfo_t *si, struct fb_vmsg *m)
{
	int err = wait_pidfd(c->pidfd, si, 0);

	c->reaped = err == 0;
	if (err == -EINVAL)
		return fb_skip(m, "waitid(P_PIDFD): EINVAL: the kernel is older than 5.4");
	return err ? fb_fail(m, "waitid(P_PIDFD): %s", strerror(-err)) : FB_CHECK_PASS;
}

/* Fail unless si reports c's end as CLD_EXITED with EXIT_CODE or
 * CLD_KILLED by SIGKILL, as want_code says. */
static int check_siginfo(struct fb_vmsg *m, const siginfo_t *si, const struct held_child *c, int want_code)
{
	int want_status = want_code == CLD_EXITED ? EXIT_CODE : SIGKILL;

	if (si->si_signo != SIGCHLD || si->si_pid != c->pid || si->si_code != want_code ||
	    si->si_status != want_status)
		return fb_fail(m, "waitid(P_PIDFD) gave " FB_GOT("signo %d, pid %d, code %d, status %d") "; expected "
			       FB_EXPECTED("SIGCHLD, pid %d, code %d (%s), status %d"), si->si_signo, (int)si->si_pid, si->si_code,
			       si->si_status, (int)c->pid, want_code, want_code == CLD_EXITED ? "CLD_EXITED" : "CLD_KILLED",
			       want_status);
	return FB_CHECK_PASS;
}

/* The "Pid:" line of a pidfd's /proc/self/fdinfo entry (there since
 * CLONE_PIDFD came): the pid it refers to, or -1 when there is none. */
static pid_t fdinfo_pid(int fd)
{
	char path[64], buf[1024];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	int info = open(path, O_RDONLY | O_CLOEXEC);
	if (info < 0)
		return -1;
	ssize_t len = read(info, buf, sizeof(buf) - 1);
	close(info);
	if (len <= 0)
		return -1;
	buf[len] = '\0';
	const char *line = strstr(buf, "\nPid:");
	return line ? (pid_t)strtol(line + strlen("\nPid:"), NULL, 10) : -1;
}

/* Both ways of getting a pidfd set close-on-exec on it (clone(2),
 * pidfd_open(2)), and its fdinfo names the child. */
static int check_new_pidfd(struct fb_vmsg *m, const struct held_child *c, const char *how)
{
	int fd_flags = fcntl(c->pidfd, F_GETFD);
	pid_t named = fdinfo_pid(c->pidfd);

	if (c->pidfd < 0 || fd_flags < 0)
		return fb_fail(m, "%s gave " FB_GOT("no pidfd (fd %d)") " (" FB_EXPECTED("a pidfd") ")", how, c->pidfd);
	if (!(fd_flags & FD_CLOEXEC))
		return fb_fail(m, "the pidfd from %s " FB_GOT("lacks FD_CLOEXEC") " (" FB_EXPECTED("FD_CLOEXEC set") ")", how);
	if (named != c->pid)
		return fb_fail(m, "the pidfd from %s names pid " FB_GOT("%d") " in its fdinfo, the child is " FB_EXPECTED("%d"), how, (int)named,
			       (int)c->pid);
	return FB_CHECK_PASS;
}

int fb_check_pidfd_clone3_returns_pidfd(struct fb_vmsg *m)
{
	struct held_child c;
	int v = start_clone3(&c, m);

	if (v == FB_CHECK_PASS)
		v = check_new_pidfd(m, &c, "clone3(CLONE_PIDFD)");
	finish(&c);
	return v;
}

/* pidfd_poll: POLLIN once the whole thread group has exited, not before. */
int fb_check_pidfd_readable_on_exit(struct fb_vmsg *m)
{
	struct held_child c;
	int v = start_clone3(&c, m);

	if (v != FB_CHECK_PASS)
		return finish(&c), v;
	struct pollfd alive = { .fd = c.pidfd, .events = POLLIN }, exited = alive;
	int ready_alive = poll(&alive, 1, 0);
	release(&c);
	int ready_exited = poll(&exited, 1, BOUND_MS);
	finish(&c);
	if (ready_alive != 0)
		return fb_fail(m, "poll on the pidfd of a live, blocked child returned " FB_GOT("%d (revents 0x%x)") ", expected "
			       FB_EXPECTED("0"),
			       ready_alive, alive.revents);
	if (ready_exited != 1 || !(exited.revents & POLLIN))
		return fb_fail(m, "poll on the pidfd of an exited child returned " FB_GOT("%d (revents 0x%x)") " within %d ms, "
			       "expected " FB_EXPECTED("POLLIN"), ready_exited, exited.revents, BOUND_MS);
	return FB_CHECK_PASS;
}

int fb_check_pidfd_waitid_reaps(struct fb_vmsg *m)
{
	struct held_child c;
	siginfo_t si;
	int v = start_clone3(&c, m);

	if (v == FB_CHECK_PASS) {
		release(&c);
		v = reap_pidfd(&c, &si, m);
	}
	if (v == FB_CHECK_PASS)
		v = check_siginfo(m, &si, &c, CLD_EXITED);
	finish(&c);
	return v;
}

/* A zombie before, nothing after: the one waitid released the pid, and
 * the pidfd (which outlives its process) has no child left to wait for. */
int fb_check_pidfd_reaps_once(struct fb_vmsg *m)
{
	struct held_child c;
	struct fb_pstat st;
	siginfo_t si, again;
	char state = '?';
	int v = start_clone3(&c, m);

	if (v != FB_CHECK_PASS)
		return finish(&c), v;
	release(&c);
	int zombie = fb_wait_state(c.pid, 'Z', BOUND_MS, &state);
	if ((v = reap_pidfd(&c, &si, m)) != FB_CHECK_PASS)
		return finish(&c), v;
	int after = fb_proc_stat(c.pid, &st);
	int second = wait_pidfd(c.pidfd, &again, WNOHANG);
	finish(&c);
	if (zombie)
		return fb_fail(m, "the exited child shows state " FB_GOT("'%c'") " in /proc/%d/stat before waitid, not " FB_EXPECTED("Z"), state,
			       (int)c.pid);
	if (after != -ENOENT)
		return fb_fail(m, "after waitid(P_PIDFD), /proc/%d/stat still %s", (int)c.pid,
			       after ? strerror(-after) : "reads fine");
	if (second != -ECHILD)
		return fb_fail(m, "a second waitid(P_PIDFD) on the reaped child's pidfd gave " FB_GOT("%s (pid %d)") ", expected "
			       FB_EXPECTED("ECHILD"),
			       second ? strerror(-second) : "success", (int)again.si_pid);
	return FB_CHECK_PASS;
}

int fb_check_pidfd_send_signal_kills(struct fb_vmsg *m)
{
	struct held_child c;
	siginfo_t si;
	int v = start_clone3(&c, m);

	if (v != FB_CHECK_PASS)
		return finish(&c), v;
	/* the child is blocked in read(): only the signal can end it */
	if (syscall(SYS_pidfd_send_signal, c.pidfd, SIGKILL, NULL, 0) < 0)
		v = skip_or_fail(m, -errno, "pidfd_send_signal", "5.1");
	if (v == FB_CHECK_PASS)
		v = reap_pidfd(&c, &si, m);
	if (v == FB_CHECK_PASS)
		v = check_siginfo(m, &si, &c, CLD_KILLED);
	finish(&c);
	return v;
}

/* pidfd_open of a forked child's pid: a pidfd like CLONE_PIDFD's, good for
 * waitid; once the pid is reaped, pidfd_open finds nothing (ESRCH). */
int fb_check_pidfd_open_pid(struct fb_vmsg *m)
{
	struct held_child c;
	siginfo_t si;
	int err = start_held(&c, 0);

	if (err)
		return finish(&c), fb_fail(m, "fork: %s", strerror(-err));
	c.pidfd = (int)syscall(SYS_pidfd_open, c.pid, 0);
	int v = c.pidfd < 0 ? skip_or_fail(m, -errno, "pidfd_open", "5.3") : FB_CHECK_PASS;
	if (v == FB_CHECK_PASS)
		v = check_new_pidfd(m, &c, "pidfd_open");
	if (v == FB_CHECK_PASS) {
		release(&c);
		v = reap_pidfd(&c, &si, m);
	}
	if (v == FB_CHECK_PASS)
		v = check_siginfo(m, &si, &c, CLD_EXITED);
	int gone = v == FB_CHECK_PASS ? (int)syscall(SYS_pidfd_open, c.pid, 0) : -1;
	int gone_err = errno;
	finish(&c);
	if (v != FB_CHECK_PASS)
		return v;
	if (gone >= 0 || gone_err != ESRCH) {
		if (gone >= 0)
			close(gone);
		return fb_fail(m, "pidfd_open of the reaped pid %d gave " FB_GOT("%s") ", expected " FB_EXPECTED("ESRCH"), (int)c.pid,
			       gone >= 0 ? "a pidfd" : strerror(gone_err));
	}
	return FB_CHECK_PASS;
}
