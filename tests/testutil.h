/* testutil.h - helpers shared by forkbench's tests: process-table checks and
 * the build folder. */
#ifndef FB_TESTUTIL_H
#define FB_TESTUTIL_H

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "family.h"

/* What a renderer wrote into a memory file: capture() gives the FILE to
 * write into, captured() closes it and returns the text (free c->text). */
struct captured {
	char *text;
	size_t len;
	FILE *f;
};

static inline FILE *capture(struct captured *c)
{
	c->text = NULL;
	return c->f = open_memstream(&c->text, &c->len);
}

static inline const char *captured(struct captured *c)
{
	fclose(c->f);
	return c->text ? c->text : "";
}

/* State letter and parent of /proc/PID/stat; fields after the command are
 * parsed from the last ')' since the command may itself hold ') '. */
static inline int proc_state(int pid, char *state, int *ppid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *close = strrchr(buf, ')');
	return close && sscanf(close + 1, " %c %d", state, ppid) == 2 ? 0 : -1;
}

/* Entries of a /proc folder but . and ..: /proc/self/task (this process's
 * tasks), /proc/self/fd (its open files, the one reading them included). */
static inline long count_dir_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	long n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static inline long task_count(void)
{
	return count_dir_entries("/proc/self/task");
}

/* A family's case by name (and its index, when index is not NULL). */
static inline const struct fb_case *family_case(const struct fb_family *family, const char *name, unsigned *index)
{
	for (unsigned i = 0; i < family->ncases; i++)
		if (strcmp(family->cases[i].name, name) == 0) {
			if (index)
				*index = i;
			return &family->cases[i];
		}
	return NULL;
}

/* Call a case's op directly, as the worker does, at axis_value on its own
 * axis (0: none), the samples cleared first. */
static inline int run_op(const struct fb_case *kase, struct fb_env *env, long axis_value, struct fb_sample *out,
			 size_t n)
{
	memset(out, 0, n * sizeof(*out));
	env->param = kase->param;
	env->data = kase->data;
	env->axis_value = axis_value;
	env->reason[0] = '\0';
	return kase->run(env, out, n);
}

/* How many children of parent are zombies (state Z) right now. */
static inline int count_zombie_children(int parent)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int zombies = 0, ppid;
	char state;

	while (d && (e = readdir(d))) {
		int pid = atoi(e->d_name);
		if (pid > 0 && proc_state(pid, &state, &ppid) == 0 && ppid == parent && state == 'Z')
			zombies++;
	}
	if (d)
		closedir(d);
	return zombies;
}

/* The build folder: tests live in BUILD/tests/. */
static inline void build_dir(char *buf, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
	snprintf(buf, len, "%s", dirname(dirname(self)));
}

/* Run argv (PATH searched) with stdout to out_path and stderr to err_path
 * (NULL: /dev/null); the exit status, 128+signal, or -1. Always reaped. */
extern char **environ;

static inline int run_command(const char *const argv[], const char *out_path, const char *err_path)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status = -1;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, err_path ? err_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int err = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err)
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* build/forkbench with args (NULL-terminated, at most 22), output as in
 * run_command. */
static inline int run_forkbench_in(const char *build, const char *const *args, const char *out_path,
				   const char *err_path)
{
	char bin[PATH_MAX + 16];
	const char *argv[24] = { bin };
	int n = 1;

	snprintf(bin, sizeof(bin), "%s/forkbench", build);
	while (args[n - 1] && n < 23) {
		argv[n] = args[n - 1];
		n++;
	}
	argv[n] = NULL;
	return run_command(argv, out_path, err_path);
}

static inline int count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	int lines = 0, c;
	while (f && (c = getc(f)) != EOF)
		lines += c == '\n';
	if (f)
		fclose(f);
	return lines;
}

#endif
