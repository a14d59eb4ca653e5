/* regress_side.c - what `forkbench regress` found slower than the
 * baseline's figures, measured again side by side with the baseline's own
 * code (see regress.h). The figures were taken minutes or days apart, and
 * this machine's speed steps by 1.4-2x for minutes (fork at 256 MiB moved
 * 1.8-2.2x against the bare loop in 3 of 8 unchanged runs): a figure now
 * against a figure then cannot tell a slower machine from slower code. The
 * baseline's revision, built from git, and this build run interleaved
 * (`forkbench ab`) meet the same machine, so only the code differs. */
#define _GNU_SOURCE
#include "regress.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ab.h"
#include "files.h"
#include "proc.h"

/* The test-only slow-down (bench/spawn.c) models a change of the code
 * under test: the baseline's side runs without it. */
#define TEST_SLOWDOWN_ENV "FORKBENCH_TEST_SLOWDOWN_PCT"
/* Rounds per side (ab's default): with 9 the U test can reach p = 4e-5. */
#define SIDE_ROUNDS "9"

/* Run argv with stdout and stderr into log; 0 when it exited 0. */
static int run_logged(const char *const argv[], const char *log)
{
	const struct fb_fd_action actions[] = { { 1, log, O_WRONLY | O_CREAT | O_APPEND, -1 }, { 2, NULL, 0, 1 } };
	long pid = fb_spawn(argv, actions, 2, 0);
	int status = pid < 0 ? -1 : fb_wait(pid);
	return status == 0 ? 0 : -1;
}

/* The baseline's revision, when its code can be had: recorded, and the
 * tree it was built from clean (a dirty tree's code is in no commit). */
static const char *baseline_revision(const json_t *manifest, char *why, size_t len)
{
	const json_t *git = json_object_get(json_object_get(manifest, "environment"), "git");
	const char *rev = json_string_value(json_object_get(git, "revision"));

	if (!rev || strspn(rev, "0123456789abcdef") != strlen(rev) || strlen(rev) < 7)
		return snprintf(why, len, "the baseline's manifest records no git revision"), NULL;
	if (!json_is_false(json_object_get(git, "dirty")))
		return snprintf(why, len, "the baseline was made from a tree with uncommitted changes (%.12s+)", rev), NULL;
	return rev;
}

/* This checkout's folder (the build's parent). */
static void repo_dir(char *repo, size_t len)
{
	fb_self_dir(repo, len - 4);
	strcat(repo, "/..");
}

int fb_regress_side_possible(const json_t *baseline_manifest, char *why, size_t len)
{
	char repo[PATH_MAX], commit[96];
	const char *rev = baseline_revision(baseline_manifest, why, len);

	if (!rev)
		return 0;
	repo_dir(repo, sizeof(repo));
	snprintf(commit, sizeof(commit), "%.64s^{commit}", rev);
	const char *exists[] = { "git", "-C", repo, "cat-file", "-e", commit, NULL };
	if (run_logged(exists, "/dev/null") == 0)
		return 1;
	snprintf(why, len, "the baseline's revision %.12s is not in this checkout's git history", rev);
	return 0;
}

/* REPO/build-base-<rev>/build: the baseline's revision exported from git
 * (git archive, no checkout touched) and built there, once; later runs
 * reuse it. 0, or -1 with why. */
static int build_baseline(const char *rev, char *build, size_t build_len, char *why, size_t len)
{
	char repo[PATH_MAX], dir[PATH_MAX + 64], tar[PATH_MAX + 80], log[PATH_MAX + 80], bench[PATH_MAX + 96];

	repo_dir(repo, sizeof(repo));
	snprintf(dir, sizeof(dir), "%s/build-base-%.12s", repo, rev);
	snprintf(build, build_len, "%s/build", dir);
	snprintf(bench, sizeof(bench), "%s/forkbench-bench", build);
	if (access(bench, X_OK) == 0)
		return 0;
	snprintf(tar, sizeof(tar), "%s/src.tar", dir);
	snprintf(log, sizeof(log), "%s/build.log", dir);
	fb_remove_tree(dir);
	if (fb_mkdir(dir))
		return snprintf(why, len, "%s: %s", dir, strerror(errno)), -1;
	const char *archive[] = { "git", "-C", repo, "archive", "--format=tar", "-o", tar, rev, NULL };
	const char *untar[] = { "tar", "-xf", tar, "-C", dir, NULL };
	const char *make[] = { "make", "-C", dir, "--no-print-directory", "-j2", "all", NULL };
	printf("regress: building the baseline's revision %.12s in %s (log: %s)\n", rev, dir, log);
	fflush(stdout);
	if (run_logged(archive, log) || run_logged(untar, log) || run_logged(make, log)) {
		snprintf(why, len, "the baseline's revision %.12s could not be exported from git and built (see %s)", rev, log);
		fb_remove_tree(build);   /* no half build is ever reused */
		return -1;
	}
	return 0;
}

/* Has keys[0..i) a benchmark at keys[i]'s size? */
static int size_seen(const struct fb_bench_key *keys, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (keys[j].mem_mib == keys[i].mem_mib)
			return 1;
	return 0;
}

/* ab's --filter, --sizes and --modes for exactly these benchmarks (the
 * filter names each one, so the sizes and modes only need to cover them). */
static int ab_selection(const struct fb_bench_key *keys, size_t n, char *filter, size_t filter_len, char *sizes,
			size_t sizes_len, char *modes, size_t modes_len)
{
	int has4k = 0, hasthp = 0;
	size_t used = 0;

	if (fb_key_filter(keys, n, filter, filter_len))
		return -1;
	sizes[0] = '\0';
	for (size_t i = 0; i < n && used < sizes_len; i++) {
		if (!size_seen(keys, i))
			used += (size_t)snprintf(sizes + used, sizes_len - used, "%s%ld", used ? "," : "", keys[i].mem_mib);
		has4k |= strcmp(keys[i].mode, "4k") == 0;
		hasthp |= strcmp(keys[i].mode, "thp") == 0;
	}
	snprintf(modes, modes_len, "%s%s%s", has4k ? "4k" : "", has4k && hasthp ? "," : "", hasthp ? "thp" : "");
	return used < sizes_len ? 0 : -1;
}

int fb_regress_side_by_side(const json_t *baseline_manifest, double min_time_s, double threshold,
			    const struct fb_bench_key *keys, size_t n, const char *out, char *why, size_t len)
{
	char build[PATH_MAX + 80], filter[1024], sizes[256], modes[16], min_time[32], half[32];
	const char *rev = baseline_revision(baseline_manifest, why, len);

	if (!rev || build_baseline(rev, build, sizeof(build), why, len))
		return -1;
	if (ab_selection(keys, n, filter, sizeof(filter), sizes, sizeof(sizes), modes, sizeof(modes)))
		return snprintf(why, len, "%zu benchmarks are too many for one side-by-side filter", n), -1;
	snprintf(min_time, sizeof(min_time), "%g", min_time_s);
	/* ab's own table then shows the verdicts compare --confirm-ab keeps */
	snprintf(half, sizeof(half), "%g", threshold / 2);
	const char *argv[24] = { "ab", "--a-build", build, "--out", out, "--filter", filter, "--sizes", sizes,
				 "--modes", modes, "--rounds", SIDE_ROUNDS, "--min-time", min_time, "--threshold", half };
	int argc = 17;
	if (getenv(TEST_SLOWDOWN_ENV))
		argv[argc++] = "--a-prefix", argv[argc++] = "env -u " TEST_SLOWDOWN_ENV;
	printf("\nregress: measuring %zu benchmark%s (the headline spawn cases and what the screen found slower) side "
	       "by side with the baseline's code (%.12s), interleaved, %s rounds each\n\n", n, n == 1 ? "" : "s", rev,
	       SIDE_ROUNDS);
	fflush(stdout);
	/* ab's own verdict is printed; the caller's compare applies it */
	int rc = fb_cmd_ab(argc, (char **)argv);
	if (rc == 2)
		return snprintf(why, len, "the side-by-side measurement failed (see %s/ab.log)", out), -1;
	return 0;
}
