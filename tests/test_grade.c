/* test_grade.c - `forkbench grade` end to end on the lab-fork assignment:
 * the reference scores full marks; each known-bad submission gets its
 * expected score with exactly the expected tests failing, while the grader
 * exits 0 and leaves no process behind (we are subreaper, so anything it
 * left would come to us), no process of the sandbox uid, no marker file
 * outside the submission and no connection to loopback; results.json has
 * Gradescope's shape; a malformed spec or unknown assignment exits 2. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "check.h"
#include "sandbox.h"
#include "testutil.h"

#define SANDBOX_UID 65100     /* forkbench grade's default --uid */
#define NETWORK_PORT 47613    /* where bad/network looks for answers */

static char build[PATH_MAX / 2], root[PATH_MAX], tmp[64];

/* Spec test order: 0 build, 1 usage, 2 figures, 3 wait statuses, 4 reaped,
 * 5 fork, 6 vfork, 7 posix_spawn, 8 cow. failed: a bit per failing test. */
#define AFTER_USAGE 0x1fcu    /* everything that needs the 16 MiB run */
static const struct expectation {
	const char *dir;          /* under assignments/lab-fork/ */
	double score;
	unsigned failed;
	int needs_root;           /* only safe with the sandbox's uid and limits */
} expected[] = {
	{ "reference", 10, 0, 0 },
	/* the build fails: nothing else runs */
	{ "bad/no-compile", 0, 0x1ffu, 0 },
	/* killed at the wall-clock limit; pids cgroup and RLIMIT_NPROC bound it */
	{ "bad/fork-bomb", 2, AFTER_USAGE, 1 },
	/* killed by RLIMIT_CPU (SIGXCPU) or the wall clock */
	{ "bad/infinite-loop", 2, AFTER_USAGE, 0 },
	/* RLIMIT_AS makes malloc fail: it aborts */
	{ "bad/memory-hog", 2, AFTER_USAGE, 1 },
	/* SIGSEGV */
	{ "bad/crash", 2, AFTER_USAGE, 0 },
	/* three unreaped children: only the reaping test fails */
	{ "bad/zombies", 9, 0x010u, 0 },
	/* ns for us, no COW faults, raw wait status */
	{ "bad/wrong-figures", 6, 0x168u, 0 },
	/* plausible constants, nothing measured: the four measurement tests fail */
	{ "bad/constants", 6, 0x1e0u, 0 },
	/* looks for the project, homes and host files: the minimal root shows none */
	{ "bad/peek", 10, 0, 1 },
	/* its writes outside are refused, so it exits non-zero */
	{ "bad/escape", 8, 0x004u, 1 },
	/* no network: it exits 1 without figures */
	{ "bad/network", 3, 0x1ecu, 1 },
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
			       sub, "--out", out, NULL };
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

/* Nothing of the grading is left: no child of ours (zombie or running) and
 * no process of the sandbox uid. */
static void check_nothing_left(const char *name)
{
	char what[PATH_MAX];
	int zombies = count_zombie_children(getpid());
	pid_t stray = waitpid(-1, NULL, WNOHANG);

	snprintf(what, sizeof(what), "%s: no zombie or stray process left", name);
	CHECK(zombies == 0 && stray < 0 && errno == ECHILD, what, "%d zombies, waitpid gave %d", zombies, (int)stray);
	snprintf(what, sizeof(what), "%s: no process of uid %d left", name, SANDBOX_UID);
	CHECK(fb_sandbox_count_uid(SANDBOX_UID, 0) == 0, what, "%d left", fb_sandbox_count_uid(SANDBOX_UID, 0));
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

static void check_submission(const struct expectation *e, const char *assignments)
{
	char sub[PATH_MAX + 64], out[PATH_MAX], err[PATH_MAX + 8], what[256];
	const char *name = e->dir;
	int listener = strcmp(name, "bad/network") == 0 ? listen_loopback() : -1;
	unsigned failed = 0;
	double score = -1;
	json_error_t jerr;

	snprintf(sub, sizeof(sub), "%s/lab-fork/%s", assignments, name);
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
	snprintf(what, sizeof(what), "%s: scores %g with the expected tests failing", name, e->score);
	CHECK(score == e->score && failed == e->failed, what, "score %g, failed tests 0x%x (expected 0x%x)",
	      score, failed, e->failed);
	check_nothing_left(name);
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

/* A shell command's exit status (for the packaging steps). */
static int shell(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
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

/* make autograder's package: unpacked, it holds what Gradescope runs and no
 * solution; its run_autograder, pointed at a local root and at our build,
 * grades the reference into ROOT/results/results.json with full marks. */
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
	rc = shell("mkdir -p '%s/submission' && cp '%s/assignments/lab-fork/reference/'* '%s/submission/' && "
		   "AUTOGRADER_ROOT='%s' AUTOGRADER_SOURCE='%s' '%s/source/run_autograder' >/dev/null 2>&1",
		   ag, root, ag, ag, root, ag);
	snprintf(path, sizeof(path), "%s/results/results.json", ag);
	json_t *r = json_load_file(path, 0, NULL);
	double score = json_number_value(json_object_get(r, "score"));
	CHECK(rc == 0 && score == 10, "run_autograder grades the reference to full marks",
	      "status %d, score %g", rc, score);
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
	check_bad_spec("malformed JSON", "{ \"program\": \"./x\", \"tests\": [ }", assignments);
	check_bad_spec("unknown test kind", "{ \"program\": \"./x\", \"tests\": [ { \"name\": \"t\", "
		       "\"kind\": \"magic\", \"max_score\": 1 } ] }", assignments);
	check_bad_spec("measurement without tolerance", "{ \"program\": \"./x\", \"tests\": [ { \"name\": \"t\", "
		       "\"kind\": \"measurement\", \"max_score\": 1, \"figure\": \"f\", \"reference\": \"spawn/fork\", "
		       "\"metric\": \"real_time\", \"size_mib\": 1 } ] }", assignments);
	check_bad_usage(assignments);
	check_autograder();
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd))
		printf("# could not remove %s\n", tmp);
	return check_done();
}
