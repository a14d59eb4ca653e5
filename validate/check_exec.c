/* check_exec.c - what execve keeps and what it replaces: fds marked
 * O_CLOEXEC are closed, other fds stay open at the same number, and the
 * process (same pid) now runs the new program. /bin/sh is the program:
 * `test -e /proc/self/fd/N` asks the exec'd image itself. */
#define _GNU_SOURCE
#include "checks.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SHELL "/bin/sh"
/* High, so that no fd the shell opens for itself can take the number. */
#define PROBE_FD 57

/* Is PROBE_FD open in a shell exec'd after it was opened with or without
 * O_CLOEXEC? 1 open, 0 closed, -1 exec or fork failed. */
static int open_after_exec(int cloexec)
{
	char script[64];
	int status, fd = open("/dev/null", O_RDONLY);

	if (fd < 0 || dup3(fd, PROBE_FD, cloexec ? O_CLOEXEC : 0) < 0)
		return -1;
	close(fd);
	snprintf(script, sizeof(script), "test -e /proc/self/fd/%d", PROBE_FD);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		execl(SHELL, "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	close(PROBE_FD);
	if (pid < 0 || fb_reap(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) > 1)
		return -1;
	return WEXITSTATUS(status) == 0;
}

static int exec_fd_check(struct fb_vmsg *m, int cloexec)
{
	if (access(SHELL, X_OK))
		return fb_skip(m, "no %s to exec", SHELL);
	int open_now = open_after_exec(cloexec);
	if (open_now < 0)
		return fb_fail(m, "could not fork and exec %s", SHELL);
	if (open_now == cloexec)
		return fb_fail(m, "fd %d opened %s O_CLOEXEC is " FB_GOT("%s") " after exec (" FB_EXPECTED("%s") ")", PROBE_FD,
			       cloexec ? "with" : "without", open_now ? "still open" : "closed", cloexec ? "closed" : "still open");
	return FB_CHECK_PASS;
}

int fb_check_exec_closes_cloexec_fds(struct fb_vmsg *m)
{
	return exec_fd_check(m, 1);
}

int fb_check_exec_keeps_other_fds(struct fb_vmsg *m)
{
	return exec_fd_check(m, 0);
}

/* The exec'd shell waits on stdin; meanwhile its /proc entry shows the new
 * image. EOF on an O_CLOEXEC pipe says exec succeeded, else the child sends
 * exec's errno through it (the classic check). The pid or -1. */
static pid_t start_waiting_shell(int *stdin_fd, int *exec_errno)
{
	int in[2], sync[2];

	*exec_errno = 0;
	if (pipe(in) || pipe2(sync, O_CLOEXEC))
		return -1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(in[0], STDIN_FILENO);
		close(in[1]);
		execl(SHELL, "sh", "-c", "read line; exit 42", (char *)NULL);
		int err = errno;
		_exit(write(sync[1], &err, sizeof(err)) == sizeof(err) ? 127 : 126);
	}
	close(in[0]);
	close(sync[1]);
	if (pid > 0 && read(sync[0], exec_errno, sizeof(*exec_errno)) < 0)
		*exec_errno = errno;
	close(sync[0]);
	*stdin_fd = in[1];
	return pid;
}

int fb_check_exec_replaces_image(struct fb_vmsg *m)
{
	char path[64], exe[PATH_MAX] = "", shell[PATH_MAX], how[96];
	struct fb_pstat st = { .comm = "" };
	int stdin_fd = -1, status, exec_errno;

	if (!realpath(SHELL, shell))
		return fb_skip(m, "no %s to exec", SHELL);
	pid_t pid = start_waiting_shell(&stdin_fd, &exec_errno);
	if (pid < 0)
		return fb_fail(m, "pipe or fork: %s", strerror(errno));
	if (exec_errno) {
		close(stdin_fd);
		fb_reap(pid, &status, 0);
		return fb_fail(m, "exec %s: %s", SHELL, strerror(exec_errno));
	}
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	ssize_t len = readlink(path, exe, sizeof(exe) - 1);
	exe[len > 0 ? len : 0] = '\0';
	fb_proc_stat(pid, &st);
	if (write(stdin_fd, "\n", 1) != 1)
		kill(pid, SIGKILL);
	close(stdin_fd);
	fb_reap(pid, &status, 0);
	if (strcmp(exe, shell) || strcmp(st.comm, "sh"))
		return fb_fail(m, "after exec, pid %d runs " FB_GOT("'%s' named '%s'") "; expected " FB_EXPECTED("'%s' named 'sh'"),
			       (int)pid, exe, st.comm, shell);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 42)
		return fb_fail(m, "pid %d " FB_GOT("%s") ", not " FB_EXPECTED("exited 42") " (the new program's)", (int)pid,
			       fb_describe_status(status, how, sizeof(how)));
	return FB_CHECK_PASS;
}
