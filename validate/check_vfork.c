/* check_vfork.c - vfork's two promises: the parent is suspended until the
 * child exits or execs, and the child runs in the parent's memory. */
#define _GNU_SOURCE
#include "checks.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHILD_SLEEP_MS 50

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Written by the vfork child just before _exit. */
struct vfork_mark {
	volatile int done;
	volatile long long done_ns;
};

/* Its own frame, never inlined: the child borrows the parent's stack, and
 * nothing of the caller's frame may be live across vfork. */
__attribute__((noinline)) static pid_t vfork_sleeper(struct vfork_mark *mark)
{
	pid_t pid = vfork();
	if (pid == 0) {
		fb_sleep_ms(CHILD_SLEEP_MS);
		mark->done_ns = now_ns();
		mark->done = 1;
		_exit(0);
	}
	return pid;
}

int fb_check_vfork_suspends_parent(struct fb_vmsg *m)
{
	struct vfork_mark *mark = fb_shared_page();
	int status;

	if (!mark)
		return fb_fail(m, "mmap of a shared page: %s", strerror(errno));
	fflush(NULL);
	long long t0 = now_ns();
	pid_t pid = vfork_sleeper(mark);
	long long returned_ns = now_ns();
	int done = mark->done;   /* read at once: what the parent saw on return */
	if (pid < 0)
		return fb_fail(m, "vfork: %s", strerror(errno));
	fb_reap(pid, &status, 0);
	if (!done)
		return fb_fail(m, "vfork returned in the parent after %.1f ms, " FB_GOT("before the child's last write") " ("
			       FB_EXPECTED("after it") ")",
			       (double)(returned_ns - t0) / 1e6);
	if (mark->done_ns > returned_ns)
		return fb_fail(m, "the child's last write came " FB_GOT("%.1f ms after vfork returned") " (" FB_EXPECTED("before it") ")",
			       (double)(mark->done_ns - returned_ns) / 1e6);
	return FB_CHECK_PASS;
}

/* The vfork child sleeps, marks, then execs a shell that waits on stdin:
 * exec, not only exit, must let the parent go on. */
__attribute__((noinline)) static pid_t vfork_execer(struct vfork_mark *mark, int stdin_fd)
{
	pid_t pid = vfork();
	if (pid == 0) {
		fb_sleep_ms(CHILD_SLEEP_MS);
		mark->done = 1;
		dup2(stdin_fd, STDIN_FILENO);
		execl("/bin/sh", "sh", "-c", "read line", (char *)NULL);
		_exit(127);
	}
	return pid;
}

int fb_check_vfork_resumes_at_exec(struct fb_vmsg *m)
{
	struct vfork_mark *mark = fb_shared_page();
	struct fb_pstat st = { .state = '?' };
	int in[2], status;

	if (access("/bin/sh", X_OK))
		return fb_skip(m, "no /bin/sh to exec");
	if (!mark || pipe2(in, O_CLOEXEC))   /* the shell keeps stdin only: EOF below */
		return fb_fail(m, "mmap or pipe: %s", strerror(errno));
	fflush(NULL);
	pid_t pid = vfork_execer(mark, in[0]);
	int done = mark->done, alive = pid > 0 && fb_proc_stat(pid, &st) == 0 && st.state != 'Z';
	close(in[1]);   /* EOF: the shell's read returns and it exits */
	close(in[0]);
	if (pid < 0)
		return fb_fail(m, "vfork: %s", strerror(errno));
	fb_reap(pid, &status, 0);
	if (!done || !alive || !WIFEXITED(status) || WEXITSTATUS(status) == 127)
		return fb_fail(m, "on return: " FB_GOT("child %s, state '%c'") " (" FB_EXPECTED("alive in the exec'd shell") "); "
			       "it then ended with wait status 0x%x", done ? "marked" : "not yet marked",
			       st.state, status);
	return FB_CHECK_PASS;
}

/* Private memory, not MAP_SHARED: under fork the child's write would stay
 * in its copy. */
static volatile int private_word;

__attribute__((noinline)) static pid_t vfork_writer(void)
{
	pid_t pid = vfork();
	if (pid == 0) {
		private_word = 42;
		_exit(0);
	}
	return pid;
}

int fb_check_vfork_shares_memory(struct fb_vmsg *m)
{
	int status;

	private_word = 1;
	fflush(NULL);
	pid_t pid = vfork_writer();
	if (pid < 0)
		return fb_fail(m, "vfork: %s", strerror(errno));
	fb_reap(pid, &status, 0);
	if (private_word != 42)
		return fb_fail(m, "the parent reads " FB_GOT("%d") " after the vfork child wrote " FB_EXPECTED("42"), private_word);
	return FB_CHECK_PASS;
}
