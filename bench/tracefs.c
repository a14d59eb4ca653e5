/* tracefs.c - our own ftrace instance (see tracefs.h). */
#define _GNU_SOURCE
#include "tracefs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdio.h"

#define TRACEFS_ROOT "/sys/kernel/tracing"
#define INSTANCE_PREFIX "forkbench-"
/* Per CPU. A COW case's child takes one event per page it writes (4096
 * for 16 MiB of 4 KiB pages, about 40 bytes each in the buffer). */
#define BUFFER_KIB "4096"

static int put(const char *dir, const char *file, const char *text)
{
	char path[320];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int err = fb_write_full(fd, text, strlen(text));
	close(fd);
	return err;
}

/* Set when we mounted tracefs: unmounted again when the instance goes. */
static volatile int mounted_here;

/* tracefs where systemd mounts it; where nothing did (a minimal VM or a
 * container), mounted by us if we may, as perf does. */
static int tracefs_ready(char *why, size_t len)
{
	struct stat st;

	if (stat(TRACEFS_ROOT "/instances", &st) == 0)
		return access(TRACEFS_ROOT "/instances", W_OK) == 0 ? 0 :
		       (snprintf(why, len, "tracefs is writable by root only (running as uid %d)", (int)geteuid()),
			-EACCES);
	if (geteuid() != 0)
		return snprintf(why, len, "tracefs is not mounted, and only root may mount it (running as uid %d)",
				(int)geteuid()), -EACCES;
	if (mount("nodev", TRACEFS_ROOT, "tracefs", 0, NULL) && errno != EBUSY)
		return snprintf(why, len, "cannot mount tracefs on " TRACEFS_ROOT ": %s (a container?)",
				strerror(errno)), -errno;
	mounted_here = 1;
	return 0;
}

void fb_tracefs_remove_stale(void)
{
	DIR *d = opendir(TRACEFS_ROOT "/instances");
	struct dirent *e;
	char path[320];

	while (d && (e = readdir(d))) {
		long pid = strncmp(e->d_name, INSTANCE_PREFIX, strlen(INSTANCE_PREFIX)) ? 0 :
			   strtol(e->d_name + strlen(INSTANCE_PREFIX), NULL, 10);
		if (pid > 0 && kill((pid_t)pid, 0) && errno == ESRCH) {
			snprintf(path, sizeof(path), TRACEFS_ROOT "/instances/%s", e->d_name);
			rmdir(path);
		}
	}
	if (d)
		closedir(d);
}

static int enable_events(struct fb_tracefs *t, const char *const *events, char *why, size_t len)
{
	char file[160];
	int err;

	t->optional_missing = 0;
	for (size_t i = 0; events[i]; i++) {
		int optional = events[i][0] == '?';
		const char *name = events[i] + optional;
		snprintf(file, sizeof(file), "events/%s/enable", name);
		if ((err = put(t->dir, file, "1")) == -ENOENT && optional)
			t->optional_missing++;
		else if (err)
			return snprintf(why, len, "cannot enable the tracepoint %s: %s", name,
					err == -ENOENT ? "this kernel has none" : strerror(-err)), err;
	}
	return 0;
}

/* "local" (the CPU's sched_clock) cost 0.18 us an event here against
 * mono's 0.20 (a vfork round trip traced 1.09x against 1.10x), but CPUs'
 * local clocks need not agree: only where we, and so every task we fork
 * (the worker and its children inherit the mask), may run on one CPU
 * alone, which is forkbench run's placement by default. "mono" is
 * CLOCK_MONOTONIC, the same on every CPU. */
const char *fb_tracefs_clock(void)
{
	cpu_set_t mine;
	return sched_getaffinity(0, sizeof(mine), &mine) == 0 && CPU_COUNT(&mine) == 1 ? "local" : "mono";
}

int fb_tracefs_open(struct fb_tracefs *t, const char *const *events, char *why, size_t len)
{
	int err;

	t->dir[0] = '\0';
	if ((err = tracefs_ready(why, len)))
		return err;
	fb_tracefs_remove_stale();
	snprintf(t->dir, sizeof(t->dir), TRACEFS_ROOT "/instances/" INSTANCE_PREFIX "%ld", (long)getpid());
	if (mkdir(t->dir, 0700) && errno != EEXIST) {
		err = -errno;
		snprintf(why, len, "cannot create an ftrace instance: %s", strerror(errno));
		t->dir[0] = '\0';
		return err;
	}
	/* Off before any event is on: a new instance records, and an empty
	 * set_event_pid means every process. */
	if ((err = put(t->dir, "tracing_on", "0")) || (err = put(t->dir, "trace_clock", fb_tracefs_clock())) ||
	    (err = put(t->dir, "buffer_size_kb", BUFFER_KIB)) || (err = put(t->dir, "options/event-fork", "1")) ||
	    (err = put(t->dir, "options/overwrite", "0"))) {
		snprintf(why, len, "cannot set up the ftrace instance %s: %s", t->dir, strerror(-err));
		fb_tracefs_close(t);
		return err;
	}
	if ((err = enable_events(t, events, why, len)))
		fb_tracefs_close(t);
	return err;
}

int fb_tracefs_follow(struct fb_tracefs *t, pid_t pid, int empty)
{
	char text[24];
	snprintf(text, sizeof(text), "%ld", (long)pid);
	int err = put(t->dir, "set_event_pid", text);
	return err || !empty ? err : put(t->dir, "trace", "");   /* opened with O_TRUNC: emptied */
}

int fb_tracefs_on(struct fb_tracefs *t, int on)
{
	return put(t->dir, "tracing_on", on ? "1" : "0");
}

int fb_tracefs_save(struct fb_tracefs *t, const char *path)
{
	char from[320], buf[65536];
	ssize_t got;
	int err = 0;

	snprintf(from, sizeof(from), "%s/trace", t->dir);
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (in < 0 || out < 0)
		err = -errno;
	while (!err && (got = read(in, buf, sizeof(buf))) != 0)
		err = got < 0 ? (errno == EINTR ? 0 : -errno) : fb_write_full(out, buf, (size_t)got);
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) && !err)
		err = -errno;
	return err;
}

/* Only syscalls: called from a signal handler too. rmdir of an instance
 * turns its events off. */
void fb_tracefs_close(struct fb_tracefs *t)
{
	if (!t->dir[0])
		return;
	char path[320];
	size_t n = strlen(t->dir);
	memcpy(path, t->dir, n);
	memcpy(path + n, "/tracing_on", 12);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "0", 1) < 0) { /* removed below all the same */ }
		close(fd);
	}
	rmdir(t->dir);
	t->dir[0] = '\0';
	if (mounted_here && umount2(TRACEFS_ROOT, MNT_DETACH) == 0)
		mounted_here = 0;
}
