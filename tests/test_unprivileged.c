/* test_unprivileged.c - the run-and-report path as a normal user: as root the
 * test becomes nobody (uid and gid 65534) in a child, as anyone else it runs
 * as itself. A quick run must give the whole report, and every part that
 * needs root must say in words why it is left out or narrowed: perf stat's
 * cross-check counts user-mode faults only (minor-faults:u) under
 * perf_event_paranoid 2 and says so, or names why perf could not count;
 * perf-stat.log holds perf's own output or is not written; DAMON's
 * conditions say its sysfs is there but unreadable; phases say why they
 * were not traced. Never a temporary file's path or contents. Stand-in
 * perfs that fail as the real one does (denied, event not supported) must
 * leave the cause in words too. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <jansson.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "check.h"
#include "files.h"
#include "testutil.h"

#define NOBODY_ID 65534
/* scripts/cow-perf-check.sh writes every page of 64 MiB (4 KiB pages): the
 * COW faults it must count, and its tolerance (about ten pages the write
 * case also reads outside the suite's window). */
#define PROBE_PAGES (64 * 1024 * 1024 / 4096)
#define PERF_SLACK_FAULTS 32

static char build[PATH_MAX];

/* What this user may do here, seen by the test itself. */
struct here {
	int perf_counts;           /* `perf stat -e minor-faults -- true` counted */
	char perf_event[64];       /* the event as perf named it: "minor-faults:u" */
	int damon_unreadable;      /* /sys/kernel/mm/damon/admin there, nr_kdamonds unreadable */
};

/* perf stat's CSV line "46,,minor-faults:u,..." for a command of our own. */
static void probe_perf(struct here *h, const char *dir)
{
	char err[PATH_MAX + 16], line[256];
	const char *argv[] = { "perf", "stat", "-x,", "-e", "minor-faults", "--", "true", NULL };

	snprintf(err, sizeof(err), "%s/perf-probe.txt", dir);
	if (run_command(argv, NULL, err) != 0)
		return;
	FILE *f = fopen(err, "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *event = strchr(line, ',') ? strchr(strchr(line, ',') + 1, ',') : NULL;
		if (event && strncmp(event + 1, "minor-faults", 12) == 0) {
			snprintf(h->perf_event, sizeof(h->perf_event), "%.*s", (int)strcspn(event + 1, ","), event + 1);
			h->perf_counts = line[0] >= '0' && line[0] <= '9';
		}
	}
	if (f)
		fclose(f);
	unlink(err);
}

static void probe_here(struct here *h, const char *dir)
{
	memset(h, 0, sizeof(*h));
	probe_perf(h, dir);
	h->damon_unreadable = access("/sys/kernel/mm/damon/admin", F_OK) == 0 &&
			      access("/sys/kernel/mm/damon/admin/kdamonds/nr_kdamonds", R_OK) != 0;
}

/* The one run folder the run wrote under results, into run_dir. */
static int find_run(const char *results, char *run_dir, size_t len)
{
	char pattern[PATH_MAX + 8];
	glob_t g;

	snprintf(pattern, sizeof(pattern), "%s/2*", results);
	int found = glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc == 1;
	if (found)
		snprintf(run_dir, len, "%s", g.gl_pathv[0]);
	globfree(&g);
	return found ? 0 : -1;
}

/* A reason a person reads: no temp path, no pasted file heads or JSON. */
static int words_only(const char *text)
{
	return text && *text && !strstr(text, "/tmp/") && !strstr(text, "==>") && !strchr(text, '{') &&
	       !strchr(text, '\n');
}

/* The report.md section headed "## title", up to the next one (freed by the caller). */
static char *report_section(const char *report, const char *title)
{
	char head[128];
	snprintf(head, sizeof(head), "\n## %s\n", title);
	const char *at = strstr(report, head);
	if (!at)
		return NULL;
	const char *end = strstr(at + strlen(head), "\n## ");
	return strndup(at + strlen(head), end ? (size_t)(end - at - strlen(head)) : strlen(at + strlen(head)));
}

/* perf-stat.json against what perf does for this user, and the report's section. */
static void check_perf(const char *run_dir, const char *report, const struct here *h)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/perf-stat.json", run_dir);
	json_t *perf = json_load_file(path, 0, NULL);
	const char *verdict = json_string_value(json_object_get(perf, "verdict"));
	const char *summary = json_string_value(json_object_get(perf, "summary"));
	const char *event = json_string_value(json_object_get(perf, "event"));
	const char *counts = json_string_value(json_object_get(perf, "counts"));
	int user_only = strstr(h->perf_event, ":u") != NULL;
	char *section = report_section(report, "perf stat cross-check");

	if (!CHECK(perf && verdict && summary, "perf-stat.json written with a verdict and a summary", "%s",
		   perf ? "verdict or summary missing" : "no perf-stat.json"))
		goto out;
	CHECK(words_only(summary), "perf-stat.json's summary is words: no temp file's path or contents", "%s", summary);
	CHECK(section && strstr(section, summary), "the report's perf section shows that summary", "%s",
	      section ? section : "(no perf section)");
	if (!h->perf_counts) {
		const char *reason = json_string_value(json_object_get(perf, "reason"));
		CHECK(strcmp(verdict, "not run") == 0 && words_only(reason),
		      "perf cannot count here: not run, with the reason in words", "verdict %s, reason %s", verdict,
		      reason ? reason : "(none)");
		goto out;
	}
	json_int_t faults = json_integer_value(json_object_get(perf, "perf_minor_faults"));
	CHECK(strcmp(verdict, "agrees") == 0 && llabs((long long)faults - PROBE_PAGES) <= PERF_SLACK_FAULTS,
	      "perf counts here: it agrees, one COW fault per page written", "verdict %s, %lld faults for %d pages",
	      verdict, (long long)faults, PROBE_PAGES);
	CHECK(event && strcmp(event, h->perf_event) == 0, "the event recorded as perf named it for this user",
	      "recorded %s, perf here says %s", event ? event : "(none)", h->perf_event);
	CHECK(counts && strcmp(counts, user_only ? "user-only" : "user and kernel") == 0 &&
		      (strstr(summary, "user-only") != NULL) == user_only,
	      user_only ? "user-only counts (:u) recorded and said in the summary"
			: "whole counts recorded, the summary saying no user-only",
	      "counts %s; summary: %s", counts ? counts : "(none)", summary);
out:
	free(section);
	json_decref(perf);
}

/* perf-stat.log: perf's own output (its JSON lines name the event), or no file. */
static void check_perf_log(const char *run_dir)
{
	char path[PATH_MAX + 32];
	struct stat st;

	snprintf(path, sizeof(path), "%s/perf-stat.log", run_dir);
	if (stat(path, &st)) {
		CHECK(errno == ENOENT, "perf-stat.log holds perf's output or is not written", "stat: %s", strerror(errno));
		return;
	}
	char *log = fb_slurp(path, 1 << 20);
	CHECK(st.st_size > 0 && strstr(log, "minor-faults"), "perf-stat.log holds perf's output or is not written",
	      "%lld bytes, %s", (long long)st.st_size, strstr(log, "minor-faults") ? "naming the event" : "no perf output");
	free(log);
}

/* The report's value of an environment row "| label | value |", or NULL. */
static char *env_row(const char *report, const char *label)
{
	char head[96];
	snprintf(head, sizeof(head), "\n| %s | ", label);
	const char *at = strstr(report, head);
	return at ? strndup(at + strlen(head), strcspn(at + strlen(head), "|\n")) : NULL;
}

/* DAMON's sysfs unreadable by this user: its kdamonds and schemes unknown,
 * said so with the reason, never a count of 0 nor "started outside sysfs". */
static void check_damon(const char *report, const struct here *h)
{
	const char *name = "DAMON's sysfs there but unreadable: its kdamonds unknown, for want of permission";

	if (!h->damon_unreadable) {
		SKIP(name, "DAMON's sysfs admin interface is absent, or readable by this user");
		return;
	}
	char *on = env_row(report, "DAMON kdamonds running"), *schemes = env_row(report, "DAMON schemes");
	CHECK(on && schemes && strstr(on, "permission") && strstr(schemes, "unknown") &&
		      !strstr(report, "started outside the sysfs admin interface"),
	      name, "kdamonds running: %s; schemes: %s%s", on ? on : "(no row)", schemes ? schemes : "(no row)",
	      strstr(report, "started outside the sysfs admin interface") ? "; warns it started outside sysfs" : "");
	free(on);
	free(schemes);
}

/* Phases (tracefs, root's): traced, or not traced with the reason in words. */
static void check_phases(const char *report)
{
	const char *not = strstr(report, "\nNot traced: ");
	char *line = not ? strndup(not + 1, strcspn(not + 1, "\n")) : NULL;

	CHECK(!not || (words_only(line) && (strstr(line, "root") || strstr(line, "permission"))),
	      "phases traced, or not traced with the reason in words", "%s", line);
	free(line);
}

/* Stand-ins for perf that fail as the real one does for a normal user
 * (its words on stderr, or a "<not supported>" count in its -o file): the
 * reason scripts/cow-perf-check.sh records must name the cause in words. */
static const struct fake_perf {
	const char *what;
	const char *script;   /* the body of a fake `perf` */
	const char *phrase;   /* in the recorded reason */
} fake_perfs[] = {
	/* perf_event_paranoid above what this user may count at all (Debian's 3) */
	{ "denied by perf_event_paranoid",
	  "echo 'Error:' >&2\n"
	  "echo 'Access to performance monitoring and observability operations is limited.' >&2\n"
	  "echo 'perf_event_paranoid setting is 3:' >&2\nexit 255\n",
	  "permission: perf_event_paranoid is " },
	/* a kernel without the software event */
	{ "event not supported",
	  "while [ $# -gt 0 ]; do [ \"$1\" = -o ] && out=$2; shift; done\n"
	  "echo '{\"counter-value\" : \"<not supported>\", \"unit\" : \"\", \"event\" : \"minor-faults\"}' >\"$out\"\n",
	  "does not support the software event minor-faults" },
};

/* scripts/cow-perf-check.sh with each fake perf first on PATH. */
static void check_perf_reasons(const char *dir)
{
	char bin[PATH_MAX], fake[PATH_MAX + 8], out[PATH_MAX + 16], script[PATH_MAX + 48], path_env[PATH_MAX + 64];

	snprintf(bin, sizeof(bin), "%s/fakebin", dir);
	snprintf(fake, sizeof(fake), "%s/perf", bin);
	snprintf(out, sizeof(out), "%s/perf-stat.json", dir);
	snprintf(script, sizeof(script), "%s/../scripts/cow-perf-check.sh", build);
	snprintf(path_env, sizeof(path_env), "PATH=%s:/usr/bin:/bin", bin);
	mkdir(bin, 0755);
	for (size_t i = 0; i < sizeof(fake_perfs) / sizeof(fake_perfs[0]); i++) {
		const struct fake_perf *f = &fake_perfs[i];
		char name[160], body[1024];
		snprintf(name, sizeof(name), "perf %s: not run, the reason in words", f->what);
		snprintf(body, sizeof(body), "#!/bin/sh\n%s", f->script);
		const char *argv[] = { "env", path_env, script, build, out, "1", NULL };
		if (fb_write_file_atomic(fake, body, strlen(body)) || chmod(fake, 0755) || run_command(argv, NULL, NULL)) {
			BROKEN(name, "cannot write %s or run %s", fake, script);
			continue;
		}
		json_t *perf = json_load_file(out, 0, NULL);
		const char *reason = json_string_value(json_object_get(perf, "reason"));
		const char *verdict = json_string_value(json_object_get(perf, "verdict"));
		CHECK(verdict && strcmp(verdict, "not run") == 0 && words_only(reason) && strstr(reason, f->phrase), name,
		      "verdict %s, reason: %s", verdict ? verdict : "(none)", reason ? reason : "(none)");
		json_decref(perf);
	}
}

/* The quick run into a fresh folder of this user's, and every check on it. */
static int run_and_check(void)
{
	char results[] = "/tmp/fb-unprivileged-XXXXXX", run_dir[PATH_MAX], out[64], err[64], path[PATH_MAX + 16];
	const char *args[] = { "run", "--profile", "quick", "--filter", "^(calibrate/bare_fork|cow/child_write_all/mem_mib:1/)",
			       "--repetitions", "3", "--min-time", "0.002", "--results", results, NULL };
	struct here h;

	if (!mkdtemp(results))
		return BROKEN("a results folder of this user's", "mkdtemp: %s", strerror(errno)), 1;
	probe_here(&h, results);
	snprintf(out, sizeof(out), "%s/run.out", results);
	snprintf(err, sizeof(err), "%s/run.err", results);
	int status = run_forkbench_in(build, args, out, err);
	if (!CHECK(status == 0 && find_run(results, run_dir, sizeof(run_dir)) == 0,
		   "a quick run as this user succeeds and writes its run folder", "status %d (output in %s and %s)", status, out, err))
		return 1;
	snprintf(path, sizeof(path), "%s/report.md", run_dir);
	char *report = fb_slurp(path, 4 << 20);
	CHECK(*report, "the run wrote report.md", "%s is empty or missing", path);
	check_perf(run_dir, report, &h);
	check_perf_log(run_dir);
	check_damon(report, &h);
	check_phases(report);
	free(report);
	check_perf_reasons(results);
	if (check_failed == 0)
		fb_remove_tree(results);   /* kept on failure, to look at */
	else
		printf("# run kept in %s\n", results);
	return 0;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	build_dir(build, sizeof(build));
	printf("# as uid %d%s\n", getuid() ? (int)getuid() : NOBODY_ID, getuid() ? "" : " (nobody, from root)");
	if (getuid() != 0) {
		run_and_check();
		check_min_ran(8);
		return check_done();
	}
	/* Root: the same in a child that has become nobody; its points are the test's. */
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(NOBODY_ID) || setuid(NOBODY_ID)) {
			BROKEN("become nobody (uid and gid 65534)", "%s", strerror(errno));
			_exit(check_done());
		}
		run_and_check();
		check_min_ran(8);
		_exit(check_done());
	}
	int status = 0;
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (pid > 0 && WIFEXITED(status))
		return WEXITSTATUS(status);
	if (pid < 0)
		BROKEN("the test's child as nobody", "fork: %s", strerror(errno));
	else
		BROKEN("the test's child as nobody", "ended by signal %d", WTERMSIG(status));
	return check_done();
}
