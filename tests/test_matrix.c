/* test_matrix.c - `forkbench matrix`: two real quick runs side by side (one
 * row per run named by its run id, fork ms/GiB as the slope of the run's
 * own medians, "-" and a note where the runs measured nothing, the HTML
 * and the plot), then the input it must refuse with one line on stderr and nothing written.
 * The command is not registered in build/forkbench yet, so fb_cmd_matrix
 * is called directly: this binary doubles as its driver
 * ("test_matrix matrix ARGS...") and runs a copy of itself placed beside a
 * link to plots/, where fb_plot_render finds plots/matrix.gp as it does
 * next to build/forkbench. */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "matrix.h"
#include "results.h"
#include "files.h"
#include "testutil.h"

static char build[PATH_MAX], tmp[] = "/tmp/fb-test-matrix-XXXXXX";
static char driver[PATH_MAX + 32];   /* the copy of this binary that runs fb_cmd_matrix */

/* A copy of this executable in tmp/bin with tmp/plots -> the source's
 * plots/; when that cannot be made, this executable itself (the plot is
 * then reported missing). */
static void make_driver(void)
{
	char plots[PATH_MAX + 16], real[PATH_MAX], link_path[PATH_MAX + 16], bin[PATH_MAX + 8];
	char cmd[4 * PATH_MAX];

	snprintf(driver, sizeof(driver), "/proc/self/exe");
	snprintf(plots, sizeof(plots), "%s/../plots", build);
	snprintf(link_path, sizeof(link_path), "%s/plots", tmp);
	snprintf(bin, sizeof(bin), "%s/bin", tmp);
	if (!realpath(plots, real) || symlink(real, link_path) || mkdir(bin, 0755))
		return;
	snprintf(cmd, sizeof(cmd), "cp /proc/%d/exe '%s/test_matrix'", (int)getpid(), bin);
	if (system(cmd) == 0)
		snprintf(driver, sizeof(driver), "%s/test_matrix", bin);
}

/* fb_cmd_matrix with args (NULL-terminated, at most 20) in the driver;
 * stdout and stderr to files; the exit status. */
static int matrix(const char *const *args, const char *out_path, const char *err_path)
{
	const char *argv[24] = { driver, "matrix" };
	int n = 2;

	while (args[n - 2] && n < 22) {
		argv[n] = args[n - 2];
		n++;
	}
	argv[n] = NULL;
	return run_command(argv, out_path, err_path);
}

/* A real quick run of the matrix's benchmarks into dir. */
static int quick_run(const char *dir)
{
	const char *args[] = { "run", "--profile", "quick", "--filter",
			       "^(spawn/(fork|vfork|posix_spawn_static)|calibrate/bare_fork|threads/pthread_create_join|"
			       "cow/child_write_all)/",
			       "--sizes", "0,1,16", "--modes", "4k", "--repetitions", "3", "--min-time", "0.002",
			       "--out", dir, NULL };
	char out[PATH_MAX + 16], err[PATH_MAX + 16];

	snprintf(out, sizeof(out), "%s.out", dir);
	snprintf(err, sizeof(err), "%s.err", dir);
	return run_forkbench_in(build, args, out, err);
}

static void read_run_id(const char *dir, char *buf, size_t len)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	json_t *m = json_load_file(path, 0, NULL);
	snprintf(buf, len, "%s", json_string_value(json_object_get(m, "run_id")) ?
		 json_string_value(json_object_get(m, "run_id")) : "(none)");
	json_decref(m);
}

/* The cells of a Markdown table line "| a | b |", split in place. */
static int md_cells(char *line, char **cells, int max)
{
	int n = 0;
	line[strcspn(line, "\n")] = '\0';
	size_t len = strlen(line);
	if (strncmp(line, "| ", 2) || len < 4 || strcmp(line + len - 2, " |"))
		return 0;
	line[len - 2] = '\0';
	for (char *at = line + 2; at && n < max; n++) {
		cells[n] = at;
		char *bar = strstr(at, " | ");
		if (bar)
			*bar = '\0';
		at = bar ? bar + 3 : NULL;
	}
	return n;
}

/* The first table of matrix.md: its header and up to 8 rows of cells. */
struct md_table {
	char lines[10][2048];
	char *head[32], *rows[8][32];
	int ncols, nrows;
};

static void read_first_table(const char *path, struct md_table *t)
{
	FILE *f = fopen(path, "r");
	int at = 0;

	memset(t, 0, sizeof(*t));
	while (f && at < 10 && fgets(t->lines[at], sizeof(t->lines[0]), f))
		if (strncmp(t->lines[at], "| ", 2) == 0)
			at++;
		else if (at)
			break;   /* the table ended */
	if (f)
		fclose(f);
	if (at < 2)
		return;
	t->ncols = md_cells(t->lines[0], t->head, 32);
	for (int r = 2; r < at && t->nrows < 8; r++)   /* lines[1] is "| --- |..." */
		if (md_cells(t->lines[r], t->rows[t->nrows], 32) == t->ncols)
			t->nrows++;
}

static int column(const struct md_table *t, const char *heading)
{
	for (int c = 0; c < t->ncols; c++)
		if (strcmp(t->head[c], heading) == 0)
			return c;
	return -1;
}

static int file_has(const char *path, const char *text)
{
	char *data = fb_slurp(path, 1 << 24);
	int found = data && strstr(data, text);
	free(data);
	return found;
}

/* fork's least-squares slope in ms/GiB over the 4k sizes of run dir's
 * bench.json, worked out here (x: MiB / 1024, y: median ms); NAN when
 * there are not two sizes. Any sign: on a busy machine the medians of a
 * quick run at 0, 1 and 16 MiB can fall as the size grows. */
static double expected_slope(const char *dir)
{
	static const long sizes[] = { 0, 1, 16 };
	char path[PATH_MAX + 16], err[256];
	struct fb_results res;
	double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0;

	snprintf(path, sizeof(path), "%s/bench.json", dir);
	if (fb_results_load(path, &res, err, sizeof(err)))
		return NAN;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		const struct fb_result *r = fb_results_at(&res, "spawn", "fork", sizes[i], "4k");
		double y = r ? fb_result_median_ns(r) / 1e6 : NAN, x = (double)sizes[i] / 1024;
		if (isnan(y))
			continue;
		sx += x, sy += y, sxx += x * x, sxy += x * y, n++;
	}
	fb_results_free(&res);
	return n < 2 ? NAN : (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

static void check_table(const char *outdir, const char *r1, const char *r2, const char *id1, const char *id2)
{
	char md[PATH_MAX + 16];
	struct md_table t;

	snprintf(md, sizeof(md), "%s/matrix.md", outdir);
	read_first_table(md, &t);
	CHECK(t.nrows == 2 && strcmp(t.rows[0][0], id1) == 0 && strcmp(t.rows[1][0], id2) == 0,
	      "matrix.md: one row per run, in order, named by its run id", "%d rows; first cells %s, %s (want %s, %s)",
	      t.nrows, t.nrows > 0 ? t.rows[0][0] : "-", t.nrows > 1 ? t.rows[1][0] : "-", id1, id2);
	int c4k = column(&t, "fork 4k (ms/GiB)"), cthp = column(&t, "fork thp (ms/GiB)");
	double want[2] = { expected_slope(r1), expected_slope(r2) };
	int agree = c4k >= 0 && t.nrows == 2;
	for (int r = 0; agree && r < 2; r++) {
		double v = strtod(t.rows[r][c4k], NULL);   /* printed with 2 decimals */
		agree = isfinite(want[r]) && fabs(v - want[r]) <= 0.005 + 1e-6 * fabs(want[r]);
	}
	CHECK(agree, "fork ms/GiB (4k) is the slope of each run's own medians over 0, 1 and 16 MiB",
	      "column %d: %s, %s; worked out here: %.4f, %.4f", c4k, c4k >= 0 && t.nrows > 0 ? t.rows[0][c4k] : "-",
	      c4k >= 0 && t.nrows > 1 ? t.rows[1][c4k] : "-", want[0], want[1]);
	int dashes = cthp >= 0 && t.nrows == 2 && strcmp(t.rows[0][cthp], "-") == 0 && strcmp(t.rows[1][cthp], "-") == 0;
	CHECK(dashes && file_has(md, "not available: spawn/fork was not measured in mode thp"),
	      "fork ms/GiB (thp), not measured: \"-\" with the reason in a note", "column %d, note %s", cthp,
	      file_has(md, "mode thp") ? "present" : "missing");
}

static void check_html_and_plot(const char *outdir, const char *id1, const char *id2)
{
	char md[PATH_MAX + 16], html[PATH_MAX + 16], svg[PATH_MAX + 32];
	struct stat st;

	snprintf(md, sizeof(md), "%s/matrix.md", outdir);
	snprintf(html, sizeof(html), "%s/matrix.html", outdir);
	snprintf(svg, sizeof(svg), "%s/plots/matrix.svg", outdir);
	CHECK(file_has(html, "<table>") && file_has(html, id1) && file_has(html, id2), "matrix.html: the table, both runs",
	      "%s", stat(html, &st) ? "missing" : "no table or a run id missing");
	if (file_has(md, "Plot missing") && run_command((const char *const[]){ "gnuplot", "--version", NULL },
						       NULL, NULL) != 0) {
		SKIP("the plot of fork ms/GiB per run", "gnuplot not installed (matrix.md says the plot is missing)");
		return;
	}
	CHECK(stat(svg, &st) == 0 && st.st_size > 0 && file_has(html, "data:image/svg+xml") &&
	      file_has(md, "](plots/matrix.png)"), "the plot of fork ms/GiB per run: rendered, in both documents",
	      "%s", strcmp(driver, "/proc/self/exe") ? "not rendered" : "no driver copy beside plots/");
}

static void check_real_runs(void)
{
	char r1[PATH_MAX], r2[PATH_MAX], outdir[PATH_MAX], out[PATH_MAX], err[PATH_MAX], id1[128], id2[128];

	snprintf(r1, sizeof(r1), "%s/run-a", tmp);
	snprintf(r2, sizeof(r2), "%s/run-b", tmp);
	snprintf(outdir, sizeof(outdir), "%s/matrix", tmp);
	snprintf(out, sizeof(out), "%s/matrix.out", tmp);
	snprintf(err, sizeof(err), "%s/matrix.err", tmp);
	int rc1 = quick_run(r1), rc2 = quick_run(r2);
	if (!CHECK(rc1 == 0 && rc2 == 0, "two real quick runs", "exit %d and %d", rc1, rc2))
		return;
	read_run_id(r1, id1, sizeof(id1));
	read_run_id(r2, id2, sizeof(id2));
	const char *args[] = { r1, r2, "--out", outdir, NULL };
	int rc = matrix(args, out, err);
	CHECK(rc == 0 && count_lines(err) == 0, "matrix of two runs: exit 0, nothing on stderr", "exit %d, %d lines",
	      rc, count_lines(err));
	check_table(outdir, r1, r2, id1, id2);
	check_html_and_plot(outdir, id1, id2);
}

/* rc 2, exactly one line on stderr holding what, and no out folder (or the
 * existing one untouched: same_as is its matrix.md before, or NULL). */
static void check_refused(const char *const *args, const char *outdir, const char *what, const char *same_as,
			  const char *name)
{
	char out[PATH_MAX], err[PATH_MAX], md[PATH_MAX + 16];
	struct stat st;

	snprintf(out, sizeof(out), "%s/refused.out", tmp);
	snprintf(err, sizeof(err), "%s/refused.err", tmp);
	snprintf(md, sizeof(md), "%s/matrix.md", outdir);
	int rc = matrix(args, out, err);
	char *text = fb_slurp(err, 1 << 16), *after = fb_slurp(md, 1 << 24);
	int untouched = same_as ? after && strcmp(after, same_as) == 0 : stat(outdir, &st) != 0;
	CHECK(rc == 2 && count_lines(err) == 1 && text && strstr(text, what) && untouched, name,
	      "exit %d, %d lines: %s; output %s", rc, count_lines(err), text ? text : "", untouched ? "ok" : "written");
	free(text);
	free(after);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void check_bad_inputs(void)
{
	char r1[PATH_MAX], bad[PATH_MAX], path[PATH_MAX + 32], outdir[PATH_MAX], existing[PATH_MAX];

	snprintf(r1, sizeof(r1), "%s/run-a", tmp);
	snprintf(bad, sizeof(bad), "%s/corrupt", tmp);
	snprintf(outdir, sizeof(outdir), "%s/refused", tmp);
	snprintf(existing, sizeof(existing), "%s/matrix", tmp);
	snprintf(path, sizeof(path), "%s/matrix.md", existing);
	char *before = fb_slurp(path, 1 << 24);
	const char *again[] = { r1, r1, "--out", existing, NULL };
	check_refused(again, existing, "exists", before, "an existing --out folder: refused, exit 2, left as it was");
	free(before);

	/* A run folder with run-a's manifest and a bench.json cut short. */
	snprintf(path, sizeof(path), "%s/manifest.json", r1);
	char *manifest = fb_slurp(path, 1 << 24);
	snprintf(path, sizeof(path), "%s/manifest.json", bad);
	if (mkdir(bad, 0755) == 0)
		write_text(path, manifest);
	free(manifest);
	snprintf(path, sizeof(path), "%s/bench.json", bad);
	write_text(path, "{\"benchmarks\": [ {\"name\": ");
	const char *corrupt[] = { r1, bad, "--out", outdir, NULL };
	check_refused(corrupt, outdir, path, NULL, "a corrupt bench.json: exit 2, one line naming it, nothing written");

	snprintf(path, sizeof(path), "%s/manifest.json", bad);
	unlink(path);
	const char *no_manifest[] = { r1, bad, "--out", outdir, NULL };
	check_refused(no_manifest, outdir, path, NULL, "a missing manifest.json: exit 2, one line naming it");

	const char *one[] = { r1, "--out", outdir, NULL };
	check_refused(one, outdir, "two or more", NULL, "a single run: exit 2, nothing written");
	const char *unknown[] = { r1, r1, "--out", outdir, "--bogus", NULL };
	check_refused(unknown, outdir, "--bogus", NULL, "an unknown option: exit 2, one line naming it");
	const char *no_out[] = { r1, r1, NULL };
	check_refused(no_out, outdir, "--out", NULL, "no --out: exit 2");
}

static void check_help(void)
{
	char out[PATH_MAX], err[PATH_MAX];

	snprintf(out, sizeof(out), "%s/help.out", tmp);
	snprintf(err, sizeof(err), "%s/help.err", tmp);
	int rc = matrix((const char *const[]){ "--help", NULL }, out, err);
	CHECK(rc == 0 && file_has(out, "usage: forkbench matrix") && file_has(out, "--out") && count_lines(err) == 0,
	      "--help: usage on stdout, exit 0", "exit %d", rc);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "matrix") == 0)   /* the driver, run by matrix() above */
		return fb_cmd_matrix(argc - 1, argv + 1);
	setvbuf(stdout, NULL, _IOLBF, 0);
	build_dir(build, sizeof(build));
	if (!mkdtemp(tmp))
		return 1;
	make_driver();
	check_help();
	check_real_runs();
	check_bad_inputs();
	int failed = check_done();
	if (!failed)
		fb_remove_tree(tmp);   /* kept on failure, to look at */
	return failed;
}
