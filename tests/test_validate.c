/* test_validate.c - `forkbench validate` end to end: TAP 13 with a plan that
 * matches its test points and a totals line; every check ok, or skipped only
 * where this test sees the reason itself (a probe of its own: MADV_WIPEONFORK,
 * /bin/sh, kthreadd, ptrace, the pidfd calls) with that reason, so that all
 * the others must have run; JUnit with one testcase per check; the test-only
 * knob makes exactly the lecture check fail and say it saw 99; a bad option
 * is one stderr line and status 2; nothing is left behind (this test is a
 * subreaper, so strays and zombies of forkbench would land here). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "check.h"
#include "probe.h"
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

/* --- why a check may skip here, as this test sees it -------------------- */

/* MADV_WIPEONFORK (Linux 4.14) on a page of our own: EINVAL where unknown. */
static int no_wipeonfork(void)
{
	void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int missing = page != MAP_FAILED && madvise(page, 4096, MADV_WIPEONFORK) && errno == EINVAL;

	if (page != MAP_FAILED)
		munmap(page, 4096);
	return missing;
}

static int no_shell(void)
{
	return access("/bin/sh", X_OK) != 0;
}

/* PID 2 is kthreadd unless /proc is a PID namespace's. */
static int no_kthreadd(void)
{
	char name[64] = "";
	FILE *f = fopen("/proc/2/status", "r");
	int found = f && fscanf(f, "Name: %63s", name) == 1 && strcmp(name, "kthreadd") == 0;

	if (f)
		fclose(f);
	return !found;
}

static int no_pid_max(void)
{
	return access("/proc/sys/kernel/pid_max", R_OK) != 0;
}

/* main made this process a subreaper; validate's check does the same. */
static int not_subreaper(void)
{
	int on = 0;
	return prctl(PR_GET_CHILD_SUBREAPER, &on) || !on;
}

/* PTRACE_SEIZE of a child of ours: refused (EPERM, EACCES: Yama, seccomp,
 * a container) or missing (ENOSYS). Probed once: it forks. */
static int no_ptrace(void)
{
	static int denied = -1;
	int status;

	if (denied >= 0)
		return denied;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		for (;;)
			pause();
	denied = pid < 0 || ptrace(PTRACE_SEIZE, pid, NULL, NULL) != 0;
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	return denied;
}

/* clone3 (5.3), pidfd_open (5.3), pidfd_send_signal (5.1), waitid P_PIDFD
 * (5.4), probed on this very process: clone3 with no arguments is EINVAL
 * where it exists; our own pidfd takes signal 0, and a waitid on it finds
 * no child of ours (ECHILD; EINVAL where P_PIDFD is unknown). */
static int no_pidfd_calls(void)
{
	return !(probe_have_clone3() && probe_have_pidfd_calls());
}

/* The checks that may skip (a name prefix), when the probe says so here,
 * and a word their own reason must then hold. No check needs root. */
static const struct expected_skip {
	const char *check;
	int (*holds)(void);
	const char *word;
} expected_skips[] = {
	{ "cow/madv_wipeonfork", no_wipeonfork, "MADV_WIPEONFORK" },
	{ "fork/keeps_vmas", no_wipeonfork, "MADV_WIPEONFORK" },
	{ "exec/", no_shell, "/bin/sh" },
	{ "vfork/resumes_at_exec", no_shell, "/bin/sh" },
	{ "kernel/kthread", no_kthreadd, "PID" },
	{ "kernel/pid_max_in_range", no_pid_max, "pid_max" },
	{ "life/reparent_to_subreaper", not_subreaper, "PR_SET_CHILD_SUBREAPER" },
	{ "life/traced_state", no_ptrace, "ptrace" },
	{ "pidfd/", no_pidfd_calls, "kernel is older" },
};

/* May check skip here? With reason NULL: whatever its reason. */
static int skip_expected(const char *check, const char *reason)
{
	for (size_t i = 0; i < sizeof(expected_skips) / sizeof(expected_skips[0]); i++) {
		const struct expected_skip *e = &expected_skips[i];
		if (strncmp(check, e->check, strlen(e->check)) == 0 && e->holds())
			return !reason || strstr(reason, e->word) != NULL;
	}
	return 0;
}

/* The skips in a TAP stream: how many, and how many this test does not
 * expect here (the first of them named in bad). */
static int count_skips(const char *tap, int *unexpected, char *bad, size_t len)
{
	char line[1024];
	int skips = 0;
	FILE *in = fmemopen((void *)tap, strlen(tap), "r");

	*unexpected = 0;
	while (in && fgets(line, sizeof(line), in)) {
		char *skip = strstr(line, " # SKIP"), *name = strstr(line, " - ");
		if (strncmp(line, "ok ", 3) || !skip || !name)
			continue;
		skips++;
		*skip = '\0';
		skip[strcspn(skip + 1, "\n") + 1] = '\0';
		if (!skip_expected(name + 3, skip + 1) && (*unexpected)++ == 0)
			snprintf(bad, len, "%s:%s", name + 3, skip + 7);
	}
	if (in)
		fclose(in);
	return skips;
}

/* The TAP stream's shape: version, plan = test points, every point ok or
 * a SKIP this test expects here for the reason it sees, the totals line;
 * the plan (or -1) and the skips. */
static int check_tap(const char *tap, int want_failed, int *skips)
{
	int plan = -1, points = 0, failed = 0, unexpected, p, f, s;
	char line[1024], bad[1024] = "";
	FILE *in = fmemopen((void *)tap, strlen(tap), "r");

	CHECK(strncmp(tap, "TAP version 13\n", 15) == 0, "validate: TAP version 13 first", "starts '%.20s'", tap);
	while (in && fgets(line, sizeof(line), in)) {
		if (sscanf(line, "1..%d", &p) == 1)
			plan = p;
		if (strncmp(line, "ok ", 3) == 0 || strncmp(line, "not ok ", 7) == 0)
			points++;
		failed += strncmp(line, "not ok ", 7) == 0;
	}
	if (in)
		fclose(in);
	*skips = count_skips(tap, &unexpected, bad, sizeof(bad));
	const char *totals = strstr(tap, "\n# ");
	while (totals && strstr(totals + 1, "\n# "))
		totals = strstr(totals + 1, "\n# ");
	int parsed = totals && sscanf(totals, "\n# %d passed, %d failed, %d skipped", &p, &f, &s) == 3;
	CHECK(plan > 0 && plan == points, "validate: plan equals the test points", "plan %d, %d points", plan, points);
	CHECK(failed == want_failed, "validate: failures as expected", "%d not ok (expected %d)", failed, want_failed);
	CHECK(unexpected == 0, "validate: a check skips only where this test sees why, and says that why",
	      "%d of %d skips unexpected here, e.g. %s", unexpected, *skips, bad);
	CHECK(parsed && p + f + s == points && f == failed && s == *skips, "validate: totals line",
	      "totals %s", totals ? totals : "(none)");
	return plan;
}

/* Of the listed checks, those that may skip here. */
static int may_skip_count(const char *list)
{
	char line[256];
	int n = 0;
	FILE *in = list ? fmemopen((void *)list, strlen(list), "r") : NULL;

	while (in && fgets(line, sizeof(line), in)) {
		line[strcspn(line, "\n")] = '\0';
		n += skip_expected(line, NULL);
	}
	if (in)
		fclose(in);
	return n;
}

static void test_plain_run(void)
{
	char junit[PATH_MAX + 16], tap[PATH_MAX + 16];

	snprintf(junit, sizeof(junit), "%s/v.xml", dir);
	snprintf(tap, sizeof(tap), "%s/v.tap", dir);
	int status = validate("--junit", junit, "--tap", tap);
	char *out = output("out"), *xml = slurp(junit), *tap_file = slurp(tap);
	CHECK(status == 0, "validate: exit 0, no check failed here", "status %d, output:\n%s", status, out ? out : "");
	int skips = 0, plan = out ? check_tap(out, 0, &skips) : -1;
	validate("--list", NULL, NULL, NULL);
	char *list = output("out");
	CHECK(plan == count_of(list, "\n"), "validate: plan is the table's size", "plan %d, %d checks listed",
	      plan, count_of(list, "\n"));
	int least = count_of(list, "\n") - may_skip_count(list);
	char name[96];
	snprintf(name, sizeof(name), "validate: at least %d checks ran (all but those that may skip here)", least);
	CHECK(least > 0 && plan - skips >= least, name, "%d of %d ran, %d skipped", plan - skips, plan, skips);
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

/* What prove's own parser (TAP::Parser, which prove -v runs) reads from a
 * TAP file: each YAML block's data as "got=... expected=..." lines, and
 * any parse error as "error: ..."; NULL when perl could not run it. */
static char *tap_parser_reads(const char *tap_path)
{
	char cmd[2 * PATH_MAX + 512], out[PATH_MAX + 16];

	snprintf(out, sizeof(out), "%s/tap-parser.out", dir);
	snprintf(cmd, sizeof(cmd), "perl -MTAP::Parser -e 'local $/; open(my $f, \"<\", $ARGV[0]) or die; "
		 "my $p = TAP::Parser->new({ tap => scalar <$f> }); while (my $r = $p->next) { "
		 "print \"got=$r->{data}{data}{got} expected=$r->{data}{data}{expected}\\n\" if $r->is_yaml } "
		 "print \"error: $_\\n\" for $p->parse_errors' '%s' > '%s' 2>&1", tap_path, out);
	return system(cmd) == 0 ? slurp(out) : NULL;
}

/* The test-only knob: the lecture check expects 3, the child exits 99. */
static void test_knob_fails_one(void)
{
	char tap[PATH_MAX + 16], cmd[2 * PATH_MAX + 64], proved[PATH_MAX + 16];

	setenv("FORKBENCH_VALIDATE_EXPECT_EXIT", "3", 1);
	int status = validate(NULL, NULL, NULL, NULL);
	unsetenv("FORKBENCH_VALIDATE_EXPECT_EXIT");
	char *out = output("out");
	const char *bad = out ? strstr(out, "not ok ") : NULL;
	const char *eol = bad ? strchr(bad, '\n') : NULL;
	CHECK(status == 1, "validate: a failed check exits 1", "status %d", status);
	int skips;
	if (out)
		check_tap(out, 1, &skips);
	/* TAP 13: the YAML block right after the test line, then the comment;
	 * got and expected the values, not the message and the check's name */
	const char *end = eol ? strstr(eol, "\n  ...\n") : NULL;
	const char *data = eol ? strstr(eol, "\n  data:\n    got: 'exited 99'\n    expected: 'exited 3'\n") : NULL;
	CHECK(bad && strncmp(strstr(bad, " - "), " - fork/lecture_example\n", 24) == 0 && eol &&
	      strncmp(eol, "\n  ---\n  message: '", strlen("\n  ---\n  message: '")) == 0 && data && end && data < end &&
	      strncmp(end, "\n  ...\n# ", strlen("\n  ...\n# ")) == 0 && strstr(end, "99"),
	      "validate: the knob fails the lecture check: a YAML block with got 'exited 99' and expected "
	      "'exited 3', then the comment", "output:\n%s", out ? out : "");
	/* as prove reads it: prove -v runs, and its parser sees the values */
	snprintf(tap, sizeof(tap), "%s/out", dir);
	snprintf(proved, sizeof(proved), "%s/prove.out", dir);
	snprintf(cmd, sizeof(cmd), "prove -v --exec cat '%s' > '%s' 2>&1", tap, proved);
	int prove_status = system(cmd);
	char *prove_out = slurp(proved), *parsed = tap_parser_reads(tap);
	CHECK(prove_status != -1 && WIFEXITED(prove_status) && WEXITSTATUS(prove_status) == 1 && prove_out &&
	      strstr(prove_out, "Failed test:  2\n") && !strstr(prove_out, "Parse errors") && parsed &&
	      strcmp(parsed, "got=exited 99 expected=exited 3\n") == 0,
	      "validate: prove -v reads the TAP, one failed point, its YAML got/expected the values",
	      "prove status 0x%x:\n%s\nTAP::Parser read:\n%s", prove_status, prove_out ? prove_out : "",
	      parsed ? parsed : "(perl failed)");
	free(prove_out);
	free(parsed);
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
	int status = validate("--filter", "^(kernel|cow)/", NULL, NULL), unexpected = 0;
	char *out = output("out"), bad[1024] = "";
	if (out)
		count_skips(out, &unexpected, bad, sizeof(bad));
	CHECK(status == 0 && out && strstr(out, "\n1..9\n") && count_of(out, "\nok ") == 9 && unexpected == 0,
	      "validate: --filter takes a regex; its 9 checks pass or skip where this test sees why",
	      "status %d, %d unexpected skips (%s), output:\n%s", status, unexpected, bad, out ? out : "");
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
