/* proc.c - see proc.h. */
#define _GNU_SOURCE
#include "proc.h"
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* In the child, before exec: die with the parent, set up the descriptors,
 * exec; on failure write errno into report and leave. */
static void spawn_child(const char *const argv[], const struct fb_fd_action *actions, size_t n,
			int own_group, pid_t parent, int report)
{
	int err = 0;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(127);   /* the parent is already gone: nobody waits for us */
	for (size_t i = 0; i < n && !err; i++) {
		int fd = actions[i].path ? open(actions[i].path, actions[i].flags, 0644) : actions[i].from;
		if (fd < 0 || (fd != actions[i].fd && dup2(fd, actions[i].fd) < 0))
			err = errno;
		else if (actions[i].path && fd != actions[i].fd)
			close(fd);
	}
	if (!err && own_group && setpgid(0, 0))
		err = errno;
	if (!err) {
		execvp(argv[0], (char *const *)argv);
		err = errno;
	}
	if (write(report, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

/* The group of the own_group child started last and not yet waited for. */
static volatile pid_t running_group;

void fb_spawn_signal_running(int sig)
{
	if (running_group > 0)
		kill(-running_group, sig);
}

long fb_spawn(const char *const argv[], const struct fb_fd_action *actions, size_t nactions, int own_group)
{
	int report[2], err = 0;
	pid_t parent = getpid(), pid;

	if (pipe2(report, O_CLOEXEC))
		return -errno;
	fflush(NULL);   /* nothing buffered may be written twice */
	if ((pid = fork()) < 0) {
		err = errno;
		close(report[0]);
		close(report[1]);
		return -err;
	}
	if (pid == 0)
		spawn_child(argv, actions, nactions, own_group, parent, report[1]);
	close(report[1]);
	if (read(report[0], &err, sizeof(err)) != sizeof(err))
		err = 0;   /* the pipe closed on exec: it ran */
	close(report[0]);
	if (own_group) {
		setpgid(pid, pid);   /* both sides, so a signal to the group cannot miss it */
		running_group = pid;
	}
	if (err) {
		fb_wait(pid);
		return -err;
	}
	return pid;
}

void fb_spawn_done(long pid)
{
	if (running_group == pid)
		running_group = 0;
}

int fb_wait(long pid)
{
	int status = -1;
	while (waitpid((pid_t)pid, &status, 0) < 0 && errno == EINTR)
		;
	fb_spawn_done(pid);
	return status;
}

int fb_command_line(const char *const argv[], char *buf, size_t len)
{
	int out[2], status = -1;

	buf[0] = '\0';
	if (pipe2(out, O_CLOEXEC))
		return -1;
	const struct fb_fd_action actions[] = { { 1, NULL, 0, out[1] }, { 2, "/dev/null", O_WRONLY, -1 } };
	long pid = fb_spawn(argv, actions, 2, 0);
	int err = pid < 0;
	close(out[1]);
	if (!err) {
		FILE *f = fdopen(out[0], "r");
		if (f && fgets(buf, (int)len, f))
			buf[strcspn(buf, "\n")] = '\0';
		while (f && fgetc(f) != EOF)
			; /* drain, so the child never blocks on a full pipe */
		f ? fclose(f) : close(out[0]);
		status = fb_wait(pid);
	} else {
		close(out[0]);
	}
	return !err && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

double fb_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void fb_self_dir(char *buf, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	self[n > 0 ? n : 0] = '\0';
	snprintf(buf, len, "%s", dirname(self));
}

int fb_cpu_last(const void *set, size_t setsize)
{
	int last = -1;

	for (int c = 0; c < (int)(setsize * 8); c++)
		if (CPU_ISSET_S(c, setsize, (const cpu_set_t *)set))
			last = c;
	return last;
}

double fb_cpu_waited_s(void)
{
	char *text = fb_slurp("/proc/pressure/cpu", 512), *total = text ? strstr(text, "total=") : NULL;
	double us = total ? strtod(total + 6, NULL) : NAN;

	free(text);
	return us / 1e6;
}
