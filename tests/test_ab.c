/* test_ab.c - `forkbench ab`: both sides measured in one session,
 * interleaved, then compared. The same build against itself: exit status,
 * files, rows and verdict agree with each other and with the repetitions
 * written (a live A/A run may flag a change by chance on a busy machine, so
 * which verdict it gets is not asserted); a side made twice as slow (the
 * test-only FORKBENCH_TEST_SLOWDOWN_PCT, passed through a command prefix, as
 * any environment would be) is caught with a JUnit failure; bad input is
 * refused with one line. */
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "testutil.h"
#include "files.h"

static char build[PATH_MAX], tmp[] = "/tmp/fb-test-ab-XXXXXX";

#define BENCHMARK "spawn/vfork/mem_mib:0/mode:4k"
#define MAX_ROUNDS 16

/* forkbench ab --out DIR with a small, quick configuration and extra args. */
static int ab(const char *dir, const char *rounds, const char *extra1, const char *extra2, const char *out,
	      const char *err)
{
	const char *args[] = { "ab", "--out", dir, "--rounds", rounds, "--filter", "^spawn/vfork/", "--sizes", "0",
			       "--min-time", "0.005", extra1, extra2, NULL };
	return run_forkbench_in(build, args, out, err);
}

/* The iter_median_ns of the one benchmark's rows in a side's bench.json
 * (strict JSON), sorted; how many (-1: unreadable, or a row without one). */
static int side_figures(const char *dir, const char *side, double *ns, int max)
{
	char path[PATH_MAX + 32];
	json_t *row;
	size_t i;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s/bench.json", dir, side);
	json_t *doc = json_load_file(path, 0, NULL);
	if (!doc)
		return -1;
	json_array_foreach(json_object_get(doc, "benchmarks"), i, row) {
		const char *name = json_string_value(json_object_get(row, "name"));
		json_t *median = json_object_get(row, "iter_median_ns");
		if (!name || !strstr(name, BENCHMARK))
			continue;
		if (!json_is_number(median) || n == max)
			n = -1000;
		else
			ns[n++] = json_number_value(median);
	}
	json_decref(doc);
	for (int a = 1; a < n; a++)   /* insertion sort: a handful of figures */
		for (int b = a; b > 0 && ns[b - 1] > ns[b]; b--) {
			double t = ns[b];
			ns[b] = ns[b - 1];
			ns[b - 1] = t;
		}
	return n < 0 ? -1 : n;
}

/* The comparison's table row of BENCHMARK, as printed. */
struct table_row {
	double base_us, new_us, ratio, low, high, p;
	char verdict[64];
};

static int parse_row(const char *text, struct table_row *r)
{
	const char *at = text ? strstr(text, "\n" BENCHMARK " ") : NULL;
	return at && sscanf(at + 1, BENCHMARK " %lf us %lf us %lf [%lf, %lf] %lf %63[^\n]", &r->base_us, &r->new_us,
			    &r->ratio, &r->low, &r->high, &r->p, r->verdict) == 7 ? 0 : -1;
}

/* The documented rule (compare's legend: slower or faster when significant
 * and the whole interval beyond 10%, the same when the whole interval lies
 * within it, inconclusive otherwise), applied to the printed figures. */
static const char *expected_verdict(const struct table_row *r)
{
	if (r->p < 0.05 && r->low > 1.10)
		return "slower";
	if (r->p < 0.05 && r->high < 1 / 1.10)
		return "faster";
	if (r->low >= 1 / 1.10 && r->high <= 1.10)
		return "same";
	return "inconclusive";
}

/* The verdict's word: an inconclusive one is printed with its interval. */
static const char *verdict_word(const struct table_row *r, char *buf, size_t len)
{
	snprintf(buf, len, "%.*s", (int)strcspn(r->verdict, ":"), r->verdict);
	return buf;
}

/* The printed medians, ratio and interval are those of the repetitions
 * written: the median of 5 sorted figures is the third, and with 5
 * repetitions the medians' 95% interval is the whole range (the narrowest
 * order-statistic interval, ranks 2 and 4, covers only 1 - 2 * 6/32 = 62.5%),
 * so the ratio's interval is [min B / max A, max B / min A]. */
static int row_matches_figures(const struct table_row *r, const double *a, const double *b, char *why, size_t len)
{
	double ratio = b[2] / a[2], low = b[0] / a[4], high = b[4] / a[0];
	int ok = fabs(r->base_us - a[2] / 1e3) <= 0.051 && fabs(r->new_us - b[2] / 1e3) <= 0.051 &&
		 fabs(r->ratio - ratio) <= 0.0006 && fabs(r->low - low) <= 0.0006 && fabs(r->high - high) <= 0.0006;
	snprintf(why, len, "from the rows: base %.3f us, new %.3f us, ratio %.4f [%.4f, %.4f]", a[2] / 1e3, b[2] / 1e3,
		 ratio, low, high);
	return ok;
}

/* A live A/A run: which verdict chance gives it is not asserted, only that
 * the run did what it says (every file, 5 rows a side, the one row
 * compared) and that exit status, table, verdict and JUnit agree with each
 * other and with the figures. */
static void check_same_build(void)
{
	char dir[PATH_MAX], out[PATH_MAX], err[PATH_MAX], path[PATH_MAX + 32], why[200];
	double a[MAX_ROUNDS], b[MAX_ROUNDS];
	struct table_row r;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/aa", tmp);
	snprintf(out, sizeof(out), "%s/aa.out", tmp);
	snprintf(err, sizeof(err), "%s/aa.err", tmp);
	int rc = ab(dir, "5", NULL, NULL, out, err);
	char *text = fb_slurp(out, 1 << 20);
	int na = side_figures(dir, "a", a, MAX_ROUNDS), nb = side_figures(dir, "b", b, MAX_ROUNDS);
	CHECK(na == 5 && nb == 5, "each side's bench.json: strict JSON, one row per round", "a %d, b %d", na, nb);
	int files = 0;
	for (const char *const *f = (const char *const[]){ "ab.log", "compare.md", "junit.xml", NULL }; *f; f++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *f);
		files += stat(path, &st) == 0 && st.st_size > 0;
	}
	int parsed = parse_row(text, &r) == 0;
	char *progress = fb_slurp(err, 1 << 16);
	int all_rounds = strstr(progress, "ab: round 5 of 5\n") && !strstr(progress, "ab: round 6 ");
	CHECK((rc == 0 || rc == 1) && files == 3 && strstr(text, "Compared 1 benchmarks") && parsed && all_rounds,
	      "the same build against itself: ab.log, compare.md and junit.xml written, the one benchmark compared, "
	      "5 rounds", "exit %d, %d of 3 files, row %s; stderr:\n%s\nstdout:\n%s", rc, files,
	      parsed ? "parsed" : "MISSING", progress, text);
	free(progress);
	if (!parsed || na != 5 || nb != 5) {
		BROKEN("A/A: the verdict agrees with the figures", "no table row or not 5 repetitions a side");
		BROKEN("A/A: exit status and JUnit agree with the verdict", "no table row or not 5 repetitions a side");
		free(text);
		return;
	}
	int matches = row_matches_figures(&r, a, b, why, sizeof(why));
	char word[64];
	verdict_word(&r, word, sizeof(word));
	CHECK(matches && strcmp(word, expected_verdict(&r)) == 0, "A/A: the verdict agrees with the figures",
	      "printed %.1f us, %.1f us, ratio %.3f [%.3f, %.3f], p %.4f, '%s' (the rule says '%s'); %s", r.base_us,
	      r.new_us, r.ratio, r.low, r.high, r.p, r.verdict, expected_verdict(&r), why);
	snprintf(path, sizeof(path), "%s/junit.xml", dir);
	char *xml = fb_slurp(path, 1 << 20);
	int slower = strcmp(r.verdict, "slower") == 0;
	char totals[96];
	snprintf(totals, sizeof(totals), "\n%d slower (regressions), %d faster, 0 not comparable, %d same, %d inconclusive",
		 slower, strcmp(word, "faster") == 0, strcmp(word, "same") == 0, strcmp(word, "inconclusive") == 0);
	CHECK(rc == slower && strstr(text, totals) && !strstr(xml, "<failure") == !slower &&
	      strstr(xml, slower ? "failures=\"1\"" : "failures=\"0\""),
	      "A/A: exit status and JUnit agree with the verdict", "verdict '%s', exit %d, JUnit failure %s; want '%s'",
	      r.verdict, rc, strstr(xml, "<failure") ? "present" : "absent", totals + 1);
	free(xml);
	free(text);
}

/* Side B with a busy wait as long as the round trip inside each timed
 * iteration: twice as slow in every iteration whatever the machine's speed
 * then, a large, decidable effect; 9 interleaved rounds (the medians'
 * interval: ranks 2 and 8) keep one disturbed round from hiding it. On a
 * machine busy beyond that (A's rounds spread 0.01-4.7x beside other
 * tests) 9 rounds can leave it undecided: then it is measured again, as a
 * user would, up to ATTEMPTS times; a B not shown slower is "same" or
 * "inconclusive". */
#define ATTEMPTS 3

static void check_slower_side(void)
{
	char dir[PATH_MAX], out[PATH_MAX], err[PATH_MAX], junit[PATH_MAX + 16], seen[1024] = "";
	struct table_row r = { .verdict = "" };
	char *xml = NULL, *text = NULL;
	int rc = -1, parsed = 0;

	for (int attempt = 1; attempt <= ATTEMPTS && strcmp(r.verdict, "slower"); attempt++) {
		free(xml);
		free(text);
		snprintf(dir, sizeof(dir), "%s/slow%d", tmp, attempt);
		snprintf(out, sizeof(out), "%s/slow%d.out", tmp, attempt);
		snprintf(err, sizeof(err), "%s/slow%d.err", tmp, attempt);
		rc = ab(dir, "9", "--b-prefix", "env FORKBENCH_TEST_SLOWDOWN_PCT=100", out, err);
		snprintf(junit, sizeof(junit), "%s/junit.xml", dir);
		xml = fb_slurp(junit, 1 << 20);
		text = fb_slurp(out, 1 << 20);
		parsed = parse_row(text, &r) == 0;
		snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "%sattempt %d: exit %d, '%s', ratio %.3f [%.3f, %.3f]",
			 attempt > 1 ? "; " : "", attempt, rc, r.verdict, parsed ? r.ratio : NAN, parsed ? r.low : NAN,
			 parsed ? r.high : NAN);
	}
	CHECK(rc == 1 && strstr(xml, "<failure") && strstr(xml, BENCHMARK " is slower") && parsed &&
	      strcmp(r.verdict, "slower") == 0 && strstr(text, "\n1 slower (regressions)"),
	      "side B twice as slow (through its prefix): exit 1, slower, a JUnit failure saying why",
	      "%s; last:\n%s", seen, text);
	free(xml);
	free(text);
}

static void check_bad_input(void)
{
	char out[PATH_MAX], err[PATH_MAX], dir[PATH_MAX];

	snprintf(out, sizeof(out), "%s/bad.out", tmp);
	snprintf(err, sizeof(err), "%s/bad.err", tmp);
	snprintf(dir, sizeof(dir), "%s/aa", tmp);   /* exists: never overwritten */
	int rc = ab(dir, "5", NULL, NULL, out, err);
	CHECK(rc == 2 && count_lines(err) == 1, "an existing --out: exit 2, one line", "exit %d", rc);
	snprintf(dir, sizeof(dir), "%s/nobuild", tmp);
	rc = ab(dir, "5", "--b-build", "/nonexistent", out, err);
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
