/* sandbox_cg.c - one pids cgroup per sandboxed step (see sandbox.h): it
 * bounds the number of tasks whatever uid or process group they are in, and
 * lists every task the step started, so all of them can be killed even when
 * they left the process group (setsid) or double-forked. */
#define _GNU_SOURCE
#include "sandbox.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int write_text(const char *dir, const char *file, const char *text)
{
	char path[PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (!(f = fopen(path, "w")))
		return -errno;
	int err = fputs(text, f) < 0 ? -EIO : 0;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

static int has_file(const char *dir, const char *file)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

/* A parent works when we can make a child there that has pids.max. v2 first
 * (a unified hierarchy with the pids controller enabled for children), then
 * a v1 pids hierarchy, as on hybrid systems. */
int fb_cg_probe(struct fb_sandbox *sb)
{
	static const struct { const char *dir; int v2; } parents[] = {
		{ "/sys/fs/cgroup", 1 },          /* pure v2 */
		{ "/sys/fs/cgroup/unified", 1 },  /* hybrid: v2 part */
		{ "/sys/fs/cgroup/pids", 0 },     /* hybrid or v1: pids controller */
	};
	char probe[PATH_MAX];

	for (size_t i = 0; i < sizeof(parents) / sizeof(parents[0]); i++) {
		const char *dir = parents[i].dir;
		if (parents[i].v2 && has_file(dir, "cgroup.subtree_control"))
			write_text(dir, "cgroup.subtree_control", "+pids +memory");  /* may be enabled already */
		snprintf(probe, sizeof(probe), "%s/forkbench-probe-%d", dir, (int)getpid());
		if (mkdir(probe, 0755))
			continue;
		int ok = has_file(probe, "pids.max");
		int memory = parents[i].v2 && has_file(probe, "memory.max");
		rmdir(probe);
		if (ok) {
			snprintf(sb->cg_parent, sizeof(sb->cg_parent), "%s", dir);
			sb->cg_v2 = parents[i].v2;
			sb->cg_memory = memory;
			return 0;
		}
	}
	sb->cg_parent[0] = '\0';
	return -ENOENT;
}

int fb_cg_create(const struct fb_sandbox *sb, const struct fb_limits *lim, char *path, size_t len)
{
	char text[32];
	int err;

	snprintf(path, len, "%s/forkbench-grade-%d-%u", sb->cg_parent, (int)getpid(), sb->serial);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	snprintf(text, sizeof(text), "%ld", lim->nproc);
	err = write_text(path, "pids.max", text);
	if (!err && sb->cg_memory) {
		snprintf(text, sizeof(text), "%ld", lim->as_mib << 20);
		err = write_text(path, "memory.max", text);
	}
	if (err)
		rmdir(path);
	return err;
}

int fb_cg_enter(const char *path)
{
	return write_text(path, "cgroup.procs", "0");
}

/* SIGKILL every pid listed; how many were listed. */
static int kill_listed(const char *path)
{
	char file[PATH_MAX + 32];
	int pid, listed = 0;

	snprintf(file, sizeof(file), "%s/cgroup.procs", path);
	FILE *f = fopen(file, "r");
	while (f && fscanf(f, "%d", &pid) == 1) {
		kill(pid, SIGKILL);
		listed++;
	}
	if (f)
		fclose(f);
	return listed;
}

static long read_long(const char *dir, const char *file)
{
	char path[PATH_MAX + 32];
	long value = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	FILE *f = fopen(path, "r");
	if (f && fscanf(f, "%ld", &value) != 1)
		value = -1;
	if (f)
		fclose(f);
	return value;
}

/* One round: v2 has cgroup.kill (5.14+), atomic against forks; v1 (and
 * v2 as well) is killed by listing. A task forked between the read and the
 * kill is caught by the next round, and killed tasks cannot fork, so
 * repeated rounds end. How many tasks were still listed. */
int fb_cg_kill_round(const struct fb_sandbox *sb, const char *path)
{
	if (sb->cg_v2 && has_file(path, "cgroup.kill"))
		write_text(path, "cgroup.kill", "1");
	return kill_listed(path);
}

long fb_cg_peak(const char *path)
{
	return read_long(path, "pids.peak");
}

void fb_cg_remove(const char *path)
{
	struct timespec tick = { 0, 2 * 1000 * 1000 };

	/* Exiting tasks may hold the cgroup for a moment after they are reaped. */
	for (int i = 0; i < 500 && rmdir(path) && errno == EBUSY; i++)
		nanosleep(&tick, NULL);
}
