/* sandbox_uid.c - the processes of the steps' own uid: counted from /proc
 * and killed until none is left, by the sandbox after each step and by
 * the watcher when the grader is gone (sandbox_watch.c). */
#define _GNU_SOURCE
#include "sandbox.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* How many processes have real uid uid, pid skip aside; zombies too
 * unless living_only. From /proc/PID/status, which a process cannot hide
 * (unlike the owner of /proc/PID, which follows its dumpable flag). */
static int count_uid(uid_t uid, pid_t skip, int living_only)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char path[300], line[128], state = '?';
	int count = 0;

	while (d && (e = readdir(d))) {
		pid_t pid = (pid_t)atoi(e->d_name);
		unsigned ruid;
		if (pid <= 0 || pid == skip)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
		FILE *f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f)) {
			sscanf(line, "State: %c", &state);
			if (sscanf(line, "Uid: %u", &ruid) == 1) {
				count += ruid == uid && !(living_only && state == 'Z');
				break;
			}
		}
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return count;
}

int fb_sandbox_count_uid(uid_t uid, pid_t skip)
{
	return count_uid(uid, skip, 0);
}

int fb_sandbox_count_uid_alive(uid_t uid, pid_t skip)
{
	return count_uid(uid, skip, 1);
}

/* kill(-1) as the uid reaches every process of it and skips only ourselves
 * and init, but cannot say "none left" (it counts the processes it was
 * denied), so each round looks in /proc. A killed task cannot fork, so the
 * rounds end; ~5 s of them at most. */
int fb_sandbox_sweep_uid(const struct fb_sandbox *sb, int living_only)
{
	struct timespec tick = { 0, 1000000L };

	if (fb_sandbox_drop_ids(sb))
		return -1;
	for (int i = 0; i < 5000; i++) {
		kill(-1, SIGKILL);
		if (count_uid(sb->uid, getpid(), living_only) == 0)
			return 0;
		nanosleep(&tick, NULL);
	}
	return -1;
}
