/* test_grade.c - `forkbench grade` end to end on the lab-fork assignment:
 * the reference scores full marks; each known-bad submission gets its
 * expected score with exactly the expected tests failing, while the grader
 * exits 0 and leaves no process behind (we are subreaper, so anything it
 * left would come to us), no process of the sandbox uid, no marker file
 * outside the submission and no connection to loopback; results.json has
 * Gradescope's shape; a malformed spec or unknown assignment exits 2.
 * Three submissions pin down what a step may see and what earns points:
 * bad/peek reaches nothing of the host by absolute path (while the same
 * program outside the sandbox does), bad/constants and bad/self-faults get
 * nothing for figures they did not measure, and bad/utf8's output reaches
 * results.json as valid UTF-8 with its characters kept. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "check.h"
#include "sandbox.h"
#include "testutil.h"
#include "files.h"
#include "text.h"

#define NETWORK_PORT 47613    /* where bad/network looks for answers */
#define FFFD "\xef\xbf\xbd"

static char build[PATH_MAX / 2], root[PATH_MAX], tmp[64];
/* The sandbox uid (and gid) of this test run: one of its own in Debian's
 * reserved range, so two test runs at once (a developer's and CI's) never
 * kill each other's steps (grading kills every process of its uid). */
static unsigned sandbox_uid;
static char uid_text[16];

static int shell(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void peek_paths(const char *src, char *sub, size_t len);
static void check_peek(const char *name, const char *results_path, json_t *r);
static void check_unmeasured(const char *name, const char *results_path, json_t *r);
static void check_utf8(const char *name, const char *results_path, json_t *r);
static void check_rounds(const char *name, const char *results_path, json_t *r);

/* Spec test order: 0 build, 1 usage, 2 figures, 3 wait statuses, 4 reaped,
 * 5 fork, 6 vfork, 7 posix_spawn, 8 cow. failed: a bit per failing test. */
#define AFTER_USAGE 0x1fcu    /* everything that needs the 16 MiB run */
static const struct expectation {
	const char *dir;          /* under assignments/lab-fork/ */
	double score;
	unsigned failed;
	int needs_root;           /* only safe with the sandbox's uid and limits */
	int needs_minimal_root;   /* its score holds only where the minimal root did */
	/* a copy to grade instead of dir (sub: its path), or NULL */
	void (*prepare)(const char *src, char *sub, size_t len);
	/* more checks on its results.json (read, and at results_path), or NULL */
	void (*check)(const char *name, const char *results_path, json_t *r);
} expected[] = {
	{ "reference", 10, 0, 0, 0, NULL, check_rounds },
	/* the build fails: nothing else runs */
	{ "bad/no-compile", 0, 0x1ffu, 0, 0, NULL, NULL },
	/* killed at the wall-clock limit; pids cgroup and RLIMIT_NPROC bound it */
	{ "bad/fork-bomb", 2, AFTER_USAGE, 1, 0, NULL, NULL },
	/* killed by RLIMIT_CPU (SIGXCPU) or the wall clock */
	{ "bad/infinite-loop", 2, AFTER_USAGE, 0, 0, NULL, NULL },
	/* RLIMIT_AS makes malloc fail: it aborts */
	{ "bad/memory-hog", 2, AFTER_USAGE, 1, 0, NULL, NULL },
	/* SIGSEGV */
	{ "bad/crash", 2, AFTER_USAGE, 0, 0, NULL, NULL },
	/* three unreaped children: only the reaping test fails */
	{ "bad/zombies", 9, 0x010u, 0, 0, NULL, NULL },
	/* ns for us, no COW faults, raw wait status */
	{ "bad/wrong-figures", 6, 0x168u, 0, 0, NULL, NULL },
	/* plausible constants, nothing measured: the four measurement tests fail, saying why */
	{ "bad/constants", 6, 0x1e0u, 0, 0, NULL, check_unmeasured },
	/* writes the memory itself, forks an idle child, prints the exact COW
	 * count: the COW test fails on its children's faults (no latency lines) */
	{ "bad/self-faults", 4, 0x1e4u, 0, 0, NULL, check_unmeasured },
	/* looks for the project, homes, host files and, by absolute path, the
	 * reference solution, the spec and another submission: sees none */
	{ "bad/peek", 10, 0, 1, 1, peek_paths, check_peek },
	/* its writes outside are refused, so it exits non-zero */
	{ "bad/escape", 8, 0x004u, 1, 0, NULL, NULL },
	/* no network: it exits 1 without figures */
	{ "bad/network", 3, 0x1ecu, 1, 0, NULL, NULL },
	/* chmod . 000 in every run: the grader opens the folder again before
	 * each step (a lockout failed every later step and the grading) */
	{ "bad/lockout", 10, 0, 1, 0, NULL, NULL },
	/* UTF-8, invalid bytes and control characters in its build log and
	 * output; it exits 1 without figures */
	{ "bad/utf8", 2, 0x1eeu, 0, 0, NULL, check_utf8 },
};

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

/* forkbench grade with cwd = cwd (the escape looks for the grader's folder
 * through /proc/PPID/cwd); its exit status. */
static int grade(const char *cwd, const char *assignment, const char *assignments, const char *sub,
		 const char *out, const char *err)
{
	char bin[PATH_MAX + 16], here[PATH_MAX];
	snprintf(bin, sizeof(bin), "%s/forkbench", build);
	const char *argv[] = { bin, "grade", "--assignment", assignment, "--assignments", assignments,
			       sub, "--out", out, "--uid", uid_text, "--gid", uid_text, NULL };
	if (!getcwd(here, sizeof(here)) || chdir(cwd))
		return -1;
	int rc = run_command(argv, NULL, err);
	return chdir(here) ? -1 : rc;
}

/* Gradescope's shape: tests[] of {name, score, max_score, status, output,
 * visibility}, score the sum; the failing tests as a bit mask into failed.
 * NULL when the shape is right, else what is wrong. */
static const char *check_shape(json_t *r, unsigned *failed, double *score)
{
	static const char *const vis[] = { "visible", "hidden", "after_due_date", "after_published" };
	json_t *tests = json_object_get(r, "tests"), *t;
	double sum = 0;
	size_t i;

	*failed = 0;
	if (!json_is_number(json_object_get(r, "score")) || !json_is_number(json_object_get(r, "execution_time")) ||
	    !json_is_string(json_object_get(r, "output")) || !json_is_array(tests))
		return "top level needs score, execution_time, output and tests[]";
	json_array_foreach(tests, i, t) {
		const char *status = json_string_value(json_object_get(t, "status"));
		const char *v = json_string_value(json_object_get(t, "visibility"));
		int vis_ok = 0;
		for (size_t k = 0; v && k < sizeof(vis) / sizeof(vis[0]); k++)
			vis_ok |= strcmp(v, vis[k]) == 0;
		if (!json_is_string(json_object_get(t, "name")) || !json_is_number(json_object_get(t, "score")) ||
		    !json_is_number(json_object_get(t, "max_score")) || !json_is_string(json_object_get(t, "output")) ||
		    !status || (strcmp(status, "passed") && strcmp(status, "failed")) || !vis_ok)
			return "a test lacks name, score, max_score, status, output or visibility";
		sum += json_number_value(json_object_get(t, "score"));
		if (strcmp(status, "failed") == 0)
			*failed |= 1u << i;
	}
	*score = json_number_value(json_object_get(r, "score"));
	return *score == sum ? NULL : "score is not the sum of the tests' scores";
}

/* A loopback listener standing in for a "figures server"; -1 if the port is taken. */
static int listen_loopback(void)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(NETWORK_PORT) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;

	inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || listen(fd, 4)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* The grader's reference server (grade/grade_ref.c) and the watcher of
 * its steps (grade/sandbox_watch.c) are not the grader's children, so that
 * the sandbox never reaps them as a student's leftovers: we, as subreaper,
 * adopted them. They must have ended with the grading; their zombies are
 * ours to reap. The number of them still alive a second on. */
static int reap_reference_servers(void)
{
	int alive = 0;

	for (int tries = 0; tries < 100; tries++) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		alive = 0;
		while (d && (e = readdir(d))) {
			char path[64], comm[32] = "", state;
			int pid = atoi(e->d_name), ppid;
			snprintf(path, sizeof(path), "/proc/%d/comm", pid);
			FILE *f = pid > 0 ? fopen(path, "r") : NULL;
			if (f && fgets(comm, sizeof(comm), f) && (strcmp(comm, "fb-grade-ref\n") == 0 || strcmp(comm, "fb-grade-watch\n") == 0) &&
			    proc_state(pid, &state, &ppid) == 0 && ppid == getpid())
				alive += state == 'Z' ? (waitpid(pid, NULL, 0), 0) : 1;
			if (f)
				fclose(f);
		}
		if (d)
			closedir(d);
		if (!alive)
			break;
		usleep(10000);
	}
	return alive;
}

/* Nothing of the grading is left: no child of ours (zombie or running) and
 * no process of the sandbox uid. */
static void check_nothing_left(const char *name)
{
	char what[PATH_MAX];
	int servers = reap_reference_servers();
	snprintf(what, sizeof(what), "%s: forkbench's reference and watcher processes ended with the grading", name);
	CHECK(servers == 0, what, "%d still running", servers);
	int zombies = count_zombie_children(getpid());
	pid_t stray = waitpid(-1, NULL, WNOHANG);

	snprintf(what, sizeof(what), "%s: no zombie or stray process left", name);
	CHECK(zombies == 0 && stray < 0 && errno == ECHILD, what, "%d zombies, waitpid gave %d", zombies, (int)stray);
	snprintf(what, sizeof(what), "%s: no process of the sandbox uid left", name);
	CHECK(fb_sandbox_count_uid(sandbox_uid, 0) == 0, what, "%d left", fb_sandbox_count_uid(sandbox_uid, 0));
}

static const char *const markers[] = {
	"/tmp/forkbench-outside-marker", "/tmp/forkbench-outside-marker-build",
};

/* No marker where the grader or the host can see it: the submission's own
 * folder (the grader's cwd) and the assignment folder stay as they were. */
static void check_no_escape(const char *name, const char *sub, int entries_before, json_t *r)
{
	char what[PATH_MAX], path[PATH_MAX + 128];
	int found = 0;

	snprintf(path, sizeof(path), "%s/outside-marker", sub);
	found += access(path, F_OK) == 0;
	snprintf(path, sizeof(path), "%s/assignments/lab-fork/outside-marker", root);
	found += access(path, F_OK) == 0;
	snprintf(what, sizeof(what), "%s: its folder and the assignment folder are untouched", name);
	CHECK(!found && count_entries(sub) == entries_before, what, "%d markers, %d entries (was %d)", found,
	      count_entries(sub), entries_before);
	json_t *sb = json_object_get(json_object_get(r, "extra_data"), "sandbox");
	snprintf(what, sizeof(what), "%s: no marker in the host's /tmp", name);
	if (!json_is_true(json_object_get(sb, "private_tmp"))) {
		SKIP(what, "no private /tmp here (mount namespaces not allowed)");
		return;
	}
	for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]); i++)
		found += access(markers[i], F_OK) == 0;
	CHECK(!found, what, "%d markers in /tmp", found);
}

/* The measurement tests' (5-8) verdicts and rounds, for a failure message:
 * enough to tell a grader that judged wrong from a machine it called too
 * noisy (the numbers fb_grade_decide decided on). */
static const char *rounds_summary(json_t *r, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 5; i <= 8 && used < len; i++) {
		json_t *t = json_array_get(json_object_get(r, "tests"), i);
		json_t *e = json_object_get(json_object_get(t, "extra_data"), "rounds");
		json_t *pressure = json_object_get(e, "cpu_pressure");
		int n = e ? snprintf(buf + used, len - used, "\n#   %s: %s after %d rounds (%s), ratio %.3f [%.3f, %.3f], "
				     "ratio spread %.2f, reference range %.2f, cpu pressure %.2f, quiet ratio %.3f, too noisy %s",
				     json_string_value(json_object_get(t, "name")) ?: "?",
				     json_string_value(json_object_get(e, "verdict")) ?: "?",
				     (int)json_integer_value(json_object_get(e, "rounds")),
				     json_string_value(json_object_get(e, "order")) ?: "?",
				     json_number_value(json_object_get(e, "ratio_median")),
				     json_number_value(json_array_get(json_object_get(e, "ratio_interval"), 0)),
				     json_number_value(json_array_get(json_object_get(e, "ratio_interval"), 1)),
				     json_number_value(json_object_get(e, "ratio_spread")),
				     json_number_value(json_object_get(e, "reference_range")),
				     json_is_number(pressure) ? json_number_value(pressure) : NAN,
				     json_number_value(json_object_get(e, "quiet_ratio")),
				     json_is_true(json_object_get(e, "machine_too_noisy")) ? "yes" : "no")
			  : snprintf(buf + used, len - used, "\n#   test %zu: no rounds (%.200s)", i,
				     json_string_value(json_object_get(t, "output")) ?: "no output");
		used += n > 0 ? (size_t)n : 0;
	}
	return buf;
}

/* The score and the failing tests; where the submission's score depends on
 * the minimal root and the grader could not set one up, a SKIP that says why.
 * Not a speed assertion: a measurement test times the program and
 * forkbench's reference side by side, round after round, and when the
 * machine is too noisy to decide it says "undecided" and gives the points
 * (grade/grade_decide.c). That a correct program keeps its points however
 * the machine moves is what the grader promises; a failure here is the
 * grader judging wrong, and the message shows the rounds it judged on. */
static void check_score(const struct expectation *e, json_t *r, double score, unsigned failed)
{
	json_t *sb = json_object_get(json_object_get(r, "extra_data"), "sandbox");
	char what[256], why[256], rounds[2048];

	snprintf(what, sizeof(what), "%s: scores %g with the expected tests failing", e->dir, e->score);
	if (e->needs_minimal_root && !json_is_true(json_object_get(sb, "minimal_root"))) {
		snprintf(why, sizeof(why), "root here: %s", json_string_value(json_object_get(sb, "root")));
		SKIP(what, why);
		return;
	}
	CHECK(score == e->score && failed == e->failed, what, "score %g, failed tests 0x%x (expected 0x%x); "
	      "measurement tests:%s", score, failed, e->failed, rounds_summary(r, rounds, sizeof(rounds)));
}

static void check_submission(const struct expectation *e, const char *assignments)
{
	char sub[PATH_MAX + 64], out[PATH_MAX], err[PATH_MAX + 8], what[256];
	const char *name = e->dir;
	int listener = strcmp(name, "bad/network") == 0 ? listen_loopback() : -1;
	unsigned failed = 0;
	double score = -1;
	json_error_t jerr;

	snprintf(sub, sizeof(sub), "%s/lab-fork/%s", assignments, name);
	if (e->prepare)
		e->prepare(sub, sub, sizeof(sub));
	snprintf(out, sizeof(out), "%s/results-%s.json", tmp, strrchr(name, '/') ? strrchr(name, '/') + 1 : name);
	snprintf(err, sizeof(err), "%s.err", out);
	int entries = count_entries(sub);
	int rc = grade(sub, "lab-fork", assignments, sub, out, err);
	snprintf(what, sizeof(what), "%s: graded, exit status 0", name);
	CHECK(rc == 0, what, "exit status %d (stderr in %s)", rc, err);
	json_t *r = json_load_file(out, 0, &jerr);
	const char *shape = r ? check_shape(r, &failed, &score) : jerr.text;
	snprintf(what, sizeof(what), "%s: results.json has Gradescope's shape", name);
	CHECK(!shape, what, "%s", shape ? shape : "");
	check_score(e, r, score, failed);
	check_nothing_left(name);
	if (e->check)
		e->check(name, out, r);
	if (strcmp(name, "bad/escape") == 0)
		check_no_escape(name, sub, entries, r);
	if (strcmp(name, "bad/network") == 0 && listener < 0)
		SKIP("bad/network: nobody connected to 127.0.0.1", "the port is taken here");
	else if (listener >= 0) {
		int conn = accept(listener, NULL, NULL);
		CHECK(conn < 0 && (errno == EAGAIN || errno == EWOULDBLOCK), "bad/network: nobody connected to 127.0.0.1",
		      "a connection arrived");
		if (conn >= 0)
			close(conn);
		close(listener);
	}
	json_decref(r);
}

/* Specs the grader must refuse (exit 2, one line naming spec.json). */
#define MEASUREMENT "{ \"program\": \"./x\", \"tests\": [ { \"name\": \"t\", \"kind\": \"measurement\", " \
	"\"max_score\": 1, \"figure\": \"f\", \"reference\": \"spawn/fork\", \"metric\": \"real_time\", \"size_mib\": 1"
static const struct { const char *label, *text; } bad_specs[] = {
	{ "malformed JSON", "{ \"program\": \"./x\", \"tests\": [ }" },
	{ "unknown test kind", "{ \"program\": \"./x\", \"tests\": [ { \"name\": \"t\", \"kind\": \"magic\", "
	  "\"max_score\": 1 } ] }" },
	{ "measurement without tolerance", MEASUREMENT " } ] }" },
	/* the work a figure requires: a count of children, a multiple of the figure in faults */
	{ "requires_children below 0", MEASUREMENT ", \"ratio_tolerance\": 2, \"requires_children\": -1 } ] }" },
	{ "requires_faults not a number", MEASUREMENT ", \"ratio_tolerance\": 2, \"requires_faults\": \"all\" } ] }" },
	/* the reference must name a registered case (family/case), as a key */
	{ "reference to no benchmark case", "{ \"program\": \"./x\", \"tests\": [ { \"name\": \"t\", \"kind\": "
	  "\"measurement\", \"max_score\": 1, \"figure\": \"f\", \"reference\": \"spawn/frok\", \"metric\": "
	  "\"real_time\", \"size_mib\": 1, \"ratio_tolerance\": 2 } ] }" },
	/* the metric is the reference's time or one of its case's counters */
	{ "metric no counter of the case", "{ \"program\": \"./x\", \"tests\": [ { \"name\": \"t\", \"kind\": "
	  "\"measurement\", \"max_score\": 1, \"figure\": \"f\", \"reference\": \"spawn/fork\", \"metric\": "
	  "\"faults_per_day\", \"size_mib\": 1, \"ratio_tolerance\": 2 } ] }" },
	/* how long a measurement test may alternate: min and fail_min within max */
	{ "measurement_rounds min above max", "{ \"program\": \"./x\", \"measurement_rounds\": { \"min\": 5, "
	  "\"max\": 3 }, \"tests\": [ { \"name\": \"t\", \"kind\": \"build\", \"max_score\": 1 } ] }" },
};

/* An assignments folder of one broken spec; the grade's exit status and
 * whether stderr is one line naming spec.json. */
static void check_bad_spec(const char *label, const char *spec_text, const char *assignments)
{
	char dir[PATH_MAX + 32], path[PATH_MAX + 48], err[PATH_MAX + 32], line[512] = "", what[256];

	snprintf(dir, sizeof(dir), "%s/broken", tmp);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/spec.json", dir);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(spec_text, f);
		fclose(f);
	}
	snprintf(err, sizeof(err), "%s/broken.err", tmp);
	snprintf(path, sizeof(path), "%s/lab-fork/reference", assignments);
	int rc = grade(tmp, "broken", tmp, path, "/dev/null", err);
	f = fopen(err, "r");
	if (f && !fgets(line, sizeof(line), f))
		line[0] = '\0';
	if (f)
		fclose(f);
	snprintf(what, sizeof(what), "%s: exit 2, one stderr line naming spec.json", label);
	CHECK(rc == 2 && count_lines(err) == 1 && strstr(line, "spec.json"), what, "status %d, stderr: %s", rc, line);
}

static void check_bad_usage(const char *assignments)
{
	char err[PATH_MAX + 32], sub[PATH_MAX + 64], line[512] = "";

	snprintf(err, sizeof(err), "%s/unknown.err", tmp);
	snprintf(sub, sizeof(sub), "%s/lab-fork/reference", assignments);
	int rc = grade(tmp, "no-such-lab", assignments, sub, "/dev/null", err);
	FILE *f = fopen(err, "r");
	if (f && !fgets(line, sizeof(line), f))
		line[0] = '\0';
	if (f)
		fclose(f);
	CHECK(rc == 2 && count_lines(err) == 1 && strstr(line, "no-such-lab"), "unknown assignment: exit 2, one line",
	      "status %d, stderr: %s", rc, line);
	rc = grade(tmp, "lab-fork", assignments, "/nonexistent-submission", "/dev/null", err);
	CHECK(rc == 2 && count_lines(err) == 1, "missing submission folder: exit 2, one line", "status %d", rc);
}

/* A shell command's exit status (for the packaging and copying steps). */
static int shell(const char *fmt, ...)
{
	char cmd[3 * PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	int status = system(cmd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* bad/peek copied to TMP/peek with a peek-paths.txt naming, by absolute
 * path, what a step must not reach: the reference solution, the hidden
 * spec, another submission, the project, another grading's results and the
 * copy's own source folder. sub becomes the copy (src may be sub). */
static void peek_paths(const char *src, char *sub, size_t len)
{
	char from[PATH_MAX], copy[PATH_MAX], list[PATH_MAX + 32];

	snprintf(from, sizeof(from), "%s", src);
	snprintf(copy, sizeof(copy), "%s/peek", tmp);
	snprintf(list, sizeof(list), "%s/peek-paths.txt", copy);
	shell("rm -rf '%s' && cp -R '%s' '%s'", copy, from, copy);
	FILE *f = fopen(list, "w");
	if (f) {
		fprintf(f, "%s/assignments/lab-fork/reference/labfork.c\n%s/assignments/lab-fork/spec.json\n"
			"%s/assignments/lab-fork/bad/constants/labfork.c\n%s/README.md\n%s\n%s/results-reference.json\n"
			"%s/labfork.c\n", root, root, root, root, root, tmp, copy);
		fclose(f);
	}
	snprintf(sub, len, "%s", copy);
}

/* results.json says which root the steps had; and outside the sandbox the
 * same submission does reach the paths (its build fails on them, its
 * program prints them and exits 3), so its 10/10 inside means something. */
static void check_peek(const char *name, const char *results_path, json_t *r)
{
	json_t *sb = json_object_get(json_object_get(r, "extra_data"), "sandbox");
	const char *note = json_string_value(json_object_get(sb, "root"));
	int minimal = json_is_true(json_object_get(sb, "minimal_root"));
	char copy[PATH_MAX], out[PATH_MAX + 16], reference[PATH_MAX + 64], what[256];

	(void)results_path;
	snprintf(what, sizeof(what), "%s: results.json names the root the steps saw", name);
	CHECK(note && strncmp(note, minimal ? "minimal read-only (pivot_root)" : "host file system visible (",
			      minimal ? 30 : 26) == 0, what, "root: %s", note ? note : "(none)");
	snprintf(copy, sizeof(copy), "%s/peek", tmp);
	snprintf(out, sizeof(out), "%s/host.out", copy);
	int built = shell("make -s -C '%s' >/dev/null 2>&1", copy);
	int ran = shell("cd '%s' && cc -o labfork-host labfork.c && ./labfork-host 16 >host.out 2>&1", copy);
	char *text = fb_slurp(out, 1 << 16);
	snprintf(reference, sizeof(reference), "leak %s/assignments/lab-fork/reference/labfork.c", root);
	snprintf(what, sizeof(what), "%s: outside the sandbox, the same build and program reach the reference", name);
	CHECK(built != 0 && ran == 3 && text && strstr(text, reference), what, "make %d, program %d: %.200s", built,
	      ran, text ? text : "");
	free(text);
}

/* The verdicts a measurement test may have (a set). */
enum { PASSED = 1, UNDECIDED = 2 };

/* A verdict of want; "undecided" only where the grader found the machine
 * too noisy and told the student so (the points are then given). */
static int verdict_in(json_t *rounds, const char *output, unsigned want)
{
	const char *verdict = json_string_value(json_object_get(rounds, "verdict")) ?: "";

	if (strcmp(verdict, "passed") == 0)
		return (want & PASSED) != 0;
	return (want & UNDECIDED) && strcmp(verdict, "undecided") == 0 &&
	       json_is_true(json_object_get(rounds, "machine_too_noisy")) && output &&
	       strstr(output, "undecided: machine too noisy");
}

/* The measurement tests (5-8) of a results.json: each names its rounds,
 * both medians, the ratio and the spreads, and the rounds ran ABBA (round 1
 * the program first, round 2 the reference first...). The number of tests
 * whose extra_data says a verdict of want and rounds as expected. */
static int count_rounds(json_t *r, unsigned want, size_t rounds)
{
	static const char *const abba[] = { "PR", "RP" };
	int good = 0;

	for (size_t i = 5; i <= 8; i++) {
		json_t *t = json_array_get(json_object_get(r, "tests"), i);
		json_t *e = json_object_get(json_object_get(t, "extra_data"), "rounds");
		const char *order = json_string_value(json_object_get(e, "order"));
		const char *out = json_string_value(json_object_get(t, "output"));
		size_t n = (size_t)json_integer_value(json_object_get(e, "rounds")), ok = order && strlen(order) == 3 * n - 1;
		for (size_t k = 0; ok && k < n; k++)
			ok = strncmp(order + 3 * k, abba[k % 2], 2) == 0;
		ok = ok && (rounds ? n == rounds : n >= 3) && json_array_size(json_object_get(e, "program")) == n &&
		     json_array_size(json_object_get(e, "reference")) == n && verdict_in(e, out, want) && out &&
		     strstr(out, "rounds side by side") && strstr(out, "medians") && strstr(out, "ratio") &&
		     strstr(out, "spread");
		good += ok;
	}
	return good;
}

/* The reference: every measurement test decided in its favour (passed) or,
 * on a machine the grader found too noisy, undecided with the points given;
 * which of the two depends on the machine, so either is right. Either way
 * after >= 3 rounds in ABBA order, its output naming them. */
static void check_rounds(const char *name, const char *results_path, json_t *r)
{
	char what[256], rounds[2048];

	(void)results_path;
	snprintf(what, sizeof(what), "%s: 4 measurement tests passed (or undecided on a noisy machine) over >= 3 "
		 "rounds, ABBA, output names both medians, ratio, spread", name);
	CHECK(count_rounds(r, PASSED | UNDECIDED, 0) == 4, what, "%d of 4:%s", count_rounds(r, PASSED | UNDECIDED, 0),
	      rounds_summary(r, rounds, sizeof(rounds)));
}

/* A reference made as noisy as a busy machine can (the test-only
 * FORKBENCH_TEST_REFERENCE_JITTER: x30 in every other round): no round
 * can decide, and after the spec's last round (9) every measurement test
 * is undecided, says so, and earns its points: 10 of 10. */
static void check_noisy_reference(const char *assignments)
{
	char sub[PATH_MAX + 64], out[PATH_MAX + 64], err[PATH_MAX + 72];
	double score = -1;
	unsigned failed = 0;

	snprintf(sub, sizeof(sub), "%s/lab-fork/reference", assignments);
	snprintf(out, sizeof(out), "%s/results-noisy.json", tmp);
	snprintf(err, sizeof(err), "%s.err", out);
	setenv("FORKBENCH_TEST_REFERENCE_JITTER", "30", 1);
	int rc = grade(sub, "lab-fork", assignments, sub, out, err);
	unsetenv("FORKBENCH_TEST_REFERENCE_JITTER");
	json_t *r = json_load_file(out, 0, NULL);
	const char *shape = r ? check_shape(r, &failed, &score) : "no results.json";
	char rounds[2048];
	CHECK(rc == 0 && !shape && score == 10 && failed == 0, "a noisy reference: the reference keeps 10 of 10",
	      "status %d, %s, score %g, failed 0x%x; measurement tests:%s", rc, shape ? shape : "shape right", score,
	      failed, rounds_summary(r, rounds, sizeof(rounds)));
	int undecided = 0;
	for (size_t i = 5; r && i <= 8; i++) {
		const char *text = json_string_value(json_object_get(json_array_get(json_object_get(r, "tests"), i), "output"));
		undecided += text && strstr(text, "undecided: machine too noisy") != NULL;
	}
	CHECK(undecided == 4 && count_rounds(r, UNDECIDED, 9) == 4,
	      "a noisy reference: 4 tests undecided after 9 ABBA rounds, saying so", "%d say undecided, %d have 9 rounds",
	      undecided, count_rounds(r, UNDECIDED, 9));
	check_nothing_left("a noisy reference");
	json_decref(r);
}

/* Every measurement test that found its figure but failed says the figure
 * was printed without the work (not that it was out of tolerance). */
static void check_unmeasured(const char *name, const char *results_path, json_t *r)
{
	json_t *t;
	size_t i;
	int refused = 0, other = 0;
	char what[256];

	(void)results_path;
	json_array_foreach(json_object_get(r, "tests"), i, t) {
		const char *output = json_string_value(json_object_get(t, "output"));
		if (i < 5 || strcmp(json_string_value(json_object_get(t, "status")), "failed") ||
		    strncmp(output, "no line", 7) == 0)
			continue;
		if (strstr(output, "a figure printed without the work earns nothing"))
			refused++;
		else
			other++;
	}
	snprintf(what, sizeof(what), "%s: its unmeasured figures are refused, saying so", name);
	CHECK(refused > 0 && other == 0, what, "%d refused for the work, %d for another reason", refused, other);
}

/* What must reach results.json from bad/utf8's build log and output. */
static const struct { int test; const char *text, *what; } utf8_kept[] = {
	{ 0, "\xe2\x80\x98unused_figure\xe2\x80\x99", "gcc's curly quotes" },
	{ 0, "caf\xc3\xa9 \xe2\x9c\x93, stray bytes " FFFD FFFD ", bell \x07", "the build log's UTF-8, bad bytes, bell" },
	{ 1, "r\xc3\xa9sum\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x90\xa7: stray " FFFD ", cut " FFFD FFFD ", overlong " FFFD FFFD,
	  "stdout: accents, a check mark, an emoji, one U+FFFD per bad byte" },
	{ 1, "bell \x07, escape \x1b[31m", "stdout: control characters" },
	{ 1, "na\xc3\xafve " FFFD, "stderr: an accent and a bad byte" },
};

/* bad/utf8: results.json is valid UTF-8 as a file, control characters are
 * JSON escapes in it, and each piece of text arrives as it should. */
static void check_utf8(const char *name, const char *results_path, json_t *r)
{
	char *raw = fb_slurp(results_path, 1 << 20), *valid = raw ? fb_utf8_valid(raw) : NULL, what[256];
	json_t *tests = json_object_get(r, "tests");

	snprintf(what, sizeof(what), "%s: results.json is valid UTF-8, control characters escaped", name);
	CHECK(raw && valid && strcmp(raw, valid) == 0 && strstr(raw, "\\u0007") && strcasestr(raw, "\\u001b") &&
	      !strstr(raw, "???"), what, "%s", raw ? "invalid UTF-8, raw control characters or ???" : "unreadable");
	for (size_t i = 0; i < sizeof(utf8_kept) / sizeof(utf8_kept[0]); i++) {
		const char *output = json_string_value(json_object_get(json_array_get(tests, utf8_kept[i].test), "output"));
		snprintf(what, sizeof(what), "%s: %s kept", name, utf8_kept[i].what);
		CHECK(output && strstr(output, utf8_kept[i].text), what, "output: %.300s", output ? output : "(none)");
	}
	free(valid);
	free(raw);
}

/* make autograder's package: unpacked, it holds what Gradescope runs and no
 * solution; its run_autograder, pointed at a local root, at this test's
 * build folder and at this run's sandbox uid, grades the reference into
 * ROOT/results/results.json with full marks. */
static void check_autograder(void)
{
	static const char *const present[] = { "setup.sh", "run_autograder", "Makefile", "grade/grade.c",
					      "bench/spawn.c", "assignments/lab-fork/spec.json" };
	char ag[PATH_MAX], path[PATH_MAX + 64];
	int missing = 0;

	snprintf(ag, sizeof(ag), "%s/ag", tmp);
	int rc = shell("'%s/scripts/autograder.sh' lab-fork '%s' >/dev/null && mkdir -p '%s/source' && "
		       "cd '%s/source' && unzip -q '%s/autograder-lab-fork.zip'", root, tmp, ag, ag, tmp);
	for (size_t i = 0; i < sizeof(present) / sizeof(present[0]); i++) {
		snprintf(path, sizeof(path), "%s/source/%s", ag, present[i]);
		missing += access(path, R_OK) != 0;
	}
	snprintf(path, sizeof(path), "%s/source/assignments/lab-fork/reference", ag);
	int leaked = access(path, F_OK) == 0;
	CHECK(rc == 0 && !missing && !leaked, "autograder zip: setup.sh, run_autograder, sources, spec; no reference",
	      "status %d, %d files missing, reference %s", rc, missing, leaked ? "included" : "absent");
	rc = shell("mkdir -p '%s/submission' '%s/built' && ln -sfn '%s' '%s/built/build' && "
		   "cp '%s/assignments/lab-fork/reference/'* '%s/submission/' && AUTOGRADER_ROOT='%s' "
		   "AUTOGRADER_SOURCE='%s/built' AUTOGRADER_UID=%u '%s/source/run_autograder' >/dev/null 2>&1",
		   ag, ag, build, ag, root, ag, ag, ag, sandbox_uid, ag);
	snprintf(path, sizeof(path), "%s/results/results.json", ag);
	json_t *r = json_load_file(path, 0, NULL);
	double score = json_number_value(json_object_get(r, "score"));
	char rounds[2048];
	/* full marks for the reference is the grader's promise, not a speed
	 * assertion (see check_score) */
	CHECK(rc == 0 && score == 10, "run_autograder grades the reference to full marks",
	      "status %d, score %g; measurement tests:%s", rc, score, rounds_summary(r, rounds, sizeof(rounds)));
	json_decref(r);
	check_nothing_left("run_autograder");
}

int main(void)
{
	char assignments[PATH_MAX + 16];   /* root + "/assignments" */

	setvbuf(stdout, NULL, _IOLBF, 0);
	build_dir(build, sizeof(build));
	char parent[PATH_MAX];
	snprintf(parent, sizeof(parent), "%s/..", build);
	if (!realpath(parent, root))
		return 1;
	snprintf(assignments, sizeof(assignments), "%s/assignments", root);
	sandbox_uid = 65101 + (unsigned)getpid() % 399;   /* 65101-65499: not the grader's default */
	snprintf(uid_text, sizeof(uid_text), "%u", sandbox_uid);
	snprintf(tmp, sizeof(tmp), "/tmp/test-grade-XXXXXX");
	if (!mkdtemp(tmp))
		return 1;
	/* Whatever the grader leaves behind is reparented to us, not to init. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]); i++)
		unlink(markers[i]);
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		if (expected[i].needs_root && geteuid() != 0)
			SKIP(expected[i].dir, "needs root: without the sandbox's own uid its limits do not hold");
		else
			check_submission(&expected[i], assignments);
	}
	check_noisy_reference(assignments);
	for (size_t i = 0; i < sizeof(bad_specs) / sizeof(bad_specs[0]); i++)
		check_bad_spec(bad_specs[i].label, bad_specs[i].text, assignments);
	check_bad_usage(assignments);
	check_autograder();
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd))
		printf("# could not remove %s\n", tmp);
	return check_done();
}
