/* matrix.c - `forkbench matrix RUN... --out DIR` (see matrix.h): the table
 * people otherwise keep by hand across platforms (Redis, for one, documents
 * fork's milliseconds per GB on each platform), rebuilt from run folders.
 * Every figure is one row of `figures`, every condition one row of
 * `conditions`; the runs are opened through run_folder.h and written
 * through doc.h and plot.h. */
#define _GNU_SOURCE
#include "matrix.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "counters.h"
#include "doc.h"
#include "manifest.h"
#include "options.h"
#include "plot.h"
#include "results.h"
#include "run_folder.h"
#include "stats.h"
#include "cli.h"
#include "files.h"

/* How a figure is obtained from one run's results. */
enum figure_kind {
	FIG_MEDIAN,          /* key's median time */
	FIG_SLOPE,           /* least-squares slope of the median over every size
			      * of key's case and mode the run measured */
	FIG_SLOPE_R2,        /* that fit's R^2 */
	FIG_COUNTER_LARGEST, /* a counter's median at the largest size of key's
			      * case and mode the run measured */
	FIG_RATIO,           /* key's median over base's */
};

struct figure {
	const char *label;         /* column heading, without the unit */
	const char *unit;          /* "" for a pure number */
	enum figure_kind how;
	struct fb_bench_key key;   /* for fits and FIG_COUNTER_LARGEST, mem_mib is ignored */
	struct fb_bench_key base;  /* FIG_RATIO: the denominator */
	const char *counter;       /* FIG_COUNTER_LARGEST */
	double scale;              /* the measured value (ns, or the counter) times
				    * scale is in unit; for fits, that of y */
	int decimals;
	const char *about;         /* its definition, printed under the table */
};

static const struct figure figures[] = {
	{ .label = "fork 4k", .unit = "ms/GiB", .how = FIG_SLOPE, .key = FB_KEY("spawn", "fork", 0, "4k"),
	  .scale = 1e-6, .decimals = 2,
	  .about = "fork's round trip (spawn/fork: fork, child exit, waitpid) per GiB of the parent's resident "
		   "memory with 4 KiB pages: the least-squares slope of its median over the sizes the run measured, "
		   "x in GiB, y in ms" },
	{ .label = "R^2 4k", .unit = "", .how = FIG_SLOPE_R2, .key = FB_KEY("spawn", "fork", 0, "4k"),
	  .scale = 1e-6, .decimals = 4, .about = "how well that line fits the medians (1: exactly)" },
	{ .label = "fork thp", .unit = "ms/GiB", .how = FIG_SLOPE, .key = FB_KEY("spawn", "fork", 0, "thp"),
	  .scale = 1e-6, .decimals = 2,
	  .about = "the same with transparent huge pages, where one PMD entry maps 2 MiB" },
	{ .label = "R^2 thp", .unit = "", .how = FIG_SLOPE_R2, .key = FB_KEY("spawn", "fork", 0, "thp"),
	  .scale = 1e-6, .decimals = 4, .about = "how well that line fits the medians" },
	{ .label = "vfork 0 MiB", .unit = "us", .how = FIG_MEDIAN, .key = FB_KEY0("spawn", "vfork"),
	  .scale = 1e-3, .decimals = 1,
	  .about = "vfork's round trip (spawn/vfork) from a parent holding no extra memory, 4 KiB pages" },
	{ .label = "posix_spawn 0 MiB", .unit = "us", .how = FIG_MEDIAN, .key = FB_KEY0("spawn", "posix_spawn_static"),
	  .scale = 1e-3, .decimals = 1,
	  .about = "posix_spawn of a static binary that exits at once, reaped (spawn/posix_spawn_static), 0 MiB, 4 KiB pages" },
	{ .label = "COW per fault", .unit = "ns", .how = FIG_COUNTER_LARGEST, .key = FB_KEY0("cow", "child_write_all"),
	  .counter = fb_ctr_ns_per_fault, .scale = 1, .decimals = 0,
	  .about = "a child writes every page it shares with its parent: time per copy-on-write fault (counter "
		   "ns_per_fault of cow/child_write_all) at the largest 4 KiB-page size the run measured" },
	{ .label = "pthread create+join", .unit = "us", .how = FIG_MEDIAN,
	  .key = FB_KEY0("threads", "pthread_create_join"), .scale = 1e-3, .decimals = 1,
	  .about = "pthread_create and pthread_join of a thread that returns at once (threads/pthread_create_join)" },
	{ .label = "fork / bare fork", .unit = "ratio", .how = FIG_RATIO, .key = FB_KEY0("spawn", "fork"),
	  .base = FB_KEY0("calibrate", "bare_fork"), .scale = 1, .decimals = 3,
	  .about = "the instrument's overhead: fork's round trip at 0 MiB in the benchmark worker over the same "
		   "in a bare loop (calibrate/bare_fork); 1 means none" },
};
#define NFIGURES (sizeof(figures) / sizeof(figures[0]))

/* What a condition's value is made of in manifest.json. */
enum condition_kind {
	COND_PLAIN,      /* a string, number or boolean as it is */
	COND_SELECTED,   /* "always [madvise] never": the kernel brackets the one in force */
	COND_HYPERVISOR, /* a boolean, with the DMI vendor when it is true */
};

/* The environment items (fb_env_fields: path, label) a row shows, in order. */
static const struct condition {
	enum fb_env_field field;
	enum condition_kind how;
} conditions[] = {
	{ FB_ENV_KERNEL, COND_PLAIN },
	{ FB_ENV_HYPERVISOR, COND_HYPERVISOR },
	{ FB_ENV_CPU_MODEL, COND_PLAIN },
	{ FB_ENV_CORES, COND_PLAIN },
	{ FB_ENV_THP_ENABLED, COND_SELECTED },
};
#define NCONDITIONS (sizeof(conditions) / sizeof(conditions[0]))
#define NCOLUMNS (1 + NCONDITIONS + NFIGURES)

/* One figure of one run. */
struct cell {
	double value;     /* in the figure's unit; NAN when not available */
	char note[320];   /* why not, or how it was obtained ("": nothing to say) */
};

struct matrix_run {
	const char *dir;
	struct fb_run *run;   /* its manifest (checked) and results */
	struct cell cells[NFIGURES];
};

static const struct fb_option matrix_options[] = {
	{ "out", FB_OPT_STRING, 0, 0, NULL, "folder to create for matrix.md, matrix.html and plots/ (must not exist)" },
	{ "help", FB_OPT_FLAG, 0, 0, NULL, "show this help" },
};
#define N_MATRIX_OPTIONS (sizeof(matrix_options) / sizeof(matrix_options[0]))

/* ---- figures ------------------------------------------------------------ */

static int same_series(const struct fb_bench_key *a, const struct fb_bench_key *b)
{
	return strcmp(a->family, b->family) == 0 && strcmp(a->kase, b->kase) == 0 && strcmp(a->mode, b->mode) == 0;
}

/* key's median in ns, or NAN with why. */
static double median_of(const struct fb_results *res, const struct fb_bench_key *key, char *why, size_t len)
{
	const struct fb_result *r = fb_results_get(res, key);
	char name[FB_KEY_NAME_MAX];

	fb_key_format(key, name, sizeof(name));
	if (!r)
		return snprintf(why, len, "%s was not measured in this run", name), NAN;
	if (r->outcome != FB_OUTCOME_OK)
		return snprintf(why, len, "%s did not run (%s)", name, r->error ? r->error : fb_outcome_name(r->outcome)), NAN;
	double ns = fb_result_median_ns(r);
	if (isnan(ns))
		snprintf(why, len, "%s has no repetitions", name);
	return ns;
}

/* A size of key's case and mode that ran and has a median. */
static int measured_point(const struct fb_result *r, const struct fb_bench_key *key)
{
	return same_series(&r->key, key) && r->outcome == FB_OUTCOME_OK && !isnan(fb_result_median_ns(r));
}

/* The line through the medians of key's case and mode (x: parent memory in
 * GiB, y: median times scale) over every size the run measured; the note
 * says over which sizes, or why there is no line. 0 or -1. */
static int fit_series(const struct fb_results *res, const struct figure *fig, struct fb_fit *fit, char *note,
		      size_t len)
{
	double x[64], y[64];
	long lo = 0, hi = 0;
	size_t n = 0;

	for (size_t i = 0; i < res->count && n < 64; i++) {
		const struct fb_result *r = &res->items[i];
		if (!measured_point(r, &fig->key))
			continue;
		lo = n == 0 || r->key.mem_mib < lo ? r->key.mem_mib : lo;
		hi = n == 0 || r->key.mem_mib > hi ? r->key.mem_mib : hi;
		x[n] = (double)r->key.mem_mib / 1024;
		y[n++] = fb_result_median_ns(r) * fig->scale;
	}
	if (n == 0)
		return snprintf(note, len, "%s/%s was not measured in mode %s", fig->key.family, fig->key.kase,
				fig->key.mode), -1;
	if (fb_linear_fit(x, y, n, fit))
		return snprintf(note, len, "%s/%s in mode %s was measured at %ld MiB only: a slope needs two sizes",
				fig->key.family, fig->key.kase, fig->key.mode, lo), -1;
	snprintf(note, len, "least-squares fit over %zu sizes, %ld to %ld MiB", n, lo, hi);
	return 0;
}

static void eval_fit(const struct fb_results *res, const struct figure *fig, struct cell *cell)
{
	struct fb_fit fit;

	if (fit_series(res, fig, &fit, cell->note, sizeof(cell->note)))
		return;
	cell->value = fig->how == FIG_SLOPE ? fit.slope : fit.r2;
	if (fig->how == FIG_SLOPE_R2 && fit.n == 2)
		snprintf(cell->note, sizeof(cell->note), "1 by construction: a line through two sizes");
	else if (fig->how == FIG_SLOPE_R2)
		cell->note[0] = '\0';   /* the slope's note already says which sizes */
}

static void eval_counter_largest(const struct fb_results *res, const struct figure *fig, struct cell *cell)
{
	const struct fb_result *largest = NULL;
	char name[FB_KEY_NAME_MAX];

	for (size_t i = 0; i < res->count; i++)
		if (measured_point(&res->items[i], &fig->key) &&
		    (!largest || res->items[i].key.mem_mib > largest->key.mem_mib))
			largest = &res->items[i];
	if (!largest) {
		snprintf(cell->note, sizeof(cell->note), "%s/%s was not measured in mode %s", fig->key.family,
			 fig->key.kase, fig->key.mode);
		return;
	}
	fb_key_format(&largest->key, name, sizeof(name));
	cell->value = fb_result_counter_median(largest, fig->counter) * fig->scale;
	if (isnan(cell->value))
		snprintf(cell->note, sizeof(cell->note), "%s has no counter %s", name, fig->counter);
	else
		snprintf(cell->note, sizeof(cell->note), "at %ld MiB, the largest size measured (%s)",
			 largest->key.mem_mib, name);
}

static void evaluate(const struct fb_results *res, const struct figure *fig, struct cell *cell)
{
	cell->value = NAN;
	cell->note[0] = '\0';
	switch (fig->how) {
	case FIG_MEDIAN:
		cell->value = median_of(res, &fig->key, cell->note, sizeof(cell->note)) * fig->scale;
		break;
	case FIG_SLOPE:
	case FIG_SLOPE_R2:
		eval_fit(res, fig, cell);
		break;
	case FIG_COUNTER_LARGEST:
		eval_counter_largest(res, fig, cell);
		break;
	case FIG_RATIO: {
		double a = median_of(res, &fig->key, cell->note, sizeof(cell->note));
		double b = isnan(a) ? NAN : median_of(res, &fig->base, cell->note, sizeof(cell->note));
		cell->value = b > 0 ? a / b * fig->scale : NAN;
		break;
	}
	}
}

/* ---- conditions --------------------------------------------------------- */

/* A condition's value as text into buf; -1 (buf "-") when the manifest
 * does not hold it. */
static int condition_text(const json_t *manifest, const struct condition *c, char *buf, size_t len)
{
	const json_t *v = fb_run_env(manifest, c->field);
	const char *s = json_string_value(v);

	if (c->how == COND_HYPERVISOR && json_is_true(v)) {
		const char *vendor = json_string_value(fb_run_env(manifest, FB_ENV_VENDOR));
		snprintf(buf, len, "yes%s%s%s", vendor ? " (" : "", vendor ? vendor : "", vendor ? ")" : "");
	} else if (c->how == COND_SELECTED && s && strchr(s, '[') && strchr(strchr(s, '['), ']')) {
		const char *open = strchr(s, '[');
		snprintf(buf, len, "%.*s", (int)(strchr(open, ']') - open - 1), open + 1);
	} else {
		char text[256];
		const char *shown = fb_manifest_text(v, text, sizeof(text));
		snprintf(buf, len, "%s", shown ? shown : "-");
		return shown ? 0 : -1;
	}
	return 0;
}

static const char *run_id(const struct matrix_run *run)
{
	return run->run->run_id;   /* checked on load */
}

/* ---- input -------------------------------------------------------------- */

/* manifest.json (checked) and bench.json of one run folder, with its
 * figures. 0, or -1 with err naming the file. */
static int load_run(const char *dir, struct matrix_run *run, char *err, size_t len)
{
	run->dir = dir;
	if (!(run->run = fb_run_open(dir, FB_RUN_MANIFEST | FB_RUN_RESULTS, FB_RUN_WORDS_MATRIX, err, len)))
		return -1;
	for (size_t f = 0; f < NFIGURES; f++)
		evaluate(&run->run->results, &figures[f], &run->cells[f]);
	return 0;
}

static void free_runs(struct matrix_run *runs, size_t nruns)
{
	for (size_t i = 0; i < nruns; i++)
		fb_run_close(runs[i].run);
	free(runs);
}

/* ---- document ----------------------------------------------------------- */

static void figure_heading(const struct figure *fig, char *buf, size_t len)
{
	if (fig->unit[0])
		snprintf(buf, len, "%s (%s)", fig->label, fig->unit);
	else
		snprintf(buf, len, "%s", fig->label);
}

static void add_matrix_table(struct fb_doc *doc, const struct matrix_run *runs, size_t nruns)
{
	char text[NCOLUMNS][200];
	const char *cells[NCOLUMNS];

	cells[0] = "run";
	for (size_t c = 0; c < NCONDITIONS; c++)
		cells[1 + c] = fb_env_label_matrix(conditions[c].field);
	for (size_t f = 0; f < NFIGURES; f++)
		figure_heading(&figures[f], text[1 + NCONDITIONS + f], sizeof(text[0]));
	for (size_t f = 0; f < NFIGURES; f++)
		cells[1 + NCONDITIONS + f] = text[1 + NCONDITIONS + f];
	fb_doc_table(doc, (int)NCOLUMNS, cells);
	for (size_t r = 0; r < nruns; r++) {
		for (size_t i = 0; i < NCOLUMNS; i++)
			cells[i] = text[i];
		snprintf(text[0], sizeof(text[0]), "%s", run_id(&runs[r]));
		for (size_t c = 0; c < NCONDITIONS; c++)
			condition_text(runs[r].run->manifest, &conditions[c], text[1 + c], sizeof(text[0]));
		for (size_t f = 0; f < NFIGURES; f++) {
			double value = runs[r].cells[f].value;
			if (isfinite(value))
				snprintf(text[1 + NCONDITIONS + f], sizeof(text[0]), "%.*f", figures[f].decimals, value);
			else
				snprintf(text[1 + NCONDITIONS + f], sizeof(text[0]), "-");
		}
		fb_doc_row(doc, cells);
	}
}

static void add_definitions(struct fb_doc *doc)
{
	char heading[128];

	fb_doc_heading(doc, 2, "Figures");
	for (size_t f = 0; f < NFIGURES; f++) {
		figure_heading(&figures[f], heading, sizeof(heading));
		fb_doc_para(doc, "%s: %s.", heading, figures[f].about);
	}
}

/* Why a cell is "-" (a condition not recorded, a figure not measured), and
 * which sizes a figure came from. */
static void add_notes(struct fb_doc *doc, const struct matrix_run *runs, size_t nruns)
{
	static const char *const head[] = { "run", "column", "note" };
	char heading[128], text[512], value[256];

	fb_doc_heading(doc, 2, "Notes");
	fb_doc_para(doc, "A cell holds \"-\" when its figure or condition is not available; this table says why.");
	fb_doc_table(doc, 3, head);
	for (size_t r = 0; r < nruns; r++) {
		for (size_t c = 0; c < NCONDITIONS; c++)
			if (condition_text(runs[r].run->manifest, &conditions[c], value, sizeof(value))) {
				snprintf(text, sizeof(text), "not recorded in %s/manifest.json (environment.%s)",
					 runs[r].dir, fb_env_fields[conditions[c].field].path);
				fb_doc_row(doc, (const char *const[]){ run_id(&runs[r]), fb_env_label_matrix(conditions[c].field),
								       text });
			}
		for (size_t f = 0; f < NFIGURES; f++) {
			const struct cell *cell = &runs[r].cells[f];
			if (!cell->note[0] && isfinite(cell->value))
				continue;
			figure_heading(&figures[f], heading, sizeof(heading));
			snprintf(text, sizeof(text), "%s%s", isfinite(cell->value) ? "" : "not available: ",
				 cell->note[0] ? cell->note : "not a finite number");
			fb_doc_row(doc, (const char *const[]){ run_id(&runs[r]), heading, text });
		}
	}
}

/* Where each row comes from and how it was measured. */
static void add_sources(struct fb_doc *doc, const struct matrix_run *runs, size_t nruns)
{
	static const char *const head[] = { "run", "folder", "finished (UTC)", "profile", "repetitions",
					     "sizes (MiB)", "page modes" };
	char reps[32];

	fb_doc_heading(doc, 2, "Runs");
	fb_doc_table(doc, 7, head);
	for (size_t r = 0; r < nruns; r++) {
		const json_t *m = runs[r].run->manifest, *config = json_object_get(m, "config");
		const json_t *n = json_object_get(config, "repetitions");
		const char *finished = json_string_value(json_object_get(m, "finished_utc"));
		const char *profile = json_string_value(json_object_get(config, "profile"));
		char sizes_text[160];   /* a list in new runs, a text in older ones */
		const char *sizes = fb_manifest_text(json_object_get(config, "sizes_mib"), sizes_text, sizeof(sizes_text));
		const char *modes = json_string_value(json_object_get(config, "modes"));
		if (json_is_integer(n))
			snprintf(reps, sizeof(reps), "%lld", (long long)json_integer_value(n));
		else
			snprintf(reps, sizeof(reps), "-");
		fb_doc_row(doc, (const char *const[]){ run_id(&runs[r]), runs[r].dir, finished ? finished : "-",
						       profile ? profile : "-", reps, sizes ? sizes : "-",
						       modes ? modes : "-" });
	}
}

/* ---- plot --------------------------------------------------------------- */

/* DIR/plots/matrix.dat for plots/matrix.gp: a header of quoted series
 * names, then per run its id and every FIG_SLOPE figure ('?': missing).
 * The number of series, 0 when there is no value to draw or on error. */
static int write_plot_data(const char *out, const struct matrix_run *runs, size_t nruns)
{
	char path[PATH_MAX];
	struct fb_membuf buf;
	int nseries = 0, values = 0;

	snprintf(path, sizeof(path), "%s/plots", out);
	if (fb_mkdir(path) || fb_membuf_open(&buf))
		return 0;
	fputs("run", buf.f);
	for (size_t f = 0; f < NFIGURES; f++)
		if (figures[f].how == FIG_SLOPE) {
			fprintf(buf.f, " \"%s\"", figures[f].label);
			nseries++;
		}
	fputc('\n', buf.f);
	for (size_t r = 0; r < nruns; r++) {
		fputc('"', buf.f);
		for (const char *c = run_id(&runs[r]); *c; c++)   /* a quote would end the label */
			fputc(*c == '"' ? '\'' : *c, buf.f);
		fputc('"', buf.f);
		for (size_t f = 0; f < NFIGURES; f++) {
			double v = runs[r].cells[f].value;
			if (figures[f].how != FIG_SLOPE)
				continue;
			values += isfinite(v) != 0;
			if (isfinite(v))
				fprintf(buf.f, " %.6g", v);
			else
				fputs(" ?", buf.f);
		}
		fputc('\n', buf.f);
	}
	snprintf(path, sizeof(path), "%s/plots/matrix.dat", out);
	return fb_membuf_commit(&buf, path) == 0 && values ? nseries : 0;
}

/* The chart, or a line saying why it is missing: the tables stand alone. */
static void add_plot(struct fb_doc *doc, const char *out, const struct matrix_run *runs, size_t nruns)
{
	char vars[256], err[PATH_MAX + 128];
	int nseries = write_plot_data(out, runs, nruns);

	fb_doc_heading(doc, 2, "fork's cost per GiB of parent memory");
	if (!nseries) {
		fb_doc_para(doc, "Plot missing: no run has a fork slope to draw.");
		return;
	}
	snprintf(vars, sizeof(vars), "nseries=%d; plottitle='fork round trip per GiB of parent memory, per run'; "
		 "ylab='ms per GiB (least-squares slope of the median)'", nseries);
	if (fb_plot_render(out, "matrix", "matrix", vars, err, sizeof(err)))
		fb_doc_para(doc, "Plot missing: %s.", err);
	else
		fb_doc_image(doc, "matrix", "fork ms per GiB of parent memory, per run: 4 KiB pages and THP");
}

static void build_doc(struct fb_doc *doc, const char *out, const struct matrix_run *runs, size_t nruns)
{
	fb_doc_heading(doc, 1, "forkbench matrix");
	fb_doc_para(doc, "%zu runs side by side, one row each, with the conditions they ran under (from each "
		    "manifest.json). Figures are medians over each run's repetitions (bench.json); \"-\": not "
		    "available, see the notes.", nruns);
	add_matrix_table(doc, runs, nruns);
	add_plot(doc, out, runs, nruns);
	add_definitions(doc);
	add_notes(doc, runs, nruns);
	add_sources(doc, runs, nruns);
}

/* ---- output ------------------------------------------------------------- */

/* DIR itself is made here, with mkdir: a folder that appeared since the
 * first check is still not overwritten. Its parents may be made. */
static int make_out_dir(const char *out, char *err, size_t len)
{
	char parent[PATH_MAX];
	int e;

	snprintf(parent, sizeof(parent), "%s", out);
	if ((e = fb_mkdir(dirname(parent))))
		return snprintf(err, len, "%s: %s", parent, strerror(-e)), -1;
	if (mkdir(out, 0777) == 0)
		return 0;
	if (errno == EEXIST)
		return snprintf(err, len, "%s exists: refusing to overwrite it", out), -1;
	return snprintf(err, len, "%s: %s", out, strerror(errno)), -1;
}

/* matrix.md and matrix.html, each through a temp file and rename. */
/* Everything is read and computed before DIR is made, so bad input leaves
 * nothing behind; a failure after that removes what was written. */
static int render(const char *out, const struct matrix_run *runs, size_t nruns, char *err, size_t len)
{
	struct fb_doc doc;
	int rc;

	if (make_out_dir(out, err, len))
		return -1;
	fb_doc_init(&doc);
	build_doc(&doc, out, runs, nruns);
	rc = fb_doc_write_files(&doc, out, "matrix", "forkbench matrix", err, len);
	fb_doc_free(&doc);
	if (rc)
		fb_remove_tree(out);
	return rc;
}

/* ---- command ------------------------------------------------------------ */

static int usage_error(const char *why)
{
	fb_error("matrix: %s", why);
	return 2;
}

static void print_usage(void)
{
	printf("usage: forkbench matrix RUN RUN... --out DIR   (two to eight run folders)\n"
	       "One table of chosen figures across runs (other machines, kernels, THP settings): a row per run\n"
	       "with its kernel, hypervisor, CPU, cores and THP setting, written to DIR/matrix.md, DIR/matrix.html\n"
	       "and DIR/plots/matrix.svg/.png (fork's cost per GiB).\n");
	fb_options_help(matrix_options, N_MATRIX_OPTIONS, stdout);
}

int fb_cmd_matrix(int argc, char **argv)
{
	struct fb_opt_values v;
	struct stat st;
	char err[PATH_MAX + 512];

	if (fb_options_parse(matrix_options, N_MATRIX_OPTIONS, argc - 1, argv + 1, &v, err, sizeof(err)))
		return usage_error(err);
	if (fb_opt_given(&v, "help"))
		return print_usage(), 0;
	if (v.npositional < 2)
		return usage_error("needs two or more run folders (try --help)");
	const char *out = fb_opt_text(&v, "out");
	if (!out || !out[0])
		return usage_error("needs --out DIR, a folder to create for the table");
	if (lstat(out, &st) == 0) {
		snprintf(err, sizeof(err), "%s exists: refusing to overwrite it", out);
		return usage_error(err);
	}
	struct matrix_run *runs = calloc(v.npositional, sizeof(*runs));
	if (!runs)
		return usage_error("out of memory");
	int failed = 0;
	for (size_t i = 0; i < v.npositional && !failed; i++)
		failed = load_run(v.positional[i], &runs[i], err, sizeof(err));
	failed = failed || render(out, runs, v.npositional, err, sizeof(err));
	free_runs(runs, v.npositional);
	if (failed)
		return usage_error(err);
	printf("%s/matrix.md\n%s/matrix.html\n", out, out);
	return 0;
}
