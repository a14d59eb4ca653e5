/* report_breadth.c - the report's sections beyond fork against memory: the
 * parent's shape (shape family), exit and reaping (the spawn rows' exit_ns,
 * the late reap of a zombie, pidfd), kernel against user-level switching
 * (switch family beside threads' swapcontext and hand-written switch) and
 * concurrency (storm family). */
#include "report_parts.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "counters.h"
#include "plot.h"
#include "stats.h"
#include "files.h"
#include "text.h"

/* A cell that may hold a skip or no-resource reason. */
#define FB_REASON_TEXT 256

/* The median time, or why there is none (skip reason, no-resource). */
static const char *median_or_why(const struct fb_result *r, char *buf, size_t len)
{
	if (!r)
		return snprintf(buf, len, "not run"), buf;
	if (r->error || !r->nreps)
		return snprintf(buf, len, "%s", r->error ? r->error : "no data"), buf;
	return fb_fmt_ns(fb_result_median_ns(r), buf, len);
}

/* A family's section opens with its heading and what it measures; 0 when
 * the run holds none of its benchmarks (the section is left out). */
static int family_intro(struct fb_doc *doc, const struct fb_results *res, const char *family, const char *title,
			const char *what)
{
	if (!fb_results_has_family(res, family))
		return 0;
	fb_doc_heading(doc, 2, title);
	fb_doc_para(doc, "%s", what);
	return 1;
}


static int section_shape(struct fb_doc *doc, const char *run_dir, const struct fb_results *res, char *err,
			 size_t len)
{
	if (!family_intro(doc, res, "shape", "The parent's shape (shape)", "fork copies more than resident memory: every mapping (VMA) is duplicated with its "
		    "page-table range, every open file is referenced from the child's new file table, and the "
		    "parent's other threads are not copied at all (only the calling thread forks) but their stacks "
		    "are mappings too. Each case varies one of these in an otherwise idle 0 MiB worker; the slope "
		    "is the cost of one more unit on this machine. Points that hit a limit (vm.max_map_count, "
		    "RLIMIT_NOFILE) are recorded as no-resource, with the limit."))
		return 0;
	if (fb_report_axes(doc, run_dir, res, "shape", err, len))
		return -1;
	fb_report_family_table(doc, run_dir, res, "shape");
	return 0;
}

/* exit_ns of the fork-like rows at 0 MiB and the largest size measured. */
static void exit_table(struct fb_doc *doc, const struct fb_results *res)
{
	static const char *const head[] = { "case", "memory", "mode", "round trip (median)", "exit_ns",
					     "share of the same iterations' round trip" };
	static const char *const cases[] = { "fork", "clone3", "vfork", "fork_exec_static", "posix_spawn_static" };
	static const char *const modes[] = { "4k", "thp" };
	long top = fb_results_max_mib(res, "spawn", "fork");

	fb_doc_table(doc, 6, head);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
		for (size_t m = 0; m < 2; m++)
			for (long mib = 0;; mib = top) {
				const struct fb_result *r = fb_results_at(res, "spawn", cases[c], mib, modes[m]);
				double trip = r && !r->error && r->nreps ? fb_result_median_ns(r) : NAN,
				       exit_ns = fb_result_counter_median(r, fb_ctr_exit_ns),
				       stamped = fb_result_counter_median(r, fb_ctr_stamped_trip_ns);
				char size[24], a[32], b[32], share[16];
				snprintf(size, sizeof(size), "%ld MiB", mib);
				snprintf(share, sizeof(share), isnan(exit_ns / stamped) ? "-" : "%.0f%%", 100 * exit_ns / stamped);
				if (r)
					fb_doc_row(doc, (const char *const[]){ cases[c], size, modes[m], fb_fmt_ns(trip, a, 32),
									      fb_fmt_ns(exit_ns, b, 32), share });
				if (mib == top || top <= 0)
					break;
			}
}

/* The late reap and the pidfd rows: figure, counters, or the skip reason. */
static void reap_table(struct fb_doc *doc, const struct fb_results *res)
{
	static const char *const head[] = { "case", "figure (round trip; pidfd_kill: signal to reap)", "reap_ns", "signal_ns", "zombie seen (/proc state Z)" };
	static const char *const cases[] = { "fork_reap_late", "clone3_pidfd", "pidfd_spawn_static", "pidfd_kill" };

	fb_doc_table(doc, 5, head);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const struct fb_result *r = fb_results_at(res, "spawn", cases[c], 0, "4k");
		char a[FB_REASON_TEXT], b[32], d[32], z[16];
		double seen = fb_result_counter_median(r, fb_ctr_zombie_seen);
		snprintf(z, sizeof(z), isnan(seen) ? "-" : "%.2f", seen);
		fb_doc_row(doc, (const char *const[]){ cases[c], median_or_why(r, a, sizeof(a)),
						      fb_fmt_ns(fb_result_counter_median(r, fb_ctr_reap_ns), b, 32),
						      fb_fmt_ns(fb_result_counter_median(r, fb_ctr_signal_ns), d, 32), z });
	}
}

static int section_exit(struct fb_doc *doc, const char *run_dir, const struct fb_results *res, char *err, size_t len)
{
	static const struct fb_plot_series series[] = {
		{ "fork", "spawn", "fork", fb_ctr_exit_ns }, { "clone3", "spawn", "clone3", fb_ctr_exit_ns },
		{ "vfork", "spawn", "vfork", fb_ctr_exit_ns }, { "fork_exec_static", "spawn", "fork_exec_static", fb_ctr_exit_ns },
	};

	if (isnan(fb_result_counter_median(fb_results_at(res, "spawn", "fork", 0, "4k"), fb_ctr_exit_ns)))
		return 0;
	fb_doc_heading(doc, 2, "Exit and reaping");
	fb_doc_para(doc, "exit_ns runs from the child's last instruction (its clock read just before _exit, "
		    "then one write of its stamps) to waitpid returning in the parent: do_exit tears down the "
		    "address space (exit_mm: every page-table page of a 4 KiB parent's copy is freed), turns the "
		    "child into a zombie and wakes the parent with SIGCHLD; waitpid then releases the task. "
		    "Measured on the iterations whose child stamps (one in 8 for children that do not exec, the "
		    "first of every batch among them): a mean over those, so its share is taken of the same "
		    "iterations' mean round trip (stamped_trip_ns), not of the median.");
	int ncols = fb_plot_data_memory(res, run_dir, "exit_memory", series, sizeof(series) / sizeof(series[0]));
	if (ncols) {
		if (fb_report_memory_plot(run_dir, "exit_memory", ncols, "exit_ns: child _exit to waitpid return (ns)",
					  "Exit and reap vs parent memory (4k: solid, thp: dashed)", err, len))
			return -1;
		fb_doc_image(doc, "exit_memory", "Exit and reap vs parent memory");
	}
	exit_table(doc, res);
	fb_doc_heading(doc, 3, "A zombie reaped late, and pidfd");
	fb_doc_para(doc, "fork_reap_late waits until the child is a zombie without reaping it (waitid WNOWAIT), "
		    "checks /proc/PID/stat says Z, then times waitpid alone (reap_ns). clone3_pidfd reaps through "
		    "a pidfd (waitid P_PIDFD); pidfd_kill times pidfd_send_signal(SIGKILL) of a blocked child "
		    "(signal_ns) and its reap; pidfd_spawn needs glibc 2.39.");
	reap_table(doc, res);
	return 0;
}

/* Bars of a counter's median with min..max over repetitions. */
static int counter_bars(const struct fb_results *res, const char *run_dir, const char *stem,
			const struct fb_bench_key *keys, size_t nkeys, const char *name)
{
	char path[4096];
	struct fb_membuf buf;
	int rows = 0;

	snprintf(path, sizeof(path), "%s/plots", run_dir);
	if (fb_mkdir(path) || fb_membuf_open(&buf))
		return 0;
	fputs("case median min max\n", buf.f);
	for (size_t i = 0; i < nkeys; i++) {
		const struct fb_result *r = fb_results_get(res, &keys[i]);
		double lo, mid = fb_result_counter_median(r, name), hi;
		if (isnan(mid) || fb_result_counter_range(r, name, &lo, &hi))
			continue;
		fprintf(buf.f, "%s %.3f %.3f %.3f\n", keys[i].kase, mid, lo, hi);
		rows++;
	}
	snprintf(path, sizeof(path), "%s/plots/%s.dat", run_dir, stem);
	return fb_membuf_commit(&buf, path) == 0 ? rows : 0;
}

/* Switch for switch: the kernel's (a futex or a pipe between two threads
 * or two processes) against the user-level ones of the threads family. */
static const struct fb_bench_key switch_keys[] = {
	FB_KEY0("switch", "futex_pingpong_threads/cpus:1"), FB_KEY0("switch", "pipe_pingpong_threads/cpus:1"),
	FB_KEY0("switch", "pipe_pingpong_processes/cpus:1"), FB_KEY0("switch", "futex_pingpong_threads/cpus:2"),
	FB_KEY0("switch", "pipe_pingpong_threads/cpus:2"), FB_KEY0("switch", "pipe_pingpong_processes/cpus:2"),
	FB_KEY0("threads", "ucontext_switch"), FB_KEY0("threads", "bare_switch"),
};

static int section_switch(struct fb_doc *doc, const char *run_dir, const struct fb_results *res, char *err,
			  size_t len)
{
	static const char *const head[] = { "benchmark", "ns per switch", "context switches per round trip",
					     "x the hand-written switch" };
	const size_t nkeys = sizeof(switch_keys) / sizeof(switch_keys[0]);
	double bare = fb_result_counter_median(fb_results_get(res, &switch_keys[nkeys - 1]), fb_ctr_ns_per_switch);

	if (!family_intro(doc, res, "switch", "Switching: kernel against user level (switch)", "A round trip passes control there and back: two switches. Between two threads through "
		    "a futex, between two threads and between two processes through a pair of pipes (LMbench "
		    "lat_ctx's method), on one CPU (every hand-over is a context switch through the scheduler) and "
		    "on two (a wake-up of a task on the other CPU); beside makecontext/swapcontext (one "
		    "rt_sigprocmask system call per switch) and the hand-written switch (no system call)."))
		return 0;
	if (counter_bars(res, run_dir, "switch_cost", switch_keys, nkeys, fb_ctr_ns_per_switch)) {
		if (fb_plot_render(run_dir, "bars", "switch_cost", "plottitle='One switch: kernel against user level'; "
				   "ylab='ns per switch (log scale): bar median, whisker min..max'; logy=1", err, len))
			return -1;
		fb_doc_image(doc, "switch_cost", "One switch: kernel against user level");
	}
	fb_doc_table(doc, 4, head);
	for (size_t i = 0; i < nkeys; i++) {
		const struct fb_result *r = fb_results_get(res, &switch_keys[i]);
		char name[FB_KEY_NAME_MAX], a[FB_REASON_TEXT], b[16], c[16];
		double ns = fb_result_counter_median(r, fb_ctr_ns_per_switch),
		       ctx = fb_result_counter_median(r, fb_ctr_ctx_switches_per_round_trip);
		if (!r)
			continue;
		snprintf(b, sizeof(b), isnan(ctx) ? "-" : "%.2f", ctx);
		snprintf(c, sizeof(c), isnan(ns / bare) ? "-" : "%.0f", ns / bare);
		fb_doc_row(doc, (const char *const[]){ fb_key_format(&switch_keys[i], name, sizeof(name)),
						      isnan(ns) ? median_or_why(r, a, sizeof(a)) : fb_fmt_ns(ns, a, sizeof(a)),
						      b, c });
	}
	fb_report_family_table(doc, run_dir, res, "switch");
	return 0;
}

/* parallel_fork: throughput and latency percentiles per number of forkers. */
static void forkers_table(struct fb_doc *doc, const struct fb_results *res)
{
	static const char *const head[] = { "forkers", "time per fork (aggregate)", "forks/s", "x forkers:1",
					     "p50 latency", "p99 latency" };
	double one = NAN;

	fb_doc_table(doc, 6, head);
	for (size_t i = 0; i < res->count; i++) {
		const struct fb_result *r = &res->items[i];
		char base[64], axis[32], k[16], a[FB_REASON_TEXT], rate[32], speed[16], p50[32], p99[32];
		long value;
		if (strcmp(r->key.family, "storm") || !fb_key_axis(&r->key, base, sizeof(base), axis, sizeof(axis), &value) ||
		    strcmp(base, "parallel_fork"))
			continue;
		double per_s = fb_result_counter_median(r, fb_ctr_forks_per_s);
		one = value == 1 ? per_s : one;
		snprintf(k, sizeof(k), "%ld", value);
		snprintf(rate, sizeof(rate), isnan(per_s) ? "-" : "%.0f", per_s);
		snprintf(speed, sizeof(speed), isnan(per_s / one) ? "-" : "%.2f", per_s / one);
		fb_doc_row(doc, (const char *const[]){ k, median_or_why(r, a, sizeof(a)), rate, speed,
						      fb_fmt_ns(fb_result_counter_median(r, fb_ctr_p50_us) * 1e3, p50, 32),
						      fb_fmt_ns(fb_result_counter_median(r, fb_ctr_p99_us) * 1e3, p99, 32) });
	}
}

static int section_storm(struct fb_doc *doc, const char *run_dir, const struct fb_results *res, char *err,
			 size_t len)
{
	static const struct fb_plot_series series[] = {
		{ "fork_while_faulting", "storm", "fork_while_faulting", NULL }, { "fork", "spawn", "fork", NULL },
	};

	if (!family_intro(doc, res, "storm", "Concurrency (storm)", "parallel_fork: K processes fork (and reap) at the same time on every CPU; the figure is "
		    "the wall time per fork at the aggregate rate, with each round trip's latency percentiles. "
		    "fork_while_faulting: fork of a parent whose sibling thread keeps faulting fresh memory in: "
		    "fork holds the parent's mmap lock for writing while it copies the page tables, and the "
		    "faults take it for reading, so each waits for the other (the Redis/JVM case)."))
		return 0;
	forkers_table(doc, res);
	if (fb_report_axes(doc, run_dir, res, "storm", err, len))
		return -1;
	int ncols = fb_plot_data_memory(res, run_dir, "storm_memory", series, sizeof(series) / sizeof(series[0]));
	if (ncols) {
		if (fb_report_memory_plot(run_dir, "storm_memory", ncols, "fork round trip (us, median)",
					  "fork with a faulting sibling thread vs alone", err, len))
			return -1;
		fb_doc_image(doc, "storm_memory", "fork with a faulting sibling thread vs alone");
	}
	fb_report_family_table(doc, run_dir, res, "storm");
	return 0;
}

int fb_report_breadth(struct fb_doc *doc, const char *run_dir, const struct fb_results *res, char *err, size_t len)
{
	if (section_shape(doc, run_dir, res, err, len) || section_exit(doc, run_dir, res, err, len) ||
	    section_switch(doc, run_dir, res, err, len) || section_storm(doc, run_dir, res, err, len))
		return -1;
	return 0;
}
