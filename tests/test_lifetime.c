/* test_lifetime.c - nothing `forkbench run` starts outlives it. SIGKILL,
 * SIGTERM and SIGINT of the harness alone, in each phase (benchmarks,
 * companions, report), leave no process and no zombie, no new or partial
 * run folder, and an earlier run folder unchanged; the folder a SIGKILL
 * leaves is removed by the next run, which says so. The test is a child
 * subreaper, so whatever the harness leaves comes to it and is counted.
 * Every wait is bounded but generous: a slow machine passes, a process that
 * does not leave (or keeps the harness's stderr open) fails its point
 * instead of hanging the test, and is killed. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <time.h>

#include "check.h"
#include "testutil.h"
#include "files.h"
#include "proc.h"

static char build[PATH_MAX], results[] = "/tmp/fb-test-lifetime-XXXXXX";

/* The bounds only catch hangs, never slowness: a killed process tree is
 * gone in milliseconds, a SIGTERMed harness gives its benchmarks 1 s. The
 * benchmarks phase runs with --min-time 60, so a benchmark binary that
 * outlived the harness would still be running at LEFTOVER_BOUND_MS. */
#define PHASE_BOUND_MS 180000     /* the harness reaches the phase to interrupt */
#define HARNESS_EXIT_BOUND_MS 60000
#define LEFTOVER_BOUND_MS 20000
#define PIPE_EOF_BOUND_MS 5000    /* nothing left alive: EOF must be there at once */
#define CHILD_BOUND_MS 60000      /* the harness starts the benchmark binary */

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void nap_ms(long ms)
{
	struct timespec nap = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&nap, NULL);
}

/* Live (not zombie) children of this process, their pids into pids (up to
 * max, NULL for none); zombies are reaped first. */
static int live_children(pid_t *pids, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int live = 0, ppid;
	char state;

	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	while (d && (e = readdir(d))) {
		int pid = atoi(e->d_name);
		if (pid > 0 && proc_state(pid, &state, &ppid) == 0 && ppid == getpid() && state != 'Z') {
			if (pids && live < max)
				pids[live] = pid;
			live++;
		}
	}
	if (d)
		closedir(d);
	return live;
}

/* Poll for up to bound_ms until no child is left; the count left. */
static int settle(int bound_ms)
{
	double deadline = now_ms() + bound_ms;
	int left = live_children(NULL, 0);

	while (left && now_ms() < deadline) {
		nap_ms(20);
		left = live_children(NULL, 0);
	}
	return left;
}

/* SIGKILL every child still alive and reap it, again for what that
 * orphans, so a leak found by one point does not reach the next. */
static void kill_leftovers(void)
{
	pid_t pids[64];

	for (int round = 0; round < 50; round++) {
		int n = live_children(pids, 64);
		if (n == 0)
			return;
		for (int i = 0; i < n && i < 64; i++)
			kill(pids[i], SIGKILL);
		nap_ms(100);
	}
}

/* Poll for up to bound_ms until a child of parent named comm runs: 1 when
 * it does, 0 when it did not come (or parent left first). */
static int await_child(pid_t parent, const char *comm, int bound_ms)
{
	double deadline = now_ms() + bound_ms;

	for (;;) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		int found = 0, ppid;
		char path[64], name[32], state;
		while (d && !found && (e = readdir(d))) {
			int pid = atoi(e->d_name);
			snprintf(path, sizeof(path), "/proc/%d/comm", pid);
			FILE *f = pid > 0 && proc_state(pid, &state, &ppid) == 0 && ppid == parent ? fopen(path, "r") : NULL;
			found = f && fgets(name, sizeof(name), f) && strncmp(name, comm, strlen(comm)) == 0 && state != 'Z';
			if (f)
				fclose(f);
		}
		if (d)
			closedir(d);
		if (found || now_ms() >= deadline || kill(parent, 0))
			return found;
		nap_ms(10);
	}
}

/* Wait up to bound_ms for pid; its wait status, or -1 when it is still
 * running (then it is killed and reaped). */
static int wait_bounded(pid_t pid, int bound_ms)
{
	double deadline = now_ms() + bound_ms;
	int status;

	for (;;) {
		pid_t got = waitpid(pid, &status, WNOHANG);
		if (got == pid)
			return status;
		if (got < 0 && errno != EINTR)
			return -1;
		if (now_ms() >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return -1;
		}
		nap_ms(10);
	}
}

/* Read fd (non-blocking) until deadline: 1 when a line starting with want
 * was read (want NULL: never), 0 at EOF, -1 at the deadline. A process
 * that holds the pipe open makes this -1, not a hang. */
static int read_until(int fd, const char *want, double deadline)
{
	char buf[4096];
	size_t have = 0;

	for (;;) {
		int left_ms = (int)(deadline - now_ms());
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (left_ms <= 0)
			return -1;
		if (poll(&p, 1, left_ms) <= 0)
			continue;   /* EINTR, or the deadline: checked above */
		ssize_t got = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (got == 0)
			return 0;
		if (got < 0)
			continue;   /* EAGAIN or EINTR */
		have += (size_t)got;
		buf[have] = '\0';
		char *line = buf, *nl;
		while ((nl = strchr(line, '\n'))) {
			if (want && strncmp(line, want, strlen(want)) == 0)
				return 1;
			line = nl + 1;
		}
		have = strlen(line);   /* keep the partial line (cut when too long) */
		memmove(buf, line, have + 1);
		if (have == sizeof(buf) - 1)
			have = 0;
	}
}

/* What one interrupted run did. */
struct interruption {
	int seen;        /* 1: the phase line came; 0: EOF first; -1: no line within PHASE_BOUND_MS;
			  * -2: the harness did not start */
	int child_ran;   /* the child to interrupt ran (1 when none was asked for) */
	int status;      /* the harness's wait status; -1: still running after HARNESS_EXIT_BOUND_MS */
	int left;        /* processes still alive LEFTOVER_BOUND_MS after the harness was reaped */
	int pipe_eof;    /* 1: the harness's stderr reached EOF once nothing was left */
};

/* Names in results/ (run folders and temp folders). */
static int count_folders(int *incomplete)
{
	DIR *d = opendir(results);
	struct dirent *e;
	int runs = 0;

	*incomplete = 0;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] != '.')
			runs++;
		else if (strncmp(e->d_name, ".incomplete-", 12) == 0)
			(*incomplete)++;
	}
	if (d)
		closedir(d);
	return runs;
}

/* Start `forkbench run` with its stderr on a pipe; wait for the line of
 * phase (and, when child is not NULL, for the harness's child of that name
 * to run), then delay_ms, then sig; then wait (bounded) for the harness,
 * for everything it started, and for EOF on its stderr. Whatever is left
 * after that is killed. */
static struct interruption interrupt_at(const char *phase_name, const char *child, int delay_ms, int sig,
					const char *min_time)
{
	const char *args[] = { "run", "--profile", "quick", "--filter", "^calibrate/syscall", "--repetitions", "1",
			       "--min-time", min_time, "--results", results, NULL };
	struct interruption got = { .seen = -2, .child_ran = 0, .status = -1, .left = -1, .pipe_eof = 0 };
	char bin[PATH_MAX + 16], want[64];
	const char *argv[16] = { bin };
	int err_pipe[2];

	snprintf(bin, sizeof(bin), "%s/forkbench", build);
	memcpy(argv + 1, args, sizeof(args));
	snprintf(want, sizeof(want), "forkbench: phase %s", phase_name);
	if (pipe2(err_pipe, O_CLOEXEC))
		return got;
	fcntl(err_pipe[0], F_SETFL, O_NONBLOCK);
	setenv("FORKBENCH_TEST_PHASES", "300", 1);   /* each phase lasts 300 ms at least */
	const struct fb_fd_action actions[] = { { 1, "/dev/null", O_WRONLY, -1 }, { 2, NULL, 0, err_pipe[1] } };
	long pid = fb_spawn(argv, actions, 2, 0);
	unsetenv("FORKBENCH_TEST_PHASES");
	close(err_pipe[1]);
	if (pid > 0) {
		got.seen = read_until(err_pipe[0], want, now_ms() + PHASE_BOUND_MS);
		got.child_ran = got.seen == 1 && (!child || await_child((pid_t)pid, child, CHILD_BOUND_MS));
		if (got.child_ran)
			nap_ms(delay_ms);
		kill((pid_t)pid, got.child_ran ? sig : SIGKILL);   /* not where it should be: stopped here */
		got.status = wait_bounded((pid_t)pid, HARNESS_EXIT_BOUND_MS);
	}
	got.left = settle(LEFTOVER_BOUND_MS);
	kill_leftovers();
	got.pipe_eof = read_until(err_pipe[0], NULL, now_ms() + PIPE_EOF_BOUND_MS) == 0;
	close(err_pipe[0]);
	return got;
}

static void check_one(const char *phase_name, const char *child, int delay_ms, int sig, const char *min_time,
		      const char *earlier)
{
	char name[200], *before = NULL;
	int incomplete, runs_before = count_folders(&incomplete);

	before = fb_slurp(earlier, 1 << 22);
	struct interruption got = interrupt_at(phase_name, child, delay_ms, sig, min_time);
	int runs = count_folders(&incomplete);
	char *after = fb_slurp(earlier, 1 << 22);
	int status = got.status;
	int killed = status != -1 && (sig == SIGKILL ? WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL
						     : WIFEXITED(status) && WEXITSTATUS(status) == 128 + sig);
	snprintf(name, sizeof(name), "%s during %s: the harness %s", strsignal(sig), phase_name,
		 sig == SIGKILL ? "is killed" : "exits 128+signal");
	char ended[64];
	if (status == -1)
		snprintf(ended, sizeof(ended), "%s", got.seen == -2 ? "none" : "none: still running after 60 s (killed)");
	else
		snprintf(ended, sizeof(ended), "0x%x", (unsigned)status);
	CHECK(got.seen == 1 && got.child_ran && killed, name, "phase line %s, %s%s, wait status %s",
	      got.seen == 1 ? "seen" : got.seen == 0 ? "never came (EOF)" : got.seen == -1 ? "not within 180 s"
	      : "none: the harness did not start", child ? child : "no child awaited",
	      child ? (got.child_ran ? " ran" : " never ran (within 60 s)") : "", ended);
	snprintf(name, sizeof(name), "%s during %s: nothing left running, its stderr closed, no folder published%s",
		 strsignal(sig), phase_name, sig == SIGKILL ? "" : ", temp folder removed");
	CHECK(got.left == 0 && got.pipe_eof && runs == runs_before && (sig == SIGKILL || incomplete == 0) &&
	      strcmp(before, after) == 0, name,
	      "%d processes still alive 20 s after the harness ended (killed now), stderr %s, run folders %d -> %d, "
	      "%d temp folders, earlier run %s", got.left, got.pipe_eof ? "at EOF" : "STILL HELD OPEN",
	      runs_before, runs, incomplete, strcmp(before, after) == 0 ? "unchanged" : "CHANGED");
	free(before);
	free(after);
}

/* A worker or fb-bare whose real parent is not the one it was started for
 * (the parent died before its prctl, and it was reparented): it leaves at
 * once, doing nothing. */
static void check_orphan_refuses(const char *helper, const char *const *args)
{
	char bin[PATH_MAX + 32], name[160];
	const char *argv[8] = { bin };

	snprintf(bin, sizeof(bin), "%s/%s", build, helper);
	for (int i = 0; args[i] && i < 6; i++)
		argv[i + 1] = args[i];
	int status = run_command(argv, NULL, NULL);
	snprintf(name, sizeof(name), "%s started for a parent that is gone: exits 1 at once", helper);
	CHECK(status == 1, name, "exit %d", status);
}

int main(void)
{
	char earlier[PATH_MAX + 64], out[PATH_MAX + 16], err[PATH_MAX + 16];
	int incomplete;

	setvbuf(stdout, NULL, _IOLBF, 0);
	build_dir(build, sizeof(build));
	if (!mkdtemp(results))
		return 1;
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	snprintf(out, sizeof(out), "%s.out", results);
	snprintf(err, sizeof(err), "%s.err", results);
	const char *first[] = { "run", "--profile", "quick", "--filter", "^calibrate/syscall", "--repetitions", "1",
				"--results", results, NULL };
	int rc = run_forkbench_in(build, first, out, err);
	char *text = fb_slurp(out, 1 << 20), *at = strstr(text, "run folder: ");
	snprintf(earlier, sizeof(earlier), "%.*s/bench.json", at ? (int)strcspn(at + 12, "\n") : 0, at ? at + 12 : "");
	free(text);
	CHECK(rc == 0 && count_folders(&incomplete) == 1, "an earlier run folder to keep", "exit %d", rc);

	check_orphan_refuses("fb-worker", (const char *[]){ "0", "4k", "1", NULL });
	check_orphan_refuses("fb-bare", (const char *[]){ "fork", "10", "1", NULL });
	static const int sigs[] = { SIGTERM, SIGINT, SIGKILL };
	/* Each run removes what an earlier SIGKILL left, so the last one is
	 * a SIGKILL during the benchmarks, for the run after the loop. */
	for (size_t i = 0; i < 3; i++) {
		check_one("report", NULL, 0, sigs[i], "0.01", earlier);
		check_one("companions", NULL, 150, sigs[i], "0.01", earlier);
		/* Interrupted once forkbench-bench runs (its phase line comes
		 * before it starts), 200 ms in; --min-time 60: a benchmark
		 * binary that outlived the harness would still run when
		 * LEFTOVER_BOUND_MS is up */
		check_one("benchmarks", "forkbench-bench", 200, sigs[i], "60", earlier);
	}
	int left_by_kill = 0;
	count_folders(&left_by_kill);
	rc = run_forkbench_in(build, first, out, err);
	int runs = count_folders(&incomplete);
	text = fb_slurp(err, 1 << 16);
	CHECK(rc == 0 && left_by_kill == 1 && incomplete == 0 && runs == 2 && count_lines(err) == 1 &&
	      strstr(text, "left by a run that did not finish"),
	      "the next run removes the folder a SIGKILL left, with one line", "exit %d, temp folders %d -> %d, %d runs: %s",
	      rc, left_by_kill, incomplete, runs, text);
	free(text);
	int zombies = count_zombie_children(getpid());   /* before settle reaps them */
	int left = settle(LEFTOVER_BOUND_MS);
	kill_leftovers();
	CHECK(zombies == 0 && left == 0, "no zombie left, nothing left running",
	      "%d zombies, %d processes still alive 20 s after the last run (killed now)", zombies, left);
	const char *rm[] = { "rm", "-rf", results, out, err, NULL };
	run_command(rm, NULL, NULL);
	return check_done();
}
