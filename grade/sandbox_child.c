/* sandbox_child.c - a sandboxed step's child, from fork to exec (see
 * sandbox.h). It sets itself up in an order that needs root until the last
 * moment: process group, cgroup, namespaces, output files, rlimits, then it
 * drops to the unprivileged ids and execs. */
#define _GNU_SOURCE
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const stage_names[] = {
	[FB_STAGE_SETPGID] = "setpgid", [FB_STAGE_CGROUP] = "cgroup",
	[FB_STAGE_NETNS] = "unshare(CLONE_NEWNET)", [FB_STAGE_PRIVATE_TMP] = "private /tmp",
	[FB_STAGE_ROOT] = "minimal root (pivot_root)",
	[FB_STAGE_REDIRECT] = "redirect", [FB_STAGE_RLIMIT] = "rlimit",
	[FB_STAGE_DROP_IDS] = "drop ids", [FB_STAGE_CHDIR] = "chdir", [FB_STAGE_EXEC] = "exec",
};

const char *fb_step_stage_name(int stage)
{
	return stage >= 0 && stage <= FB_STAGE_EXEC ? stage_names[stage] : "?";
}

static int set_limits(const struct fb_limits *lim)
{
	const rlim_t cpu = (rlim_t)(lim->cpu_s + 0.999);
	const struct { int resource; rlim_t soft, hard; } rows[] = {
		{ RLIMIT_CPU, cpu, cpu + 1 },     /* SIGXCPU first, SIGKILL a second later */
		{ RLIMIT_AS, (rlim_t)lim->as_mib << 20, (rlim_t)lim->as_mib << 20 },
		{ RLIMIT_NPROC, (rlim_t)lim->nproc, (rlim_t)lim->nproc },
		{ RLIMIT_FSIZE, (rlim_t)lim->fsize_mib << 20, (rlim_t)lim->fsize_mib << 20 },
		{ RLIMIT_CORE, 0, 0 },            /* no core files in the scratch folder */
		{ RLIMIT_NOFILE, 256, 256 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct rlimit rl = { rows[i].soft, rows[i].hard };
		if (setrlimit(rows[i].resource, &rl))
			return -errno;
	}
	return 0;
}

int fb_sandbox_drop_ids(const struct fb_sandbox *sb)
{
	if (!sb->drop_ids)
		return 0;
	if (setgroups(0, NULL) || setresgid(sb->gid, sb->gid, sb->gid) ||
	    setresuid(sb->uid, sb->uid, sb->uid))
		return -errno;
	return 0;
}

static int redirect(const struct fb_step *s)
{
	int null = open("/dev/null", O_RDONLY);

	if (null < 0 || dup2(null, 0) < 0 || dup2(s->out_fd, 1) < 0 || dup2(s->err_fd, 2) < 0)
		return -errno;
	close(null);
	return 0;
}

static __attribute__((noreturn)) void fail_stage(const struct fb_step *s, enum fb_stage stage, int err)
{
	struct fb_setup_failure f = { stage, err < 0 ? -err : err };
	ssize_t put = write(s->report_fd, &f, sizeof(f));
	(void)put;
	_exit(127);
}

/* The child: each stage in turn; only exec's success ends without a report. */
void fb_step_child(const struct fb_step *s)
{
	char home[PATH_MAX + 8];
	int err;

	snprintf(home, sizeof(home), "HOME=%s", s->workdir);
	const char *env[] = { "PATH=/usr/local/bin:/usr/bin:/bin", home, "LANG=C.UTF-8", "TMPDIR=/tmp", NULL };
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);   /* the grader's blocked signals are not the step's */
	if (setpgid(0, 0))
		fail_stage(s, FB_STAGE_SETPGID, errno);
	if (s->cg[0] && (err = fb_cg_enter(s->cg)))
		fail_stage(s, FB_STAGE_CGROUP, err);
	if (s->sb->netns && unshare(CLONE_NEWNET))
		fail_stage(s, FB_STAGE_NETNS, errno);
	if (s->sb->private_tmp && (err = fb_sandbox_private_tmp(s->sb->scratch)))
		fail_stage(s, FB_STAGE_PRIVATE_TMP, err);
	if (s->sb->minimal_root && (err = fb_sandbox_minimal_root(s->sb->scratch)))
		fail_stage(s, FB_STAGE_ROOT, err);
	if ((err = redirect(s)))
		fail_stage(s, FB_STAGE_REDIRECT, err);
	if ((err = set_limits(s->lim)))
		fail_stage(s, FB_STAGE_RLIMIT, err);
	if ((err = fb_sandbox_drop_ids(s->sb)))
		fail_stage(s, FB_STAGE_DROP_IDS, err);
	if (chdir(s->workdir))
		fail_stage(s, FB_STAGE_CHDIR, errno);
	/* After the id change, which clears it: die with the grader. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != s->grader)
		_exit(127);
	execvpe(s->argv[0], (char *const *)s->argv, (char *const *)env);
	fail_stage(s, FB_STAGE_EXEC, errno);
}
