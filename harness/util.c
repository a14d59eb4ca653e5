/* util.c - small helpers of the forkbench driver (see util.h). */
#define _GNU_SOURCE
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int fb_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int fb_command_line(const char *const argv[], char *buf, size_t len)
{
	int out[2], status = -1;
	pid_t pid;
	posix_spawn_file_actions_t fa;

	buf[0] = '\0';
	if (pipe2(out, O_CLOEXEC))
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	/* posix_spawnp does not write argv; its prototype predates const. */
	int err = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	if (!err) {
		FILE *f = fdopen(out[0], "r");
		if (f && fgets(buf, (int)len, f))
			buf[strcspn(buf, "\n")] = '\0';
		while (f && fgetc(f) != EOF)
			; /* drain, so the child never blocks on a full pipe */
		f ? fclose(f) : close(out[0]);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	} else {
		close(out[0]);
	}
	return !err && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int fb_write_json_atomic(const char *path, json_t *json)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	if (json_dump_file(json, tmp, JSON_INDENT(2) | JSON_SORT_KEYS) != 0) {
		int err = errno ? -errno : -EIO;
		unlink(tmp);
		return err;
	}
	if (rename(tmp, path)) {
		int err = -errno;
		unlink(tmp);
		return err;
	}
	return 0;
}

void fb_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("forkbench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void fb_self_dir(char *buf, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	self[n > 0 ? n : 0] = '\0';
	snprintf(buf, len, "%s", dirname(self));
}
