/* main.c - forkbench-bench: registers every family's cases over the memory
 * sizes and page modes with Google Benchmark and runs them in fb-worker
 * processes. Own flags (after Google Benchmark's --benchmark_*): the run
 * settings' rows with a bench flag (bench/settings.c: --sizes=0,1,16,
 * --max-mem=MIB, --modes=4k,thp, --family-max-mib=cow:64, --sweep=long;
 * the default sweep, both modes, no family limit, the short axis sweep when
 * not given), and
 *   --progress-fd=N  write a progress line to file descriptor N
 *   --trace-dir=DIR  after the benchmarks, the phases pass (phase_trace.h)
 *                    into DIR; --trace-fewer: the quick profile's points */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bare.h"
#include "cpustat.h"
#include "benchkey.h"
#include "family.h"
#include "fdio.h"
#include "gbench.h"
#include "outcome.h"
#include "phase_trace.h"
#include "pool.h"
#include "settings.h"
#include "sizes.h"

/* Where the points run: the workers, and fb-bare for the floor cases. */
struct bench_ctx {
	struct fb_pool pool;
	char bare_path[PATH_MAX + 16];
	struct bench_point *points;   /* registered, freed after the run */
};

/* One registered benchmark: a case at one size and mode. */
struct bench_point {
	struct bench_point *next;
	unsigned family, kase;
	int64_t axis_value;   /* on the case's own axis; 0 when it has none */
	size_t mem_mib;
	enum fb_page_mode mode;
	struct bench_ctx *ctx;
	int ran;              /* Google Benchmark ran it (the filter took it) */
	char name[200];
};

/* Global only so that a signal can reap the workers. */
static struct bench_ctx bench_ctx;

/* Progress: one rewritten line per benchmark run, written to the file
 * descriptor given by --progress-fd (the driver passes its terminal there;
 * none in CI or when output is not a terminal). */
struct progress {
	int fd;                 /* -1: off */
	long done, total;
	int64_t start_ns;
};

static struct progress progress = { .fd = -1 };

/* The phases pass's folder ("" when off) and whether it traces fewer points. */
static struct {
	char dir[PATH_MAX];
	int fewer;
} trace_opt;

/* Read before gb_initialize, which consumes the --benchmark_* flags. */
static long repetitions_flag(int argc, char **argv)
{
	const struct fb_setting *row = fb_setting_named("repetitions");
	long reps = 1;

	for (int i = 1; i < argc; i++)
		if (fb_setting_bench_value(row, argv[i]))
			reps = strtol(fb_setting_bench_value(row, argv[i]), NULL, 10);
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
	gb_counter(st, "worker_threads", (double)w->hello.base.threads, GB_COUNTER_PLAIN);
}

/* One repetition's figures besides the mean time Google Benchmark keeps:
 * every iteration's time (for the median, which one slow iteration cannot
 * move) and the per-iteration sums of the case's values. */
struct repetition {
	double *times_ns;
	size_t n, cap;
	double sums[FB_MAX_VALUES];
	double counts[FB_MAX_VALUES];     /* iterations that measured each value */
	struct fb_cpustat cpu_start;
};

/* Give Google Benchmark n iterations' manual times; keep them for the
 * median. 0, or -ENOMEM. */
static int feed(gb_state *st, struct repetition *rep, const struct fb_sample *batch, size_t n)
{
	if (rep->n + n > rep->cap) {
		size_t cap = rep->cap ? rep->cap * 2 : 1024;
		while (cap < rep->n + n)
			cap *= 2;
		double *grown = realloc(rep->times_ns, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		rep->times_ns = grown;
		rep->cap = cap;
	}
	for (size_t i = 0; i < n && gb_keep_running(st); i++) {
		gb_set_iteration_time(st, batch[i].time_ns * 1e-9);
		rep->times_ns[rep->n++] = batch[i].time_ns;
		for (size_t v = 0; v < FB_MAX_VALUES; v++) {
			if (isnan(batch[i].values[v]))
				continue;
			rep->sums[v] += batch[i].values[v];
			rep->counts[v]++;
		}
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The repetition's own counters: the iterations' median time, and how
 * much of the machine's CPU time the hypervisor stole or interrupts took
 * while it ran (the harness flags repetitions above its bound). */
static void report_repetition(gb_state *st, struct repetition *rep)
{
	struct fb_cpustat end;

	if (rep->n) {
		qsort(rep->times_ns, rep->n, sizeof(double), cmp_double);
		double mid = rep->n % 2 ? rep->times_ns[rep->n / 2]
					: (rep->times_ns[rep->n / 2 - 1] + rep->times_ns[rep->n / 2]) / 2;
		gb_counter(st, "iter_median_ns", mid, GB_COUNTER_PLAIN);
	}
	if (fb_cpustat_read(&end) == 0) {
		gb_counter(st, "steal_pct", fb_cpustat_steal_pct(&rep->cpu_start, &end), GB_COUNTER_PLAIN);
		gb_counter(st, "irq_pct", fb_cpustat_irq_pct(&rep->cpu_start, &end), GB_COUNTER_PLAIN);
	}
}

/* One per Google Benchmark run of a benchmark, and one per traced point:
 * a worker that a run changed serves no other run unrestarted (pool.h). */
static unsigned long next_run_id(void)
{
	static unsigned long run_id;
	return ++run_id;
}

/* Feed the worker's samples to Google Benchmark one iteration at a time, as
 * manual time; the case's values become per-iteration means. */
static int run_iterations(gb_state *st, const struct bench_point *pt, struct fb_worker *w,
			  struct repetition *rep, char *reason, size_t len)
{
	unsigned long run_id = next_run_id();
	struct fb_sample batch[FB_WORKER_BATCH];
	const struct fb_case *kase = &fb_families[pt->family]->cases[pt->kase];
	int64_t left = gb_max_iterations(st);

	while (left > 0) {
		size_t n = left < FB_WORKER_BATCH ? (size_t)left : FB_WORKER_BATCH;
		int err = fb_worker_run(&pt->ctx->pool, w, pt->kase, pt->axis_value, run_id, batch, n, reason, len);
		if (!err)
			err = feed(st, rep, batch, n);
		if (err)
			return err;
		left -= (int64_t)n;
	}
	while (gb_keep_running(st))
		; /* not reached: max_iterations were all run */
	for (size_t v = 0; kase->value_names && kase->value_names[v]; v++)
		gb_counter(st, kase->value_names[v], rep->counts[v] ? rep->sums[v] / rep->counts[v] : NAN,
			   GB_COUNTER_PLAIN);
	return 0;
}

/* Start fb-bare for n (<= FB_BARE_MAX_ROUNDS) round trips; read its times.
 * *bare_pid: the fb-bare that ran them. */
static int bare_chunk(const char *path, const char *primitive, size_t n, int64_t *ns, pid_t *bare_pid,
		      char *reason, size_t len)
{
	char count[24], parent[24];
	char *argv[] = { (char *)path, (char *)primitive, count, parent, NULL };
	int out[2], status = 0, err;
	pid_t pid;
	posix_spawn_file_actions_t fa;

	snprintf(count, sizeof(count), "%zu", n);
	snprintf(parent, sizeof(parent), "%ld", (long)getpid());
	if (pipe2(out, O_CLOEXEC))
		return snprintf(reason, len, "pipe: %s", strerror(errno)), -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	err = posix_spawn(&pid, path, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	*bare_pid = pid;
	close(out[1]);
	if (!err)
		err = -fb_read_full(out[0], ns, n * sizeof(*ns));
	close(out[0]);
	if (err == 0 || pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	if (err || !WIFEXITED(status) || WEXITSTATUS(status))
		return snprintf(reason, len, "%.120s %s %zu failed (%s, wait status 0x%x)", path, primitive, n,
				err ? strerror(err) : "no error", status), err ? -err : -ECHILD;
	return 0;
}

/* A case of the floor: the round trips come from fb-bare, not a worker. */
static int run_bare(gb_state *st, const struct bench_point *pt, struct repetition *rep, char *reason, size_t len)
{
	const struct fb_case *kase = &fb_families[pt->family]->cases[pt->kase];
	static int64_t ns[FB_BARE_MAX_ROUNDS];
	struct fb_sample batch[FB_WORKER_BATCH];
	int64_t left = gb_max_iterations(st);
	pid_t bare_pid;

	while (left > 0) {
		size_t n = left < FB_BARE_MAX_ROUNDS ? (size_t)left : FB_BARE_MAX_ROUNDS;
		int err = bare_chunk(pt->ctx->bare_path, kase->bare_loop, n, ns, &bare_pid, reason, len);
		for (size_t done = 0; !err && done < n; done += FB_WORKER_BATCH) {
			size_t m = n - done < FB_WORKER_BATCH ? n - done : FB_WORKER_BATCH;
			memset(batch, 0, sizeof(batch));
			for (size_t i = 0; i < m; i++)
				batch[i].time_ns = (double)ns[done + i];
			err = feed(st, rep, batch, m);
		}
		if (err)
			return err;
		left -= (int64_t)n;
	}
	while (gb_keep_running(st))
		;
	return 0;
}

/* Failures and lack of resources are errors in the JSON; FB_PREFIX_NO_RESOURCE
 * tells EAGAIN/ENOMEM (the machine's limits) from a kernel misbehaving. */
static void report_failure(gb_state *st, int err, const char *reason)
{
	char msg[FB_REASON_LEN + 80];

	if (err == FB_NO_RESOURCE)
		snprintf(msg, sizeof(msg), FB_PREFIX_NO_RESOURCE "%s", reason);
	else
		snprintf(msg, sizeof(msg), FB_PREFIX_FAILED "(%s): %s", strerror(err < 0 ? -err : err), reason);
	gb_skip_with_error(st, msg);
}

/* The worker for this point, checked to hold its memory; NULL after
 * recording why on st. */
static struct fb_worker *point_worker(gb_state *st, const struct bench_point *pt, char *reason, size_t len)
{
	const char *no_thp = pt->mode == FB_PAGES_THP ? fb_thp_unavailable_reason() : NULL;
	struct fb_worker *w;

	if (no_thp) {
		gb_skip(st, no_thp);
		return NULL;
	}
	if (!(w = fb_pool_get(&pt->ctx->pool, pt->family, pt->mem_mib, pt->mode, reason, len))) {
		gb_skip_with_error(st, reason);
		return NULL;
	}
	if (w->hello.resident_bytes < (pt->mem_mib << 20)) {
		snprintf(reason, len, "only %llu of %zu MiB resident",
			 (unsigned long long)(w->hello.resident_bytes >> 20), pt->mem_mib);
		gb_skip_with_error(st, reason);
		return NULL;
	}
	return w;
}

static void run_point(gb_state *st, void *ctx)
{
	const struct bench_point *pt = ctx;
	const struct fb_case *kase = &fb_families[pt->family]->cases[pt->kase];
	char reason[FB_REASON_LEN + 64] = "";
	struct repetition rep = { 0 };
	struct fb_worker *w = NULL;
	unsigned long restarts = 0;
	int err;

	progress_show(pt->name);
	((struct bench_point *)pt)->ran = 1;
	fb_cpustat_read(&rep.cpu_start);
	if (kase->bare_loop)
		err = run_bare(st, pt, &rep, reason, sizeof(reason));
	else if (!(w = point_worker(st, pt, reason, sizeof(reason)))) {
		return;
	} else {
		restarts = w->restarts;
		err = run_iterations(st, pt, w, &rep, reason, sizeof(reason));
	}
	if (err == FB_SKIP)
		gb_skip(st, reason);
	else if (err)
		report_failure(st, err, reason);
	else {
		report_repetition(st, &rep);
		if (w) {
			report_worker(st, pt, w);
			gb_counter(st, "worker_restarts", (double)(w->restarts - restarts), GB_COUNTER_PLAIN);
		}
	}
	free(rep.times_ns);
}

/* Our flags, after gb_initialize took Google Benchmark's: the run settings
 * (settings.h) and --progress-fd. Exit 2 on error. */
static void parse_options(int argc, char **argv, struct fb_run_config *opt)
{
	char err[256] = "";

	memset(opt, 0, sizeof(*opt));
	if (fb_run_config_set(opt, "modes", fb_setting_named("modes")->fallback, err, sizeof(err)))
		abort();   /* the table's own default */
	for (int i = 1; i < argc && !err[0]; i++) {
		if (strncmp(argv[i], "--progress-fd=", 14) == 0)
			progress.fd = atoi(argv[i] + 14);
		else if (strncmp(argv[i], "--trace-dir=", 12) == 0)
			snprintf(trace_opt.dir, sizeof(trace_opt.dir), "%s", argv[i] + 12);
		else if (strcmp(argv[i], "--trace-fewer") == 0)
			trace_opt.fewer = 1;
		else if (fb_setting_bench_arg(opt, argv[i], err, sizeof(err)) == 0)
			snprintf(err, sizeof(err), "unknown argument '%s' (see the comment at the top of bench/main.c)", argv[i]);
	}
	fb_run_config_complete(opt);
	if (!err[0])
		fb_sizes_check_memory(&opt->sizes, err, sizeof(err));
	if (err[0]) {
		fprintf(stderr, "forkbench-bench: %s\n", err);
		exit(2);
	}
}

static void register_point(unsigned f, unsigned c, int64_t axis_value, size_t mib, enum fb_page_mode mode,
			   struct bench_ctx *p)
{
	struct bench_point *pt = calloc(1, sizeof(*pt));
	const struct fb_case *kase = &fb_families[f]->cases[c];

	if (!pt)
		abort();
	*pt = (struct bench_point){ .next = p->points, .family = f, .kase = c, .axis_value = axis_value,
				    .mem_mib = mib, .mode = mode, .ctx = p };
	p->points = pt;
	struct fb_bench_key key = { .mem_mib = (long)mib };
	snprintf(key.family, sizeof(key.family), "%s", fb_families[f]->name);
	fb_key_set_case(&key, kase->name, kase->axis ? kase->axis->name : NULL, (long)axis_value);
	snprintf(key.mode, sizeof(key.mode), "%s", fb_page_mode_name(mode));
	fb_key_format(&key, pt->name, sizeof(pt->name));
	gb_bench *b = gb_register(pt->name, run_point, pt);
	gb_use_manual_time(b);
	size_t work_mib = fb_families[f]->cases[c].work_mib;
	if (work_mib)
		gb_iterations(b, mib && mib < work_mib ? (int64_t)(work_mib / mib) : 1);
	gb_unit(b, GB_US);
}

/* One case at one value of its own axis: mode x size. */
static long register_case(const struct fb_run_config *opt, unsigned f, unsigned c, int64_t axis_value,
			  struct bench_ctx *p)
{
	const struct fb_case *kase = &fb_families[f]->cases[c];
	long cap = fb_family_cap(&opt->family_max, fb_families[f]->name), registered = 0;

	for (int mode = 0; mode < FB_PAGE_MODES; mode++) {
		if (!fb_modes_has(&opt->modes, (enum fb_page_mode)mode) || (mode == FB_PAGES_THP && !(kase->axes & FB_AXIS_MODE)))
			continue;
		for (size_t s = 0; s < opt->sizes.count; s++) {
			size_t mib = opt->sizes.mib[s];
			if ((mib && !(kase->axes & FB_AXIS_MEM)) || (!mib && (kase->axes & FB_AXIS_NO_ZERO)) ||
			    (cap >= 0 && (long)mib > cap))
				continue;
			register_point(f, c, axis_value, mib, (enum fb_page_mode)mode, p);
			registered++;
		}
	}
	return registered;
}

/* Register case x axis value x mode x size, named
 * "family/case[/axis:N]/mem_mib:N/mode:M" so a --benchmark_filter regex can
 * pick any slice. */
static long register_all(const struct fb_run_config *opt, struct bench_ctx *p)
{
	long registered = 0;

	for (unsigned f = 0; fb_families[f]; f++) {
		for (unsigned c = 0; c < fb_families[f]->ncases; c++) {
			const struct fb_axis *axis = fb_families[f]->cases[c].axis;
			if (!axis) {
				registered += register_case(opt, f, c, 0, p);
				continue;
			}
			for (size_t v = 0; v < FB_AXIS_MAX_VALUES && axis->values[v]; v++)
				if (opt->sweep == FB_SWEEP_LONG || axis->values[v] <= axis->short_max)
					registered += register_case(opt, f, c, axis->values[v], p);
		}
	}
	return registered;
}

/* --- the phases pass: the run's own points, traced (phase_trace.h) --- */

struct trace_adaptor {
	struct bench_point *pt;
	struct fb_worker *worker;
	unsigned long run_id;
};

static pid_t trace_follow(void *point, char *reason, size_t len)
{
	struct trace_adaptor *a = point;
	struct bench_point *pt = a->pt;

	if (fb_families[pt->family]->cases[pt->kase].bare_loop)
		return getpid();   /* fb-bare is started anew by each batch */
	a->worker = fb_pool_get(&pt->ctx->pool, pt->family, pt->mem_mib, pt->mode, reason, len);
	return a->worker ? a->worker->pid : -ENOMEM;
}

static int trace_batch(void *point, int64_t *ns, size_t n, pid_t *parent, char *reason, size_t len)
{
	struct trace_adaptor *a = point;
	struct bench_point *pt = a->pt;
	const struct fb_case *kase = &fb_families[pt->family]->cases[pt->kase];
	struct fb_sample samples[FB_WORKER_BATCH];

	if (kase->bare_loop)
		return bare_chunk(pt->ctx->bare_path, kase->bare_loop, n, ns, parent, reason, len);
	if (!a->worker && trace_follow(a, reason, len) < 0)
		return -ENOMEM;
	/* n <= FB_WORKER_BATCH: phase_trace.c's batches are small */
	int err = fb_worker_run(&pt->ctx->pool, a->worker, pt->kase, pt->axis_value, a->run_id, samples, n, reason,
				len);
	*parent = a->worker->pid;
	for (size_t i = 0; !err && i < n; i++)
		ns[i] = (int64_t)samples[i].time_ns;
	return err;
}

/* The largest and smallest non-zero size at which pt's case ran. */
static void case_sizes(const struct bench_ctx *p, const struct bench_point *pt, long *largest, long *smallest)
{
	*largest = 0;
	*smallest = 0;
	for (const struct bench_point *q = p->points; q; q = q->next) {
		if (!q->ran || q->family != pt->family || q->kase != pt->kase || !q->mem_mib)
			continue;
		if ((long)q->mem_mib > *largest)
			*largest = (long)q->mem_mib;
		if (!*smallest || (long)q->mem_mib < *smallest)
			*smallest = (long)q->mem_mib;
	}
}

static void trace_phases(struct bench_ctx *p)
{
	static struct trace_adaptor adaptors[64];
	static struct fb_trace_point points[64];
	size_t count = 0;

	for (struct bench_point *pt = p->points; pt && count < 64; pt = pt->next) {
		struct fb_bench_key key;
		long largest, smallest;
		if (!pt->ran || fb_key_parse(pt->name, &key))
			continue;
		case_sizes(p, pt, &largest, &smallest);
		if (!fb_trace_wanted(&key, largest, smallest, trace_opt.fewer))
			continue;
		adaptors[count] = (struct trace_adaptor){ .pt = pt, .run_id = next_run_id() };
		points[count] = (struct fb_trace_point){ .name = pt->name, .point = &adaptors[count],
							 .follow = trace_follow, .batch = trace_batch };
		count++;
	}
	int err = fb_phase_trace_run(trace_opt.dir, points, count);
	if (err)
		fprintf(stderr, "forkbench-bench: phases: cannot write %s: %s\n", trace_opt.dir, strerror(-err));
}

/* Ctrl-C or kill: reap the workers (they would die anyway through
 * PR_SET_PDEATHSIG), then die of the same signal. */
static void on_signal(int sig)
{
	fb_phase_trace_abort();
	fb_pool_shutdown(&bench_ctx.pool, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

int main(int argc, char **argv)
{
	struct fb_run_config opt;
	char self[PATH_MAX], worker[PATH_MAX + 16];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

	self[len > 0 ? len : 0] = '\0';
	const char *dir = dirname(self);
	snprintf(worker, sizeof(worker), "%s/fb-worker", dir);
	long reps = repetitions_flag(argc, argv);
	gb_initialize(&argc, argv);
	parse_options(argc, argv, &opt);
	fb_pool_init(&bench_ctx.pool, worker, fb_mem_available_bytes() / 2);
	snprintf(bench_ctx.bare_path, sizeof(bench_ctx.bare_path), "%s/fb-bare", dir);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	progress_init(reps, register_all(&opt, &bench_ctx));
	size_t ran = gb_run();
	if (progress.fd >= 0 && write(progress.fd, "\r\033[K", 4) < 0)
		progress.fd = -1;
	if (ran && trace_opt.dir[0])
		trace_phases(&bench_ctx);
	fb_pool_shutdown(&bench_ctx.pool, 0);
	gb_shutdown();
	while (bench_ctx.points) {
		struct bench_point *next = bench_ctx.points->next;
		free(bench_ctx.points);
		bench_ctx.points = next;
	}
	if (ran == 0) {
		fprintf(stderr, "forkbench-bench: no benchmark matches the filter\n");
		return 2;
	}
	return 0;
}
