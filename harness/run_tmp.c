/* run_tmp.c - temporary run folders and their owners (see run_tmp.h). */
#define _GNU_SOURCE
#include "run_tmp.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "files.h"

#define OWNER_FILE "owner"
/* A folder without an owner file (made by an older forkbench) counts as
 * stale once nothing has written to it for this long. */
#define UNOWNED_STALE_S (10 * 60)

/* Field 22 of /proc/PID/stat: when the process started, in clock ticks.
 * With the pid it names one process, whatever pid reuse does. 0 if gone. */
static unsigned long long start_time(long pid)
{
	char path[64], buf[1024];
	unsigned long long t = 0;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');   /* the command may hold spaces and ')' */
	for (int field = 2; p && *p && field < 22; field += *p++ == ' ')
		;
	if (p && *p)
		sscanf(p, "%llu", &t);
	return t;
}

int fb_run_tmp_create(const char *results_dir, char *tmp, size_t len)
{
	char owner[PATH_MAX + 16], text[64];

	snprintf(tmp, len, "%s/.incomplete-XXXXXX", results_dir);
	if (!mkdtemp(tmp))
		return -errno;
	snprintf(owner, sizeof(owner), "%s/" OWNER_FILE, tmp);
	int n = snprintf(text, sizeof(text), "%ld %llu\n", (long)getpid(), start_time(getpid()));
	return fb_write_file_atomic(owner, text, (size_t)n);
}

/* 1 when the run that made dir is gone. */
static int owner_gone(const char *dir)
{
	char owner[PATH_MAX + 16];
	long pid = 0;
	unsigned long long started = 0;
	struct stat st;

	snprintf(owner, sizeof(owner), "%s/" OWNER_FILE, dir);
	FILE *f = fopen(owner, "r");
	int got = f ? fscanf(f, "%ld %llu", &pid, &started) : 0;
	if (f)
		fclose(f);
	if (got == 2)
		return pid <= 0 || (kill((pid_t)pid, 0) && errno == ESRCH) || start_time(pid) != started;
	return stat(dir, &st) == 0 && time(NULL) - st.st_mtime > UNOWNED_STALE_S;
}

int fb_run_tmp_remove_stale(const char *results_dir)
{
	DIR *d = opendir(results_dir);
	struct dirent *e;
	char dir[PATH_MAX];
	int removed = 0;

	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, ".incomplete-", 12))
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", results_dir, e->d_name);
		if (!owner_gone(dir))
			continue;
		fb_run_tmp_remove(dir);
		fb_error("run: removed %s, left by a run that did not finish", dir);
		removed++;
	}
	if (d)
		closedir(d);
	return removed;
}

void fb_run_tmp_remove(const char *dir)
{
	fb_remove_tree(dir);
}

void fb_run_tmp_disown(const char *tmp)
{
	char owner[PATH_MAX + 16];

	snprintf(owner, sizeof(owner), "%s/" OWNER_FILE, tmp);
	unlink(owner);
}
