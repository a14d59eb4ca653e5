/* external.c - run hyperfine and the perf stat cross-check into the run folder (see external.h). */
#define _GNU_SOURCE
#include "external.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"

int fb_run_logged(const char *const argv[], const char *log_path)
{
	const struct fb_fd_action actions[] = {
		{ 1, log_path, O_WRONLY | O_CREAT | O_APPEND, -1 },
		{ 2, NULL, 0, 1 },
		{ 0, "/dev/null", O_RDONLY, -1 },
	};
	/* Own group: an interrupted run stops hyperfine or perf with what they run. */
	long pid = fb_spawn(argv, actions, 3, 1);
	int status = pid < 0 ? -1 : fb_wait(pid);
	struct stat st;

	/* A log the tool wrote nothing to would only suggest it said something. */
	if (stat(log_path, &st) == 0 && st.st_size == 0)
		unlink(log_path);
	if (pid < 0)
		return 127;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int fb_run_hyperfine(const char *run_dir, int runs, char *why, size_t why_len)
{
	char build[PATH_MAX], direct[PATH_MAX + 32], dynamic[PATH_MAX + 32], shell[PATH_MAX + 48];
	char out[PATH_MAX + 32], log[PATH_MAX + 32], nruns[16];

	fb_self_dir(build, sizeof(build));
	snprintf(direct, sizeof(direct), "%s/fb-exit0-static", build);
	snprintf(dynamic, sizeof(dynamic), "%s/fb-exit0-dynamic", build);
	snprintf(shell, sizeof(shell), "sh -c %s", direct);
	snprintf(out, sizeof(out), "%s/hyperfine.json", run_dir);
	snprintf(log, sizeof(log), "%s/hyperfine.log", run_dir);
	snprintf(nruns, sizeof(nruns), "%d", runs);
	/* -N: no intermediate shell, so the first command is one fork+exec of
	 * the helper and the third adds exactly one sh. Named without the build
	 * folder's path, so that runs of two checkouts match command by command. */
	const char *argv[] = { "hyperfine", "-N", "--style", "basic", "--warmup", "5", "--runs", nruns,
			       "--export-json", out, "--command-name", "fb-exit0-static", "--command-name",
			       "fb-exit0-dynamic", "--command-name", "sh -c fb-exit0-static", direct, dynamic, shell, NULL };
	int status = fb_run_logged(argv, log);
	if (status == 127) {
		snprintf(why, why_len, "hyperfine is not installed (Debian package hyperfine)");
		return -1;
	}
	if (status) {
		snprintf(why, why_len, "hyperfine failed with status %d (see hyperfine.log)", status);
		unlink(out);
		return -1;
	}
	return 0;
}

int fb_run_perf_check(const char *run_dir, char *why, size_t why_len)
{
	char build[PATH_MAX], script[PATH_MAX + 48], out[PATH_MAX + 32], log[PATH_MAX + 32];

	fb_self_dir(build, sizeof(build));
	snprintf(script, sizeof(script), "%s/../scripts/cow-perf-check.sh", build);
	snprintf(out, sizeof(out), "%s/perf-stat.json", run_dir);
	snprintf(log, sizeof(log), "%s/perf-stat.log", run_dir);
	const char *argv[] = { script, build, out, "64", NULL };
	int status = fb_run_logged(argv, log);
	/* The script writes perf-stat.json itself, with the reason in words,
	 * whenever perf cannot count; a status is the script's own failure. */
	if (status == 127) {
		snprintf(why, why_len, "scripts/cow-perf-check.sh could not be started (not found beside %s)", build);
		unlink(out);
		return -1;
	}
	if (status) {
		snprintf(why, why_len, "scripts/cow-perf-check.sh failed with status %d (see perf-stat.log)", status);
		unlink(out);
		return -1;
	}
	return 0;
}
