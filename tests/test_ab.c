/* test_ab.c - `forkbench ab`: both sides measured in one session,
 * interleaved, then compared. The same build against itself flags nothing;
 * a side made twice as slow (the test-only FORKBENCH_TEST_SLOWDOWN_PCT,
 * passed through a command prefix, as any environment would be) is caught
 * with a JUnit failure; bad input is refused with one line. */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "testutil.h"
#include "util.h"

static char build[PATH_MAX], tmp[] = "/tmp/fb-test-ab-XXXXXX";

/* forkbench ab --out DIR with a small, quick configuration and extra args. */
static int ab(const char *dir, const char *extra1, const char *extra2, const char *out, const char *err)
{
	const char *args[] = { "ab", "--out", dir, "--rounds", "5", "--filter", "^spawn/vfork/", "--sizes", "0",
			       "--min-time", "0.005", extra1, extra2, NULL };
	return run_forkbench_in(build, args, out, err);
}

/* Repetitions of the one benchmark in a side's bench.json (strict JSON). */
static int side_repetitions(const char *dir, const char *side)
{
	char path[PATH_MAX + 32];
	json_t *row;
	size_t i;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s/bench.json", dir, side);
	json_t *doc = json_load_file(path, 0, NULL);
	json_array_foreach(json_object_get(doc, "benchmarks"), i, row)
		n += strstr(json_string_value(json_object_get(row, "name")), "spawn/vfork/mem_mib:0/mode:4k") != NULL;
	json_decref(doc);
	return n;
}

static void check_same_build(void)
{
	char dir[PATH_MAX], out[PATH_MAX], err[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/aa", tmp);
	snprintf(out, sizeof(out), "%s/aa.out", tmp);
	snprintf(err, sizeof(err), "%s/aa.err", tmp);
	int rc = ab(dir, NULL, NULL, out, err);
	char *text = fb_slurp(out, 1 << 20);
	CHECK(rc == 0 && text && strstr(text, "0 slower"), "the same build against itself: exit 0, nothing slower",
	      "exit %d:\n%s", rc, text ? text : "");
	CHECK(side_repetitions(dir, "a") == 5 && side_repetitions(dir, "b") == 5,
	      "each side's bench.json: strict JSON, one row per round", "a %d, b %d", side_repetitions(dir, "a"),
	      side_repetitions(dir, "b"));
	free(text);
}

static void check_slower_side(void)
{
	char dir[PATH_MAX], out[PATH_MAX], err[PATH_MAX], junit[PATH_MAX + 16];

	snprintf(dir, sizeof(dir), "%s/slow", tmp);
	snprintf(out, sizeof(out), "%s/slow.out", tmp);
	snprintf(err, sizeof(err), "%s/slow.err", tmp);
	int rc = ab(dir, "--b-prefix", "env FORKBENCH_TEST_SLOWDOWN_PCT=100", out, err);
	snprintf(junit, sizeof(junit), "%s/junit.xml", dir);
	char *xml = fb_slurp(junit, 1 << 20);
	CHECK(rc == 1 && xml && strstr(xml, "<failure") && strstr(xml, "spawn/vfork/mem_mib:0/mode:4k is slower"),
	      "side B twice as slow (through its prefix): exit 1, a JUnit failure saying why", "exit %d", rc);
	free(xml);
}

static void check_bad_input(void)
{
	char out[PATH_MAX], err[PATH_MAX], dir[PATH_MAX];

	snprintf(out, sizeof(out), "%s/bad.out", tmp);
	snprintf(err, sizeof(err), "%s/bad.err", tmp);
	snprintf(dir, sizeof(dir), "%s/aa", tmp);   /* exists: never overwritten */
	int rc = ab(dir, NULL, NULL, out, err);
	CHECK(rc == 2 && count_lines(err) == 1, "an existing --out: exit 2, one line", "exit %d", rc);
	snprintf(dir, sizeof(dir), "%s/nobuild", tmp);
	rc = ab(dir, "--b-build", "/nonexistent", out, err);
	struct stat st;
	CHECK(rc == 2 && count_lines(err) == 1 && stat(dir, &st) != 0,
	      "a build folder without forkbench-bench: exit 2, one line, nothing made", "exit %d", rc);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	build_dir(build, sizeof(build));
	if (!mkdtemp(tmp))
		return 1;
	check_same_build();
	check_slower_side();
	check_bad_input();
	CHECK(count_zombie_children(getpid()) == 0, "no zombie left", "zombies");
	fb_remove_tree(tmp);
	return check_done();
}
