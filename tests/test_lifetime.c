/* test_lifetime.c - nothing `forkbench run` starts outlives it. SIGKILL,
 * SIGTERM and SIGINT of the harness alone, in each phase (benchmarks,
 * companions, report), leave no process and no zombie within a second or
 * two, no new or partial run folder, and an earlier run folder unchanged;
 * the folder a SIGKILL leaves is removed by the next run, which says so.
 * The test is a child subreaper, so whatever the harness leaves comes to it
 * and is counted. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <time.h>

#include "check.h"
#include "testutil.h"
#include "util.h"

static char build[PATH_MAX], results[] = "/tmp/fb-test-lifetime-XXXXXX";

/* Live (not zombie) children of this process; zombies are reaped. */
static int live_children(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int live = 0, ppid;
	char state;

	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	while (d && (e = readdir(d))) {
		int pid = atoi(e->d_name);
		if (pid > 0 && proc_state(pid, &state, &ppid) == 0 && ppid == getpid() && state != 'Z')
			live++;
	}
	if (d)
		closedir(d);
	return live;
}

/* Poll for up to ms milliseconds until no child is left; the count left. */
static int settle(int ms)
{
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	int left = live_children();

	for (int waited = 0; left && waited < ms; waited += 20) {
		nanosleep(&nap, NULL);
		left = live_children();
	}
	return left;
}

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
 * phase, then delay_ms, then sig. The harness's wait status. */
static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int interrupt_at(const char *phase_name, int delay_ms, int sig, const char *min_time, double *exit_ms)
{
	const char *args[] = { "run", "--profile", "quick", "--filter", "^calibrate/syscall", "--repetitions", "1",
			       "--min-time", min_time, "--results", results, NULL };
	char bin[PATH_MAX + 16], want[64], line[512];
	const char *argv[16] = { bin };
	int err_pipe[2];
	struct timespec delay = { delay_ms / 1000, (delay_ms % 1000) * 1000000L };

	snprintf(bin, sizeof(bin), "%s/forkbench", build);
	memcpy(argv + 1, args, sizeof(args));
	snprintf(want, sizeof(want), "forkbench: phase %s", phase_name);
	if (pipe(err_pipe))
		return -1;
	setenv("FORKBENCH_TEST_PHASES", "300", 1);   /* each phase lasts 300 ms at least */
	const struct fb_fd_action actions[] = { { 1, "/dev/null", O_WRONLY, -1 }, { 2, NULL, 0, err_pipe[1] } };
	long pid = fb_spawn(argv, actions, 2, 0);
	unsetenv("FORKBENCH_TEST_PHASES");
	close(err_pipe[1]);
	FILE *err = fdopen(err_pipe[0], "r");
	int seen = 0;
	while (pid > 0 && !seen && err && fgets(line, sizeof(line), err))
		seen = strncmp(line, want, strlen(want)) == 0;
	double sent = 0;
	if (seen) {
		nanosleep(&delay, NULL);
		sent = now_ms();
		kill((pid_t)pid, sig);
	}
	int status = pid > 0 && seen ? fb_wait(pid) : -1;
	*exit_ms = now_ms() - sent;
	while (err && fgets(line, sizeof(line), err))
		;   /* drain until everything holding the pipe is gone */
	if (err)
		fclose(err);
	return status;
}

static void check_one(const char *phase_name, int delay_ms, int sig, const char *min_time, const char *earlier)
{
	char name[160], *before = NULL;
	int incomplete, runs_before = count_folders(&incomplete);

	before = fb_slurp(earlier, 1 << 22);
	double exit_ms = 0;
	int status = interrupt_at(phase_name, delay_ms, sig, min_time, &exit_ms);
	int left = settle(2000);
	int runs = count_folders(&incomplete);
	char *after = fb_slurp(earlier, 1 << 22);
	int killed = sig == SIGKILL ? WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL
				    : WIFEXITED(status) && WEXITSTATUS(status) == 128 + sig;
	snprintf(name, sizeof(name), "%s during %s: %s within 1.5 s, nothing left running, no folder published%s",
		 strsignal(sig), phase_name, sig == SIGKILL ? "killed" : "exit 128+signal",
		 sig == SIGKILL ? "" : ", temp folder removed");
	CHECK(status >= 0 && killed && exit_ms < 1500 && left == 0 && runs == runs_before && (sig == SIGKILL || incomplete == 0) &&
	      before && after && strcmp(before, after) == 0, name,
	      "wait status 0x%x after %.0f ms, %d processes left, run folders %d -> %d, %d temp folders, earlier run %s",
	      status, exit_ms, left, runs_before, runs, incomplete, before && after && strcmp(before, after) == 0 ? "unchanged" : "CHANGED");
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
		check_one("report", 0, sigs[i], "0.01", earlier);
		check_one("companions", 150, sigs[i], "0.01", earlier);
		check_one("benchmarks", 300, sigs[i], "2", earlier);
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
	CHECK(count_zombie_children(getpid()) == 0, "no zombie left", "zombies");
	const char *rm[] = { "rm", "-rf", results, out, err, NULL };
	run_command(rm, NULL, NULL);
	return check_done();
}
