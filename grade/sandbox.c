/* sandbox.c - run untrusted steps under limits and reap all they started
 * (see sandbox.h): probe what the kernel allows, start the step's child
 * (sandbox_child.c), enforce the wall clock, then kill and reap. */
#define _GNU_SOURCE
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "files.h"
#include "proc.h"

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* A helper that takes the step's uid and kills every process of it until
 * none is left (fb_sandbox_sweep_uid): this catches what escaped the
 * process group, also where no cgroup can be made. It is why the uid must
 * serve grading only (fb_sandbox_init checks it is idle). Zombies count:
 * we reap them as subreaper meanwhile. */
static pid_t start_uid_sweep(const struct fb_sandbox *sb)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	_exit(fb_sandbox_sweep_uid(sb, 0) ? 1 : 0);
}

/* Kill the step's process group, cgroup and uid, and reap what comes back
 * to us as subreaper until we have no child left. The main process is
 * already reaped: whatever else we reap is a leftover, and its minor
 * faults are its children's too (res->children_minflt). */
static void kill_and_reap(const struct fb_sandbox *sb, const char *cg, pid_t pgid, struct fb_step_result *res)
{
	pid_t sweeper = sb->drop_ids ? start_uid_sweep(sb) : -1, pid;
	struct rusage ru;
	int status;

	for (int round = 0; round < 2500; round++) {   /* ~5 s at most */
		kill(-pgid, SIGKILL);
		int listed = cg[0] ? fb_cg_kill_round(sb, cg) : 0;
		while ((pid = wait4(-1, &status, WNOHANG, &ru)) > 0)
			if (pid == sweeper) {
				sweeper = -1;
			} else {
				res->leftovers++;
				res->children_minflt += res->children_minflt >= 0 ? ru.ru_minflt : 0;
			}
		if (pid < 0 && listed == 0)
			break;   /* ECHILD: nothing of the step is left anywhere */
		if (pid == 0 && listed == 0 && sweeper < 0 && !sb->drop_ids && round > 50)
			break;   /* unprivileged, no cgroup: what is still out there is not ours to find */
		sleep_ms(2);
	}
}

static void stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

void fb_sandbox_block_signals(void)
{
	sigset_t set;

	stop_signals(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

int fb_sandbox_interrupted(void)
{
	sigset_t stop, pending;

	stop_signals(&stop);
	sigpending(&pending);
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&stop, sig) == 1 && sigismember(&pending, sig) == 1)
			return 1;
	return 0;
}

/* The last pid handed out in our pid namespace (ns_last_pid): its growth
 * over a step counts the processes and threads created meanwhile, the
 * step's and anyone else's in the namespace (in a container, only the
 * container's; /proc/stat's count would be the whole host's). -1 when
 * unreadable. */
static long last_pid(void)
{
	char line[32];

	return fb_read_line("/proc/sys/kernel/ns_last_pid", line, sizeof(line)) ? -1 : atol(line);
}

/* The minor faults of the children a process reaped (cminflt, the 11th
 * field of /proc/PID/stat), read while it is a zombie: what wait4 gives
 * adds its own faults, and a program that writes its memory itself must
 * not pass for one whose children took COW faults. -1 when unreadable. */
static long zombie_children_minflt(pid_t pid)
{
	char path[64];
	unsigned long cminflt;
	long value = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	/* the whole file: a name set with PR_SET_NAME may hold a newline or ')' */
	char *stat = fb_slurp(path, 4096), *end = stat ? strrchr(stat, ')') : NULL;
	/* after "(comm)": state ppid pgrp session tty_nr tpgid flags minflt cminflt */
	if (end && sscanf(end + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %lu", &cminflt) == 1)
		value = (long)cminflt;
	free(stat);
	return value;
}

/* Wait for the main process, killing its group at the wall-clock limit.
 * The limit counts the time the step could have run: while some task of
 * the machine waits for a CPU (PSI), the clock is stopped, up to
 * FB_WALL_REAL_MAX times the limit in real time. On a busy grading machine
 * a correct program's 5 s became more than 5 s of real time beside the
 * other work and lost its measurement points; a program that computes
 * forever still meets RLIMIT_CPU, one that waits forever this limit.
 * Polled: no SIGCHLD handler state to get wrong, 1 ms of latency at most.
 * It is left a zombie (WNOWAIT) until its children's faults are read. */
static void wait_main(const struct fb_sandbox *sb, pid_t pid, const char *cg,
		      const struct fb_limits *lim, struct fb_step_result *res)
{
	double start = fb_now_s(), stall0 = fb_cpu_waited_s(), stalled = 0;
	struct rusage ru;
	siginfo_t si = { 0 };

	for (int poll = 0; waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid != pid; poll++) {
		int interrupted = fb_sandbox_interrupted();
		double real = fb_now_s() - start;
		if (!isnan(stall0) && poll % 16 == 0)
			stalled = fmin(fb_cpu_waited_s() - stall0, real);
		int over = real - stalled > lim->wall_s || real > FB_WALL_REAL_MAX * lim->wall_s;
		if ((over || interrupted) && !res->timed_out && !res->interrupted) {
			res->timed_out = !interrupted;
			res->interrupted = interrupted;
			kill(-pid, SIGKILL);
			if (cg[0])
				fb_cg_kill_round(sb, cg);
		}
		sleep_ms(1);
	}
	res->wall_s = fb_now_s() - start;
	res->stalled_s = stalled;
	res->children_minflt = zombie_children_minflt(pid);
	if (wait4(pid, &res->status, 0, &ru) == pid)
		res->cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
			     (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int open_output(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
}

/* The step's folder as the steps may use it, set again before each one: a
 * program that took its own folder's permissions away (chmod . 000 leaves
 * even its owner unable to put them back) would otherwise lock every later
 * step out, and the grading would end as the grader's failure. Its owner
 * (the sandbox uid, set at the copy) is not the step's to change. */
static void open_workdir(const char *workdir)
{
	if (workdir)
		chmod(workdir, 0755);
}

int fb_sandbox_run(struct fb_sandbox *sb, const struct fb_limits *lim, const char *workdir,
		   const char *const argv[], const char *stdout_path, const char *stderr_path,
		   struct fb_step_result *res)
{
	char cg[PATH_MAX] = "";
	struct fb_setup_failure failure = { -1, 0 };
	int report[2], err = 0;

	memset(res, 0, sizeof(*res));
	sb->serial++;
	open_workdir(workdir);
	if (sb->cg_parent[0] && (err = fb_cg_create(sb, lim, cg, sizeof(cg))))
		return err;
	int out_fd = open_output(stdout_path);
	int err_fd = stderr_path ? open_output(stderr_path) : fcntl(out_fd, F_DUPFD_CLOEXEC, 3);
	struct fb_step s = { sb, lim, workdir, argv, out_fd, err_fd, -1, cg, getpid() };
	if (s.out_fd < 0 || s.err_fd < 0 || pipe2(report, O_CLOEXEC)) {
		err = -errno;
		goto close_files;
	}
	s.report_fd = report[1];
	fflush(NULL);
	long pid_before = last_pid();
	pid_t pid = fork();
	if (pid == 0)
		fb_step_child(&s);
	close(report[1]);
	if (pid < 0) {
		err = -errno;
		close(report[0]);
		goto close_files;
	}
	setpgid(pid, pid);   /* also here: a kill(-pid) must never miss */
	fb_sandbox_watch_step(sb, pid, cg);
	ssize_t got = read(report[0], &failure, sizeof(failure));   /* EOF at exec */
	close(report[0]);
	wait_main(sb, pid, cg, lim, res);
	long pid_after = last_pid();
	/* less the step's own process, which we forked; unknown when the pids wrapped */
	res->pids_allocated = pid_before < 0 || pid_after <= pid_before ? -1 : pid_after - pid_before - 1;
	res->pids_peak = cg[0] ? fb_cg_peak(cg) : -1;
	kill_and_reap(sb, cg, pid, res);
	fb_sandbox_watch_step(sb, 0, NULL);
	if (got == (ssize_t)sizeof(failure) && failure.stage == FB_STAGE_EXEC)
		res->exec_err = failure.err;
	else if (got == (ssize_t)sizeof(failure))
		err = failure.err ? -failure.err : -EIO;
close_files:
	if (cg[0])
		fb_cg_remove(cg);
	if (s.out_fd >= 0)
		close(s.out_fd);
	if (s.err_fd >= 0)
		close(s.err_fd);
	if (err && failure.stage >= 0)
		fb_error("sandbox setup failed at %s: %s", fb_step_stage_name(failure.stage), strerror(-err));
	return err;
}

void fb_sandbox_scratch_mount(struct fb_sandbox *sb, const char *scratch, long mib)
{
	char options[96];

	snprintf(options, sizeof(options), "size=%ldm,nr_inodes=65536,mode=0711", mib);
	sb->scratch_tmpfs_mib = geteuid() == 0 && unshare(CLONE_NEWNS) == 0 &&
				mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
				mount("tmpfs", scratch, "tmpfs", MS_NOSUID | MS_NODEV, options) == 0 ? mib : 0;
}

void fb_sandbox_scratch_unmount(struct fb_sandbox *sb, const char *scratch)
{
	if (sb->scratch_tmpfs_mib)
		umount2(scratch, MNT_DETACH);   /* its files go with it */
}

/* What a probe tries. */
enum probe_what { PROBE_NETNS, PROBE_PRIVATE_TMP, PROBE_MINIMAL_ROOT };

/* Run one setup in a throw-away child: does the kernel let us do it here?
 * 0, or the errno that stopped it (EPERM in most containers). */
static int probe(const struct fb_sandbox *sb, enum probe_what what)
{
	pid_t pid = fork();
	int status, err;

	if (pid == 0) {
		if (what == PROBE_NETNS)
			_exit(unshare(CLONE_NEWNET) ? errno : 0);
		err = fb_sandbox_private_tmp(sb->scratch);
		if (!err && what == PROBE_MINIMAL_ROOT)
			err = fb_sandbox_minimal_root(sb->scratch);
		_exit(-err);
	}
	if (pid < 0)
		return errno;
	if (waitpid(pid, &status, 0) != pid)
		return ECHILD;
	return WIFEXITED(status) ? WEXITSTATUS(status) : EIO;
}

/* Which root the steps get, and why, for the description and results.json:
 * the host's is said to be visible with the setup that was refused. */
static void probe_root(struct fb_sandbox *sb)
{
	int tmp_err = probe(sb, PROBE_PRIVATE_TMP);
	int root_err = tmp_err ? tmp_err : probe(sb, PROBE_MINIMAL_ROOT);

	sb->private_tmp = tmp_err == 0;
	sb->minimal_root = root_err == 0;
	if (sb->minimal_root)
		snprintf(sb->root_note, sizeof(sb->root_note), "minimal read-only (pivot_root): toolchain, "
			 "a few /etc files, own /proc, /tmp and scratch folder; no other host files");
	else
		snprintf(sb->root_note, sizeof(sb->root_note), "host file system visible (%s refused: %s)",
			 tmp_err ? "own mount namespace" : "pivot_root into a minimal root", strerror(root_err));
}

int fb_sandbox_init(struct fb_sandbox *sb, uid_t uid, gid_t gid, const char *scratch,
		    char *err, size_t err_len)
{
	long tmpfs_mib = sb->scratch_tmpfs_mib;

	memset(sb, 0, sizeof(*sb));
	sb->scratch_tmpfs_mib = tmpfs_mib;
	snprintf(sb->scratch, sizeof(sb->scratch), "%s", scratch);
	sb->uid = uid;
	sb->gid = gid;
	sb->drop_ids = geteuid() == 0;
	if (sb->drop_ids && fb_sandbox_count_uid_alive(uid, 0) > 0) {
		snprintf(err, err_len, "uid %d already runs processes: grading kills every process "
			 "of its uid, so give it one of its own with --uid", (int)uid);
		return -EBUSY;
	}
	sb->netns = probe(sb, PROBE_NETNS) == 0;
	probe_root(sb);
	fb_cg_probe(sb);
	int werr = fb_sandbox_watch_start(sb);
	if (werr)
		return snprintf(err, err_len, "cannot start the watcher of the steps: %s", strerror(-werr)), werr;
	/* Orphans of a step come to us, so we can reap and count them. */
	sb->subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
	return 0;
}

void fb_sandbox_describe(const struct fb_sandbox *sb, const struct fb_limits *lim,
			 char *buf, size_t len)
{
	char ids[64] = "same uid as the grader (not root: no id change)";
	char cg[PATH_MAX + 64] = "no cgroup (none writable)";
	char scratch[64] = "scratch on the host's file system";

	if (sb->drop_ids)
		snprintf(ids, sizeof(ids), "uid %d gid %d", (int)sb->uid, (int)sb->gid);
	if (sb->cg_parent[0])
		snprintf(cg, sizeof(cg), "pids cgroup %s under %s (pids.max %ld%s)",
			 sb->cg_v2 ? "v2" : "v1", sb->cg_parent, lim->nproc,
			 sb->cg_memory ? ", memory.max" : "");
	if (sb->scratch_tmpfs_mib)
		snprintf(scratch, sizeof(scratch), "scratch on a %ld MiB tmpfs", sb->scratch_tmpfs_mib);
	snprintf(buf, len, "%s; own process group; %s; rlimits cpu %.0f s, as %ld MiB, nproc %ld, "
		 "fsize %ld MiB; wall-clock limit %.0f s (time during which some task waited for a CPU not "
		 "counted, at most %.0f s of real time); %s; %s; root %s; %s; %s",
		 ids, cg, lim->cpu_s, lim->as_mib, lim->nproc, lim->fsize_mib, lim->wall_s,
		 FB_WALL_REAL_MAX * lim->wall_s,
		 sb->netns ? "no network (own network namespace)" : "network NOT isolated",
		 sb->private_tmp ? "private /tmp, /var/tmp, /dev/shm" : "shared /tmp",
		 sb->root_note, scratch,
		 sb->subreaper ? "grader is child subreaper" : "no subreaper");
}

void fb_step_describe(const struct fb_step_result *res, const struct fb_limits *lim,
		      char *buf, size_t len)
{
	if (res->exec_err)
		snprintf(buf, len, "could not be started: %s", strerror(res->exec_err));
	else if (res->interrupted)
		snprintf(buf, len, "killed: grading was interrupted");
	else if (res->timed_out && res->stalled_s >= 0.5)
		snprintf(buf, len, "killed: wall-clock limit of %.0f s (after %.1f s, %.1f s of them with tasks waiting "
			 "for a CPU)", lim->wall_s, res->wall_s, res->stalled_s);
	else if (res->timed_out)
		snprintf(buf, len, "killed: wall-clock limit of %.0f s", lim->wall_s);
	else if (WIFSIGNALED(res->status) && WTERMSIG(res->status) == SIGXCPU)
		snprintf(buf, len, "killed: CPU time limit of %.0f s (SIGXCPU)", lim->cpu_s);
	else if (WIFSIGNALED(res->status))
		snprintf(buf, len, "killed by SIG%s", sigabbrev_np(WTERMSIG(res->status)) ?
			 sigabbrev_np(WTERMSIG(res->status)) : "?");
	else
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(res->status));
}
