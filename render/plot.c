/* plot.c - write plot data from a run's results and run gnuplot on the
 * scripts in plots/ (see plot.h). */
#define _GNU_SOURCE
#include "plot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stats.h"
#include "files.h"
#include "proc.h"

static int data_path(const char *run_dir, const char *stem, char *path, size_t len)
{
	snprintf(path, len, "%s/plots", run_dir);
	if (fb_mkdir(path))
		return -1;
	snprintf(path, len, "%s/plots/%s.dat", run_dir, stem);
	return 0;
}

/* A value, or '?' for a missing one; whether it was a value. */
static int put_value(FILE *f, double value)
{
	if (isnan(value))
		return fputs(" ?", f), 0;
	fprintf(f, " %.3f", value);
	return 1;
}

/* A series' median at one size and mode: time in us, or a counter. */
static double series_value(const struct fb_results *res, const struct fb_plot_series *s, long mib,
			   const char *mode)
{
	const struct fb_result *r = fb_results_at(res, s->family, s->kase, mib, mode);
	if (!r || r->error)
		return NAN;
	return s->counter ? fb_result_counter_median(r, s->counter) : fb_result_median_ns(r) / 1e3;
}

int fb_plot_data_memory(const struct fb_results *res, const char *run_dir, const char *stem,
			const struct fb_plot_series *series, size_t nseries)
{
	static const char *const modes[] = { "4k", "thp" };
	char path[PATH_MAX];
	long sizes[32];
	size_t nsizes = 0, values = 0;
	struct fb_membuf buf;

	for (size_t i = 0; i < res->count && nsizes < 32; i++)   /* sorted by size within a case */
		if (strcmp(res->items[i].key.family, series[0].family) == 0 &&
		    strcmp(res->items[i].key.kase, series[0].kase) == 0 &&
		    strcmp(res->items[i].key.mode, "4k") == 0 && res->items[i].key.mem_mib > 0)
			sizes[nsizes++] = res->items[i].key.mem_mib;
	if (nsizes < 2 || data_path(run_dir, stem, path, sizeof(path)) || fb_membuf_open(&buf))
		return 0;
	fputs("mem_mib", buf.f);
	/* All 4k series first, then all thp ones: the script dashes the second half. */
	for (size_t s = 0; s < nseries * 2; s++)
		fprintf(buf.f, " %s/%s", series[s % nseries].label, modes[s / nseries]);
	fputc('\n', buf.f);
	for (size_t z = 0; z < nsizes; z++) {
		fprintf(buf.f, "%ld", sizes[z]);
		for (size_t s = 0; s < nseries * 2; s++)
			values += put_value(buf.f, series_value(res, &series[s % nseries], sizes[z], modes[s / nseries]));
		fputc('\n', buf.f);
	}
	/* every case failed: no plot (gnuplot has no point to draw) */
	return fb_membuf_commit(&buf, path) || !values ? 0 : (int)nseries;
}

/* One bar per benchmark: label, median, min and p90 in microseconds. */
static int write_bars(const struct fb_results *res, const char *run_dir, const char *stem,
		      const struct fb_bench_key *keys, size_t nkeys)
{
	char path[PATH_MAX];
	struct fb_membuf buf;
	struct fb_summary s;
	int rows = 0;

	if (data_path(run_dir, stem, path, sizeof(path)) || fb_membuf_open(&buf))
		return 0;
	fputs("case median_us min_us p90_us\n", buf.f);
	for (size_t i = 0; i < nkeys; i++) {
		const struct fb_result *r = fb_results_get(res, &keys[i]);
		if (!r || r->error || !r->nreps || fb_summarize(r->times_ns, r->nreps, &s))
			continue;
		fprintf(buf.f, "%s %.3f %.3f %.3f\n", r->key.kase, s.median / 1e3, s.min / 1e3, s.p90 / 1e3);
		rows++;
	}
	return fb_membuf_commit(&buf, path) == 0 && rows ? rows : 0;
}

int fb_plot_data_spawn_zero(const struct fb_results *res, const char *run_dir)
{
	struct fb_bench_key keys[64];
	size_t n = 0;

	for (size_t i = 0; i < res->count && n < 64; i++)
		if (strcmp(res->items[i].key.family, "spawn") == 0 && res->items[i].key.mem_mib == 0 &&
		    strcmp(res->items[i].key.mode, "4k") == 0)
			keys[n++] = res->items[i].key;
	return write_bars(res, run_dir, "spawn_zero", keys, n);
}

/* Creation cost, from the process down to a user-level context. */
const struct fb_bench_key fb_plot_threads_keys[] = {
	FB_KEY0("threads", "fork_exit_wait"), FB_KEY0("threads", "pthread_create_join"),
	FB_KEY0("threads", "clone_thread"), FB_KEY0("threads", "pthread_detached_sem"),
	FB_KEY0("threads", "ucontext_create"), FB_KEY0("threads", "bare_create"),
};
const size_t fb_plot_nthreads_keys = sizeof(fb_plot_threads_keys) / sizeof(fb_plot_threads_keys[0]);

int fb_plot_data_threads(const struct fb_results *res, const char *run_dir)
{
	return write_bars(res, run_dir, "threads_cost", fb_plot_threads_keys, fb_plot_nthreads_keys);
}

#define PLOT_MAX_COLUMNS 64

/* The next whitespace-separated token of a data line (a "quoted" label is
 * one token): its start, its end in *end; NULL at the line's end. */
static const char *next_token(const char *at, const char **end)
{
	at += strspn(at, " \t\n");
	if (!*at)
		return NULL;
	*end = *at == '"' && strchr(at + 1, '"') ? strchr(at + 1, '"') + 1 : at + strcspn(at, " \t\n");
	return at;
}

/* "array plotted[n] = [2,3,5]" into buf: the data columns after the first
 * with at least one point ('?' is a missing one; comment lines and the
 * header, the first other line, left out). gnuplot warns for a series with
 * no point (a filter or a page mode left it empty), so memory.gp and
 * axis.gp plot these columns only. The number of columns, or -1 when the
 * file is unreadable. */
static int plotted_columns(const char *datafile, char *buf, size_t len)
{
	unsigned char has_point[PLOT_MAX_COLUMNS] = { 0 };
	char line[4096], list[PLOT_MAX_COLUMNS * 4] = "";
	int header = 1, n = 0;
	size_t at = 0;
	FILE *f = fopen(datafile, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		const char *tok, *end;
		int col = 0;
		if (line[strspn(line, " \t")] == '#' || !next_token(line, &end))
			continue;   /* a comment or a blank line */
		if (header) {   /* the series' names */
			header = 0;
			continue;
		}
		for (tok = line; (tok = next_token(tok, &end)); tok = end, col++)
			if (col > 0 && col < PLOT_MAX_COLUMNS && !(end - tok == 1 && *tok == '?'))
				has_point[col] = 1;
	}
	fclose(f);
	for (int col = 1; col < PLOT_MAX_COLUMNS; col++)
		if (has_point[col] && at < sizeof(list))
			at += (size_t)snprintf(list + at, sizeof(list) - at, "%s%d", n++ ? "," : "", col + 1);
	snprintf(buf, len, "array plotted[%d] = [%s]", n, list);
	return n;
}

/* gnuplot -e "datafile=...; outstem=...; array plotted...; EXTRA"
 * plots/<script>.gp, with GNUPLOT_LIB pointing at plots/ for common.gp,
 * from the source tree. */
int fb_plot_render(const char *run_dir, const char *script_name, const char *stem,
		   const char *extra_vars, char *err, size_t err_len)
{
	char src[PATH_MAX], script[PATH_MAX + 32], vars[3 * PATH_MAX], log[PATH_MAX + 32];
	char datafile[PATH_MAX + 32], plotted[PLOT_MAX_COLUMNS * 4 + 32];
	const char *argv[] = { "gnuplot", "-e", vars, script, NULL };
	int status = -1;

	fb_self_dir(src, sizeof(src) - 8);
	strcat(src, "/../plots");
	snprintf(script, sizeof(script), "%s/%s.gp", src, script_name);
	setenv("GNUPLOT_LIB", src, 1);
	snprintf(datafile, sizeof(datafile), "%s/plots/%s.dat", run_dir, stem);
	if (plotted_columns(datafile, plotted, sizeof(plotted)) <= 0) {
		snprintf(err, err_len, "%s: %s", datafile, access(datafile, R_OK) ? strerror(errno) : "no point to plot");
		return -1;
	}
	snprintf(vars, sizeof(vars), "datafile='%s'; outstem='%s/plots/%s'; %s; %s", datafile, run_dir, stem,
		 plotted, extra_vars ? extra_vars : "");
	/* gnuplot's warnings go to a log in the run folder, shown on failure;
	 * a run leaves it empty (tests/test_report.c). */
	snprintf(log, sizeof(log), "%s/plots/gnuplot.log", run_dir);
	const struct fb_fd_action actions[] = {
		{ 1, "/dev/null", O_WRONLY, -1 },
		{ 2, log, O_WRONLY | O_CREAT | O_APPEND, -1 },
	};
	long pid = fb_spawn(argv, actions, 2, 1);
	if (pid > 0)
		status = fb_wait(pid);
	if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(err, err_len, "gnuplot failed on %s (%s)", script,
			 pid < 0 ? strerror((int)-pid) : "see plots/gnuplot.log");
		return -1;
	}
	return 0;
}
