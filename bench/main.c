/* main.c - forkbench-bench: registers every family's cases over the memory
 * sizes and page modes with Google Benchmark and runs them in fb-worker
 * processes. Own flags (after Google Benchmark's --benchmark_*):
 *   --sizes=0,1,16   memory sizes in MiB (default 0,1,16,64,256,1024)
 *   --max-mem=MIB    drop default sizes above MIB (and add MIB itself)
 *   --modes=4k,thp   page modes (default both)
 *   --progress-fd=N  write a progress line to file descriptor N */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "family.h"
#include "gbench.h"
#include "pool.h"
#include "sizes.h"

/* One registered benchmark: a case at one size and mode. */
struct bench_point {
	unsigned family, kase;
	size_t mem_mib;
	enum fb_page_mode mode;
	struct fb_pool *pool;
	char name[200];
};

static struct fb_pool pool;   /* global only so that a signal can reap the workers */

/* Progress: one rewritten line per benchmark run, written to the file
 * descriptor given by --progress-fd (the driver passes its terminal there;
 * none in CI or when output is not a terminal). */
struct progress {
	int fd;                 /* -1: off */
	long done, total;
	int64_t start_ns;
};

static struct progress progress = { .fd = -1 };

/* Read before gb_initialize, which consumes the --benchmark_* flags. */
static long repetitions_flag(int argc, char **argv)
{
	long reps = 1;
	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "--benchmark_repetitions=", 24) == 0)
			reps = strtol(argv[i] + 24, NULL, 10);
	return reps;
}

static void progress_init(long reps, long registered)
{
	progress.total = registered * (reps > 0 ? reps : 1);
	progress.start_ns = fb_now_ns();
}

static void progress_show(const char *name)
{
	char line[300];

	if (progress.fd < 0)
		return;
	progress.done++;
	int len = snprintf(line, sizeof(line), "\r\033[K[%4ld/%ld, %3.0f s] %s", progress.done, progress.total,
			   (double)(fb_now_ns() - progress.start_ns) / 1e9, name);
	if (write(progress.fd, line, (size_t)len) < 0)
		progress.fd = -1;
}

static void report_worker(gb_state *st, const struct bench_point *pt, const struct fb_worker *w)
{
	double size = (double)(pt->mem_mib << 20);

	gb_counter(st, "mem_mib", (double)pt->mem_mib, GB_COUNTER_PLAIN);
	gb_counter(st, "thp_mode", pt->mode == FB_PAGES_THP, GB_COUNTER_PLAIN);
	gb_counter(st, "resident_mib", (double)w->hello.resident_bytes / (1 << 20), GB_COUNTER_PLAIN);
	gb_counter(st, "thp_coverage", size ? (double)w->hello.thp_bytes / size : 0, GB_COUNTER_PLAIN);
	gb_counter(st, "worker_maps", (double)w->hello.maps, GB_COUNTER_PLAIN);
	gb_counter(st, "worker_rss_kib", (double)w->hello.rss_kib, GB_COUNTER_PLAIN);
	gb_counter(st, "worker_pte_kib", (double)w->hello.pte_kib, GB_COUNTER_PLAIN);
}

/* Feed the worker's samples to Google Benchmark one iteration at a time, as
 * manual time; the case's values become per-iteration means. */
static int run_iterations(gb_state *st, const struct bench_point *pt, struct fb_worker *w,
			  const struct fb_case *kase, char *reason, size_t len)
{
	struct fb_sample batch[FB_WORKER_BATCH];
	double sums[FB_MAX_VALUES] = { 0 };
	int64_t left = gb_max_iterations(st);

	while (left > 0) {
		size_t n = left < FB_WORKER_BATCH ? (size_t)left : FB_WORKER_BATCH;
		int err = fb_worker_run(w, pt->family, pt->kase, batch, n, reason, len);
		if (err)
			return err;
		for (size_t i = 0; i < n && gb_keep_running(st); i++) {
			gb_set_iteration_time(st, batch[i].time_ns * 1e-9);
			for (size_t v = 0; v < FB_MAX_VALUES; v++)
				sums[v] += batch[i].values[v];
		}
		left -= (int64_t)n;
	}
	while (gb_keep_running(st))
		; /* not reached: max_iterations were all run */
	for (size_t v = 0; kase->value_names && kase->value_names[v]; v++)
		gb_counter(st, kase->value_names[v], sums[v], GB_COUNTER_AVG_ITERATIONS);
	return 0;
}

/* Failures and lack of resources are errors in the JSON; "no-resource: "
 * tells EAGAIN/ENOMEM (the machine's limits) from a kernel misbehaving. */
static void report_failure(gb_state *st, int err, const char *reason)
{
	char msg[FB_REASON_LEN + 80];

	if (err == FB_NO_RESOURCE)
		snprintf(msg, sizeof(msg), "no-resource: %s", reason);
	else
		snprintf(msg, sizeof(msg), "failed (%s): %s", strerror(err < 0 ? -err : err), reason);
	gb_skip_with_error(st, msg);
}

static void run_point(gb_state *st, void *ctx)
{
	const struct bench_point *pt = ctx;
	const struct fb_case *kase = &fb_families[pt->family]->cases[pt->kase];
	char reason[FB_REASON_LEN + 64] = "";
	const char *no_thp = pt->mode == FB_PAGES_THP ? fb_thp_unavailable_reason() : NULL;

	progress_show(pt->name);
	if (no_thp) {
		gb_skip(st, no_thp);
		return;
	}
	struct fb_worker *w = fb_pool_get(pt->pool, pt->mem_mib, pt->mode, reason, sizeof(reason));
	if (!w) {
		gb_skip_with_error(st, reason);
		return;
	}
	if (w->hello.resident_bytes < (pt->mem_mib << 20)) {
		snprintf(reason, sizeof(reason), "only %llu of %zu MiB resident",
			 (unsigned long long)(w->hello.resident_bytes >> 20), pt->mem_mib);
		gb_skip_with_error(st, reason);
		return;
	}
	int err = run_iterations(st, pt, w, kase, reason, sizeof(reason));
	if (err == FB_SKIP)
		gb_skip(st, reason);
	else if (err)
		report_failure(st, err, reason);
	else
		report_worker(st, pt, w);
}

struct options {
	struct fb_sizes sizes;
	int modes[2];   /* modes[FB_PAGES_4K], modes[FB_PAGES_THP]: 1 = run */
};

static int parse_modes(const char *list, struct options *opt)
{
	char copy[64], *save = NULL;

	opt->modes[0] = opt->modes[1] = 0;
	snprintf(copy, sizeof(copy), "%s", list);
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "4k") && strcmp(tok, "thp"))
			return -1;
		opt->modes[strcmp(tok, "thp") == 0] = 1;
	}
	return opt->modes[0] || opt->modes[1] ? 0 : -1;
}

/* Our flags, after gb_initialize took Google Benchmark's. Exit 2 on error. */
static void parse_options(int argc, char **argv, struct options *opt)
{
	char err[256] = "";
	long mib;

	fb_sizes_default(&opt->sizes, -1);
	opt->modes[0] = opt->modes[1] = 1;
	for (int i = 1; i < argc && !err[0]; i++) {
		if (strncmp(argv[i], "--sizes=", 8) == 0)
			fb_sizes_parse(argv[i] + 8, &opt->sizes, err, sizeof(err));
		else if (strncmp(argv[i], "--max-mem=", 10) == 0) {
			if (fb_mib_parse(argv[i] + 10, &mib, err, sizeof(err)) == 0)
				fb_sizes_default(&opt->sizes, mib);
		} else if (strncmp(argv[i], "--progress-fd=", 14) == 0) {
			progress.fd = atoi(argv[i] + 14);
		} else if (strncmp(argv[i], "--modes=", 8) == 0) {
			if (parse_modes(argv[i] + 8, opt))
				snprintf(err, sizeof(err), "--modes takes 4k, thp or 4k,thp, not '%s'", argv[i] + 8);
		} else
			snprintf(err, sizeof(err), "unknown argument '%s' (see the comment at the top of bench/main.c)", argv[i]);
	}
	if (!err[0])
		fb_sizes_check_memory(&opt->sizes, err, sizeof(err));
	if (err[0]) {
		fprintf(stderr, "forkbench-bench: %s\n", err);
		exit(2);
	}
}

static void register_point(unsigned f, unsigned c, size_t mib, enum fb_page_mode mode, struct fb_pool *p)
{
	struct bench_point *pt = calloc(1, sizeof(*pt));

	if (!pt)
		abort();
	*pt = (struct bench_point){ .family = f, .kase = c, .mem_mib = mib, .mode = mode, .pool = p };
	snprintf(pt->name, sizeof(pt->name), "%s/%s/mem_mib:%zu/mode:%s", fb_families[f]->name,
		 fb_families[f]->cases[c].name, mib, fb_page_mode_name(mode));
	gb_bench *b = gb_register(pt->name, run_point, pt);
	gb_use_manual_time(b);
	size_t work_mib = fb_families[f]->cases[c].work_mib;
	if (work_mib)
		gb_iterations(b, mib && mib < work_mib ? (int64_t)(work_mib / mib) : 1);
	gb_unit(b, GB_US);
}

/* Register case x mode x size, named "family/case/mem_mib:N/mode:M" so a
 * --benchmark_filter regex can pick any slice. */
static long register_all(const struct options *opt, struct fb_pool *p)
{
	long registered = 0;

	for (unsigned f = 0; fb_families[f]; f++) {
		for (unsigned c = 0; c < fb_families[f]->ncases; c++) {
			const struct fb_case *kase = &fb_families[f]->cases[c];
			for (int mode = 0; mode < 2; mode++) {
				if (!opt->modes[mode] || (mode && !(kase->axes & FB_AXIS_MODE)))
					continue;
				for (size_t s = 0; s < opt->sizes.count; s++) {
					size_t mib = opt->sizes.mib[s];
					if ((mib && !(kase->axes & FB_AXIS_MEM)) ||
					    (!mib && (kase->axes & FB_AXIS_NO_ZERO)))
						continue;
					register_point(f, c, mib, (enum fb_page_mode)mode, p);
					registered++;
				}
			}
		}
	}
	return registered;
}

/* Ctrl-C or kill: reap the workers (they would die anyway through
 * PR_SET_PDEATHSIG), then die of the same signal. */
static void on_signal(int sig)
{
	fb_pool_shutdown(&pool, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

int main(int argc, char **argv)
{
	struct options opt;
	char self[PATH_MAX], worker[PATH_MAX + 16];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

	self[len > 0 ? len : 0] = '\0';
	snprintf(worker, sizeof(worker), "%s/fb-worker", dirname(self));
	long reps = repetitions_flag(argc, argv);
	gb_initialize(&argc, argv);
	parse_options(argc, argv, &opt);
	fb_pool_init(&pool, worker, fb_mem_available_bytes() / 2);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	progress_init(reps, register_all(&opt, &pool));
	size_t ran = gb_run();
	if (progress.fd >= 0 && write(progress.fd, "\r\033[K", 4) < 0)
		progress.fd = -1;
	fb_pool_shutdown(&pool, 0);
	gb_shutdown();
	if (ran == 0) {
		fprintf(stderr, "forkbench-bench: no benchmark matches the filter\n");
		return 2;
	}
	return 0;
}
