/* test_phases.c - the phases read from recorded traces (tests/traces/, cut
 * from real runs on a 2-core VM: fork, vfork, posix_spawn of the worker,
 * the bare loop under forkbench-bench): marks, phases and faults checked
 * against figures read off the trace lines by hand; truncated, reordered
 * and lossy traces; the sum, overhead and fault checks on hand-built
 * figures; and the path where tracing is not allowed. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "files.h"
#include "phase_checks.h"
#include "phase_trace.h"
#include "phases.h"
#include "tracefs.h"
#include "results.h"

#define TRACES "tests/traces/"

static char *load(const char *name)
{
	char *text = fb_slurp(name, 1 << 20);
	if (text && !text[0]) {
		free(text);
		return NULL;
	}
	return text;
}

static int near(double a, double b)
{
	return fabs(a - b) < 0.01;
}

static const struct fb_phase *phase(const struct fb_phase_bench *b, const char *name)
{
	char have[64];
	for (size_t i = 0; i < b->nphases; i++) {
		fb_phase_name(b->phases[i].from, b->phases[i].to, have, sizeof(have));
		if (!strcmp(have, name))
			return &b->phases[i];
	}
	return NULL;
}

/* fork0.trace, the first round trip, read by eye (us past 30938 s):
 * sys_clone .617525, task_newtask .617635, sys_clone -> child .617641,
 * sys_wait4 .617691, switch to the child .617694, the child's sys_clone
 * -> 0 .617740, its exit_group .617918, sched_process_exit .617922, its
 * switch away as Z .618027, sys_wait4 -> child .618044. Faults: the
 * parent 2 COW (0x7) between its return and wait4; the child 3 COW (0x7)
 * and 4 instruction fetches (0x14) between its return and exit_group. */
static void fork_marks(const struct fb_trace_read *r)
{
	const struct fb_trace_iter *it = &r->iters[0];
	static const double at[FB_MARKS] = {
		[FB_MARK_ENTER] = 617525, [FB_MARK_CREATED] = 617635, [FB_MARK_PARENT_BACK] = 617641,
		[FB_MARK_WAIT] = 617691, [FB_MARK_FIRST_RUN] = 617694, [FB_MARK_CHILD_BACK] = 617740,
		[FB_MARK_EXEC] = NAN, [FB_MARK_EXEC_DONE] = NAN, [FB_MARK_EXIT] = 617918,
		[FB_MARK_EXITED] = 617922, [FB_MARK_GONE] = 618027, [FB_MARK_REAPED] = 618044,
	};
	int ok = 1;
	for (int m = 0; m < FB_MARKS; m++) {
		double got = it->at_us[m] - 30938000000.0;
		if (isnan(at[m]) ? !isnan(it->at_us[m]) : !near(got, at[m])) {
			CHECK(0, "fork: the first round trip's marks", "%s: %.1f, read by hand %.1f", fb_mark_name(m), got, at[m]);
			ok = 0;
		}
	}
	if (ok)
		CHECK(1, "fork: the first round trip's marks", " ");
	CHECK(it->child == 18036 && it->parent == 18016, "fork: parent and child", "%d, %d", it->parent, it->child);
	CHECK(it->faults[FB_MARK_WAIT][FB_TASK_PARENT][FB_FAULT_COW] == 2 &&
	      it->faults[FB_MARK_EXIT][FB_TASK_CHILD][FB_FAULT_COW] == 3 &&
	      it->faults[FB_MARK_EXIT][FB_TASK_CHILD][FB_FAULT_EXEC] == 4,
	      "fork: faults in the phase they fell in, by kind", "parent cow %g, child cow %g exec %g",
	      it->faults[FB_MARK_WAIT][FB_TASK_PARENT][FB_FAULT_COW], it->faults[FB_MARK_EXIT][FB_TASK_CHILD][FB_FAULT_COW],
	      it->faults[FB_MARK_EXIT][FB_TASK_CHILD][FB_FAULT_EXEC]);
}

/* fork0's copies (sys_clone to task_newtask) by hand: 110, 55, 53, 88 us:
 * median 71.5, p90 (R's type 7) 88 + 0.7 x 22 = 103.4. */
static void test_fork_figures(const struct fb_phase_bench *b)
{
	const struct fb_phase *copy = phase(b, "copy");
	CHECK(copy && near(copy->median_us, 71.5) && near(copy->p90_us, 103.4), "fork: copy's median and p90",
	      "%.2f, %.2f; by hand 71.5, 103.4", copy ? copy->median_us : NAN, copy ? copy->p90_us : NAN);
}

/* The same lines in another order (each CPU's buffer printed in turn):
 * the same round trips. */
static void test_reordered(const char *text, const struct fb_phase_bench *want)
{
	size_t n = strlen(text), lines = 0;
	char *copy = malloc(n + 2), *out = malloc(n + 2), *line[512];
	pid_t worker = 18016;
	struct fb_trace_read r;

	memcpy(copy, text, n + 1);
	for (char *l = strtok(copy, "\n"); l && lines < 512; l = strtok(NULL, "\n"))
		line[lines++] = l;
	out[0] = '\0';
	for (size_t i = lines; i-- > 0;)   /* every line backwards */
		strcat(strcat(out, line[i]), "\n");
	struct fb_phase_bench b = { .traced_us = 1 };
	if (fb_trace_parse(out, &worker, 1, &r) == 0) {
		fb_phases_summarise(&r, &b);
		CHECK(r.count == 4 && b.nphases == want->nphases && near(b.span_us, want->span_us) &&
		      near(b.phases[0].median_us, want->phases[0].median_us),
		      "reordered lines: the same round trips and phases", "%zu round trips, %zu phases, span %.1f (%.1f)",
		      r.count, b.nphases, b.span_us, want->span_us);
		fb_trace_read_free(&r);
	} else
		BROKEN("reordered lines: the same round trips and phases", "parse failed");
	free(copy);
	free(out);
}

/* Cut in the middle of the line after the fourth round trip's sys_clone:
 * three whole, one started and not reaped, the cut line not an event. */
static void test_truncated(const char *text)
{
	const char *fourth = text;
	pid_t worker = 18016;
	struct fb_trace_read r;

	for (int i = 0; i < 4 && fourth; i++)
		fourth = strstr(fourth + 1, "sys_clone(");
	char *cut = fourth ? strndup(text, (size_t)(strchr(fourth, '\n') - text) + 40) : NULL;
	if (cut && fb_trace_parse(cut, &worker, 1, &r) == 0) {
		CHECK(r.count == 3 && r.incomplete == 1 && r.bad_lines == 1, "truncated: 3 whole, 1 started, 1 bad line",
		      "%zu whole, %zu incomplete, %zu bad", r.count, r.incomplete, r.bad_lines);
		fb_trace_read_free(&r);
	} else
		BROKEN("truncated: 3 whole, 1 started, 1 bad line", "parse failed");
	free(cut);
}

/* The kernel's own count of what it could not keep: the header's
 * written minus kept, and each CPU's "[LOST N EVENTS]". */
static void test_lost(void)
{
	const char *text = "# entries-in-buffer/entries-written: 100/108   #P:2\n"
			   "CPU:1 [LOST 5 EVENTS]\n";
	pid_t worker = 1;
	struct fb_trace_read r = { 0 };
	CHECK(fb_trace_parse(text, &worker, 1, &r) == 0 && r.lost_events == 13 && r.count == 0,
	      "lost events: 8 in the header and 5 on a CPU", "%zu", r.lost_events);
	fb_trace_read_free(&r);
}

static int trace_of(const char *file, pid_t parent, struct fb_trace_read *r, struct fb_phase_bench *b)
{
	char *text = load(file);
	int err = !text || fb_trace_parse(text, &parent, 1, r);
	free(text);
	if (!err)
		fb_phases_summarise(r, b);
	return err;
}

/* vfork0: the parent sleeps until the child's exit releases it. The
 * first round trip's child was gone (Z, .237833) before the parent came
 * back (.237835); in the other three, the woken parent preempted the dying
 * child (R+) and came back 8, 8 and 7 us after sched_process_exit. */
static void test_vfork(void)
{
	struct fb_trace_read r;
	struct fb_phase_bench b = { .traced_us = 1 };

	if (trace_of(TRACES "vfork0.trace", 17718, &r, &b)) {
		BROKEN("vfork: the usual path", "cannot read " TRACES "vfork0.trace");
		return;
	}
	const struct fb_phase *resumes = phase(&b, "parent_resumes");
	CHECK(r.count == 4 && b.on_path == 3 && resumes && near(resumes->median_us, 8) && phase(&b, "child_wait"),
	      "vfork: 3 of 4 on the usual path, the parent resumes 8 us after the child's exit",
	      "%zu round trips, %zu on the path, parent_resumes %.1f", r.count, b.on_path, resumes ? resumes->median_us : NAN);
	fb_trace_read_free(&r);
}

/* posix_spawn0: clone3 with CLONE_VM|CLONE_VFORK, the child execs: its
 * execve (.658037) releases the parent (.658195) before the new image is
 * in place (.658405); the new image's faults fall in image_run. */
static void test_posix_spawn(void)
{
	struct fb_trace_read r;
	struct fb_phase_bench b = { .traced_us = 1 };

	if (trace_of(TRACES "posix_spawn0.trace", 16724, &r, &b)) {
		BROKEN("posix_spawn: exec marks", "cannot read " TRACES "posix_spawn0.trace");
		return;
	}
	const struct fb_trace_iter *it = r.count ? &r.iters[0] : NULL;
	CHECK(it && near(it->at_us[FB_MARK_EXEC] - 30936000000.0, 658037) &&
	      near(it->at_us[FB_MARK_PARENT_BACK] - 30936000000.0, 658195) &&
	      near(it->at_us[FB_MARK_EXEC_DONE] - 30936000000.0, 658405) && phase(&b, "exec_releases_parent") &&
	      phase(&b, "image_run") && b.faults[FB_TASK_CHILD][FB_FAULT_EXEC] > 0,
	      "posix_spawn: exec, the parent released, the new image and its faults", "%zu round trips, %zu phases",
	      r.count, b.nphases);
	fb_trace_read_free(&r);
}

/* bare_fork0 follows forkbench-bench, whose posix_spawn of fb-bare (pid
 * 16341) is in the trace too: only fb-bare's forks are round trips. */
static void test_bare(void)
{
	struct fb_trace_read r;
	struct fb_phase_bench b = { .traced_us = 1 };

	if (trace_of(TRACES "bare_fork0.trace", 16341, &r, &b)) {
		BROKEN("bare loop: only its own forks", "cannot read " TRACES "bare_fork0.trace");
		return;
	}
	CHECK(r.count == 4 && r.iters[0].parent == 16341 && b.nphases == 9, "bare loop: only its own forks",
	      "%zu round trips, parent %d, %zu phases", r.count, r.count ? r.iters[0].parent : 0, b.nphases);
	fb_trace_read_free(&r);
}

static void test_fork(void)
{
	char *text = load(TRACES "fork0.trace");
	pid_t worker = 18016, wrong = 18017;
	struct fb_trace_read r;

	if (!text || fb_trace_parse(text, &worker, 1, &r)) {
		BROKEN("fork: the recorded trace", "cannot read " TRACES "fork0.trace (run from the source tree)");
		free(text);
		return;
	}
	CHECK(r.count == 4 && r.incomplete == 0 && r.lost_events == 0 && r.bad_lines == 0,
	      "fork: 4 whole round trips, nothing lost", "%zu whole, %zu incomplete, %zu lost, %zu bad", r.count,
	      r.incomplete, r.lost_events, r.bad_lines);
	if (r.count)
		fork_marks(&r);
	struct fb_phase_bench b = { .traced_us = 1, .untraced_us = 1 };
	fb_phases_summarise(&r, &b);
	static const char *const order[] = { "copy", "parent_return", "parent_to_wait", "switch_to_child", "child_return",
					     "child_run", "exit", "exit_teardown", "reap" };
	char name[64];
	int same = b.nphases == 9;
	for (size_t i = 0; same && i < b.nphases; i++) {
		fb_phase_name(b.phases[i].from, b.phases[i].to, name, sizeof(name));
		same = !strcmp(name, order[i]);
	}
	CHECK(same && b.on_path == 4, "fork: the nine phases of a fork on one CPU, in order", "%zu phases, %zu on the path",
	      b.nphases, b.on_path);
	test_fork_figures(&b);
	test_reordered(text, &b);
	test_truncated(text);
	fb_trace_read_free(&r);
	CHECK(fb_trace_parse(text, &wrong, 1, &r) == 0 && r.count == 0, "fork: another parent's trace has no round trip",
	      "%zu", r.count);
	fb_trace_read_free(&r);
	free(text);
}

/* A run's bench.json with one COW case that counted 256 faults. */
static int cow_results(struct fb_results *res)
{
	char dir[] = "/tmp/fb-phases-XXXXXX", file[64], err[256];
	const char *doc = "{\"context\": {}, \"benchmarks\": [{\"name\": \"cow/child_write_all/mem_mib:1/mode:4k/manual_time\", "
			  "\"run_name\": \"cow/child_write_all/mem_mib:1/mode:4k/manual_time\", \"run_type\": \"iteration\", "
			  "\"repetitions\": 1, \"repetition_index\": 0, \"iterations\": 4, \"real_time\": 3000, "
			  "\"cpu_time\": 1, \"time_unit\": \"us\", \"iter_median_ns\": 3000000, \"faults_perf\": 256}]}";
	if (!mkdtemp(dir))
		return -1;
	snprintf(file, sizeof(file), "%s/bench.json", dir);
	int rc = fb_write_file_atomic(file, doc, strlen(doc)) || fb_results_load(file, res, err, sizeof(err));
	unlink(file);
	rmdir(dir);
	return rc;
}

static struct fb_phase_bench made(const char *name, double span, double traced, double untraced, double cow)
{
	struct fb_phase_bench b = { .span_us = span, .traced_us = traced, .untraced_us = untraced,
				    .overhead = traced / untraced, .nphases = 1 };
	snprintf(b.name, sizeof(b.name), "%s", name);
	fb_key_parse(name, &b.key);
	b.phases[0] = (struct fb_phase){ .from = FB_MARK_ENTER, .to = FB_MARK_REAPED, .median_us = span };
	b.faults[FB_TASK_CHILD][FB_FAULT_COW] = cow;
	return b;
}

/* The rules on hand-made figures: the trace's span within 10% of the
 * worker's own round trip, the traced batches at most 1.10x the untraced,
 * a COW child's traced COW faults within 16 of its perf count (256). */
static void test_checks(void)
{
	struct fb_phase_bench benches[] = {
		made("spawn/fork/mem_mib:0/mode:4k", 440, 400, 364, 3),     /* 1.10, 1.0989: both hold */
		made("spawn/vfork/mem_mib:0/mode:4k", 444, 400, 360, 0),    /* 1.11, 1.111: neither */
		made("cow/child_write_all/mem_mib:1/mode:4k", 4700, 3000, 2950, 272),   /* span not its figure; 272-256 = 16 */
		made("cow/child_write_all/mem_mib:1/mode:4k", 4700, 3000, 2950, 273),
	};
	struct fb_phases p = { .allowed = 1, .benches = benches, .count = 4 };
	struct fb_results res;
	struct fb_phase_judgement j;

	if (cow_results(&res) || fb_phase_judge(&p, &res, &j)) {
		BROKEN("checks: sum, overhead, faults", "cannot load the hand-made bench.json");
		return;
	}
	CHECK(j.items[0].sum == FB_AGREE && j.items[0].overhead == FB_AGREE, "checks: 1.10x span and 1.099x overhead hold",
	      "sum %d (%.4f), overhead %d (%.4f)", j.items[0].sum, j.items[0].span_ratio, j.items[0].overhead,
	      j.items[0].overhead_ratio);
	CHECK(j.items[1].sum == FB_DISAGREE && j.items[1].overhead == FB_DISAGREE, "checks: 1.11x span and overhead do not",
	      "sum %d, overhead %d", j.items[1].sum, j.items[1].overhead);
	CHECK(j.items[2].sum == FB_UNCHECKED && j.items[2].faults == FB_AGREE && j.items[3].faults == FB_DISAGREE &&
	      near(j.items[2].faults_counted, 256),
	      "checks: a COW case's span is not its figure; 16 faults off holds, 17 do not",
	      "sum %d, faults %d / %d, counted %.0f", j.items[2].sum, j.items[2].faults, j.items[3].faults,
	      j.items[2].faults_counted);
	CHECK(j.sum_off == 1 && j.overhead_above == 1 && j.faults_off == 1, "checks: the counts of failed checks",
	      "%zu %zu %zu", j.sum_off, j.overhead_above, j.faults_off);
	fb_phase_judgement_free(&j);
	fb_results_free(&res);
}

static void add_phase(struct fb_phase_bench *b, enum fb_mark from, enum fb_mark to, double us, double kernel)
{
	b->phases[b->nphases++] = (struct fb_phase){ .from = from, .to = to, .median_us = us };
	b->phases[b->nphases - 1].faults[FB_TASK_CHILD][FB_FAULT_KERNEL] = kernel;
	b->span_us += us;
}

/* glibc's fork against the raw clone, phase by phase: the child's first
 * return differs most (46 against 19 us, with one fault in the kernel),
 * then the parent's way to wait4 (45 against 31). */
static void test_reading(void)
{
	struct fb_phase_bench benches[2] = {
		made("spawn/fork/mem_mib:0/mode:4k", 0, 1, 1, 0), made("spawn/clone/mem_mib:0/mode:4k", 0, 1, 1, 0),
	};
	static const double us[2][3] = { { 103, 45, 46 }, { 104, 31, 19 } };
	struct fb_phases p = { .allowed = 1, .benches = benches, .count = 2 };
	struct fb_phase_judgement j;

	for (int i = 0; i < 2; i++) {
		benches[i].nphases = 0;
		benches[i].span_us = 0;
		add_phase(&benches[i], FB_MARK_ENTER, FB_MARK_CREATED, us[i][0], 0);
		add_phase(&benches[i], FB_MARK_PARENT_BACK, FB_MARK_WAIT, us[i][1], 0);
		add_phase(&benches[i], FB_MARK_FIRST_RUN, FB_MARK_CHILD_BACK, us[i][2], i == 0);
	}
	if (fb_phase_judge(&p, NULL, &j)) {
		BROKEN("reading: glibc's fork against clone", "out of memory");
		return;
	}
	const char *a = j.readings[2].answer, *first = strstr(a, "child_return 46 vs 19 us (faults: child 1 kernel vs none)"),
		   *second = strstr(a, "parent_to_wait 45 vs 31 us");
	CHECK(first && second && first < second && strstr(a, "194 us") && strstr(a, "154 us"),
	      "reading: glibc's fork against clone, the largest difference first", "'%s'", a);
	CHECK(!j.readings[1].answer[0], "reading: no bare loop traced, no answer", "'%s'", j.readings[1].answer);
	fb_phase_judgement_free(&j);
}

static pid_t never_follow(void *point, char *reason, size_t len)
{
	(void)point;
	return snprintf(reason, len, "not reached"), -EPERM;
}

static int never_batch(void *point, int64_t *ns, size_t n, pid_t *parent, char *reason, size_t len)
{
	(void)point, (void)ns, (void)n, (void)parent;
	return snprintf(reason, len, "not reached"), -EPERM;
}

/* Where tracing is not allowed (an unprivileged uid: root drops to
 * nobody in a child first), points.json says so and why, and the phases
 * read from it carry the why. */
static void test_not_allowed(void)
{
	char dir[] = "/tmp/fb-phases-XXXXXX", sub[64];
	const struct fb_trace_point point = { "spawn/fork/mem_mib:0/mode:4k", NULL, never_follow, never_batch };
	struct fb_phases p;
	char err[256];
	int status = -1;

	if (!mkdtemp(dir) || chmod(dir, 0777)) {
		BROKEN("not allowed: points.json says why", "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(sub, sizeof(sub), "%s/trace", dir);
	pid_t pid = fork();
	if (pid == 0) {
		if (geteuid() == 0 && (setgid(65534) || setuid(65534)))
			_exit(3);
		_exit(fb_phase_trace_run(sub, &point, 1) ? 4 : 0);
	}
	waitpid(pid, &status, 0);
	if (status == 0 && fb_phases_build(sub, &p, err, sizeof(err)) == 0) {
		CHECK(!p.allowed && strstr(p.why, "root") && p.count == 0, "not allowed: points.json says why",
		      "allowed %d, why '%s', %zu points", p.allowed, p.why, p.count);
		fb_phases_free(&p);
	} else
		BROKEN("not allowed: points.json says why", "the unprivileged pass: wait status 0x%x, %s", status,
		       status ? "" : err);
	fb_remove_tree(dir);
}

/* The overhead round by round: rounds of 2 at 1.1x, 1.1x and 1.65x over
 * their own untraced batch read 1.1x; pooled, the medians (165 over 100)
 * would say 1.65x, because the machine was twice as slow in round 2. */
static void test_overhead_rounds(void)
{
	char dir[] = "/tmp/fb-phases-XXXXXX", file[64], err[256];
	const char *doc = "{\"allowed\": true, \"why\": null, \"faults_traced\": true, \"points\": [{\"name\": "
			  "\"spawn/fork/mem_mib:0/mode:4k\", \"file\": \"0.trace\", \"batch\": 2, \"rounds\": 3, "
			  "\"parent_pids\": [1, 1, 1], \"untraced_ns\": [100, 100, 200, 200, 100, 100], "
			  "\"traced_ns\": [110, 110, 220, 220, 165, 165], \"error\": \"kept out of the trace\"}]}";
	struct fb_phases p;

	snprintf(file, sizeof(file), "%s/points.json", mkdtemp(dir) ? dir : "/nonexistent");
	if (fb_write_file_atomic(file, doc, strlen(doc)) || fb_phases_build(dir, &p, err, sizeof(err))) {
		BROKEN("overhead: the median of the rounds' ratios", "cannot write or read %s", file);
		return;
	}
	CHECK(p.count == 1 && near(p.benches[0].overhead, 1.1) && near(p.benches[0].traced_us, 0.165) &&
	      !strcmp(p.benches[0].error, "kept out of the trace"),
	      "overhead: the median of the rounds' ratios, not of the pooled medians", "%.4f, traced %.4f us, error '%s'",
	      p.count ? p.benches[0].overhead : NAN, p.count ? p.benches[0].traced_us : NAN,
	      p.count ? p.benches[0].error : "");
	fb_phases_free(&p);
	fb_remove_tree(dir);
}

/* An instance left by a forkbench-bench that SIGKILL ended (its pid
 * gone) is removed; one of a living process is not. */
static void test_stale_instance(void)
{
	char dead[128], alive[128];
	pid_t pid = fork();

	int mounted = 0;

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	/* root where nothing mounted tracefs (a minimal VM): as the run would */
	if (geteuid() == 0 && access("/sys/kernel/tracing/instances", F_OK))
		mounted = mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0;
	if (access("/sys/kernel/tracing/instances", W_OK)) {
		SKIP("a stale ftrace instance is removed", "tracefs is not writable by this uid (root's, or not mounted)");
		return;
	}
	snprintf(dead, sizeof(dead), "/sys/kernel/tracing/instances/forkbench-%d", (int)pid);
	snprintf(alive, sizeof(alive), "/sys/kernel/tracing/instances/forkbench-%d", (int)getpid());
	if (mkdir(dead, 0700) || mkdir(alive, 0700)) {
		BROKEN("a stale ftrace instance is removed", "mkdir: %s", strerror(errno));
		rmdir(dead);
		return;
	}
	fb_tracefs_remove_stale();
	CHECK(access(dead, F_OK) && access(alive, F_OK) == 0, "a stale ftrace instance is removed, a living one kept",
	      "dead pid's %s, living pid's %s", access(dead, F_OK) ? "gone" : "left", access(alive, F_OK) ? "gone" : "kept");
	rmdir(dead);
	rmdir(alive);
	if (mounted)
		umount2("/sys/kernel/tracing", MNT_DETACH);
}

int main(void)
{
	test_stale_instance();
	test_overhead_rounds();
	test_checks();
	test_reading();
	test_not_allowed();
	test_fork();
	test_lost();
	test_vfork();
	test_posix_spawn();
	test_bare();
	check_min_ran(5);
	return check_done();
}
