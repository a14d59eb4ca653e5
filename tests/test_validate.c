/* test_validate.c - `forkbench validate` end to end: TAP 13 with a plan that
 * matches its test points and a totals line, every check ok or skipped with
 * a reason here; JUnit with one testcase per check; the test-only knob makes
 * exactly the lecture check fail and say it saw 99; a bad option is one
 * stderr line and status 2; nothing is left behind (this test is a
 * subreaper, so strays and zombies of forkbench would land here). */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/prctl.h>

#include "check.h"
#include "testutil.h"

static char bin[PATH_MAX + 16], dir[PATH_MAX];

/* A whole file as text (NULL if unreadable); the caller frees it. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	FILE *out = open_memstream(&text, &len);
	for (int c; (c = getc(f)) != EOF;)
		putc(c, out);
	fclose(f);
	fclose(out);
	return text;
}

static int count_of(const char *text, const char *needle)
{
	int n = 0;
	for (const char *at = text; text && (at = strstr(at, needle)); at += strlen(needle))
		n++;
	return n;
}

/* forkbench validate with up to 4 more arguments; stdout/stderr to files in dir. */
static int validate(const char *a1, const char *a2, const char *a3, const char *a4)
{
	char out[PATH_MAX + 16], err[PATH_MAX + 16];
	const char *argv[] = { bin, "validate", a1, a2, a3, a4, NULL };

	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(err, sizeof(err), "%s/err", dir);
	return run_command(argv, out, err);
}

static char *output(const char *name)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return slurp(path);
}

/* The TAP stream's shape: version, plan = test points, every point ok or
 * a SKIP with a reason, the totals line; the plan (or -1). */
static int check_tap(const char *tap, int want_failed)
{
	int plan = -1, points = 0, skips = 0, bad_skips = 0, failed = 0, p, f, s;
	char line[1024];
	FILE *in = fmemopen((void *)tap, strlen(tap), "r");

	CHECK(strncmp(tap, "TAP version 13\n", 15) == 0, "validate: TAP version 13 first", "starts '%.20s'", tap);
	while (in && fgets(line, sizeof(line), in)) {
		if (sscanf(line, "1..%d", &p) == 1)
			plan = p;
		if (strncmp(line, "ok ", 3) == 0 || strncmp(line, "not ok ", 7) == 0)
			points++;
		failed += strncmp(line, "not ok ", 7) == 0;
		if (strstr(line, " # SKIP")) {
			skips++;
			bad_skips += strlen(strstr(line, " # SKIP")) <= strlen(" # SKIP \n");
		}
	}
	if (in)
		fclose(in);
	const char *totals = strstr(tap, "\n# ");
	while (totals && strstr(totals + 1, "\n# "))
		totals = strstr(totals + 1, "\n# ");
	int parsed = totals && sscanf(totals, "\n# %d passed, %d failed, %d skipped", &p, &f, &s) == 3;
	CHECK(plan > 0 && plan == points, "validate: plan equals the test points", "plan %d, %d points", plan, points);
	CHECK(failed == want_failed && bad_skips == 0, "validate: failures as expected, skips have reasons",
	      "%d not ok (expected %d), %d skips without a reason", failed, want_failed, bad_skips);
	CHECK(parsed && p + f + s == points && f == failed && s == skips, "validate: totals line",
	      "totals %s", totals ? totals : "(none)");
	return plan;
}

static void test_plain_run(void)
{
	char junit[PATH_MAX + 16], tap[PATH_MAX + 16];

	snprintf(junit, sizeof(junit), "%s/v.xml", dir);
	snprintf(tap, sizeof(tap), "%s/v.tap", dir);
	int status = validate("--junit", junit, "--tap", tap);
	char *out = output("out"), *xml = slurp(junit), *tap_file = slurp(tap);
	CHECK(status == 0, "validate: exit 0, no check failed here", "status %d, output:\n%s", status, out ? out : "");
	int plan = out ? check_tap(out, 0) : -1;
	validate("--list", NULL, NULL, NULL);
	char *list = output("out");
	CHECK(plan == count_of(list, "\n"), "validate: plan is the table's size", "plan %d, %d checks listed",
	      plan, count_of(list, "\n"));
	CHECK(xml && strncmp(xml, "<?xml", 5) == 0 && strstr(xml, "</testsuites>\n") &&
	      count_of(xml, "<testcase ") == plan && count_of(xml, "</testcase>") == plan,
	      "validate: --junit has one testcase per check", "%d testcases for %d checks",
	      count_of(xml, "<testcase "), plan);
	CHECK(tap_file && out && strcmp(tap_file, out) == 0, "validate: --tap holds the TAP of stdout",
	      "differs or missing");
	free(out);
	free(xml);
	free(tap_file);
	free(list);
}

/* The test-only knob: the lecture check expects 3, the child exits 99. */
static void test_knob_fails_one(void)
{
	setenv("FORKBENCH_VALIDATE_EXPECT_EXIT", "3", 1);
	int status = validate(NULL, NULL, NULL, NULL);
	unsetenv("FORKBENCH_VALIDATE_EXPECT_EXIT");
	char *out = output("out");
	const char *bad = out ? strstr(out, "not ok ") : NULL;
	const char *eol = bad ? strchr(bad, '\n') : NULL;
	CHECK(status == 1, "validate: a failed check exits 1", "status %d", status);
	if (out)
		check_tap(out, 1);
	/* TAP 13: the YAML block right after the test line, then the comment */
	const char *end = eol ? strstr(eol, "\n  ...\n") : NULL;
	const char *got = eol ? strstr(eol, "\n    got: '") : NULL;
	CHECK(bad && strncmp(strstr(bad, " - "), " - fork/lecture_example\n", 24) == 0 && eol &&
	      strncmp(eol, "\n  ---\n  message: '", strlen("\n  ---\n  message: '")) == 0 && got && end && got < end && strstr(got, "99") &&
	      strstr(got, "99") < end && strstr(eol, "\n    expected: 'fork/lecture_example'\n") &&
	      strncmp(end, "\n  ...\n# ", strlen("\n  ...\n# ")) == 0 && strstr(end, "99"),
	      "validate: the knob fails the lecture check: a YAML block (got 99, expected), then the comment",
	      "output:\n%s", out ? out : "");
	free(out);
}

static void test_bad_option(void)
{
	int status = validate("--no-such-option", NULL, NULL, NULL);
	char *err = output("err"), *out = output("out");
	CHECK(status == 2 && err && count_of(err, "\n") == 1 && out && !*out,
	      "validate: a bad option is one stderr line and exit 2", "status %d, stderr '%s'", status, err ? err : "");
	status = validate("--filter", "^kernel/", "--timeout", "0");
	CHECK(status == 2, "validate: --timeout 0 is refused with 2", "status %d", status);
	free(err);
	free(out);
}

static void test_filter(void)
{
	int status = validate("--filter", "^(kernel|cow)/", NULL, NULL);
	char *out = output("out");
	CHECK(status == 0 && out && strstr(out, "\n1..9\n") && count_of(out, "\nok ") == 9,
	      "validate: --filter takes a regex", "status %d, output:\n%s", status, out ? out : "");
	free(out);
}

int main(void)
{
	char cmd[PATH_MAX + 32];

	build_dir(dir, sizeof(dir));
	snprintf(bin, sizeof(bin), "%s/forkbench", dir);
	snprintf(dir, sizeof(dir), "/tmp/fb-test-validate-XXXXXX");
	if (!mkdtemp(dir))
		return perror("mkdtemp"), 1;
	prctl(PR_SET_CHILD_SUBREAPER, 1);   /* whatever forkbench leaves comes to us */
	test_plain_run();
	test_knob_fails_one();
	test_bad_option();
	test_filter();
	CHECK(count_zombie_children(getpid()) == 0, "validate: no zombie left", "%d zombies",
	      count_zombie_children(getpid()));
	CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD, "validate: no stray process left",
	      "a child of ours is still there");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
	return check_done();
}
