/* summary.c - the end-of-run table (see summary.h). */
#include "summary.h"
#include "counters.h"
#include "ratios.h"
#include "units.h"

#include <math.h>
#include <string.h>

#define MAX_COLS 16
/* "ms per burst of 1024 threads" and a space */
#define UNIT_WIDTH 32

/* The distinct memory sizes of one family, ascending. */
static size_t family_sizes(const struct fb_results *res, const char *family, long *sizes)
{
	size_t n = 0;
	for (size_t i = 0; i < res->count; i++) {
		const struct fb_result *r = &res->items[i];
		size_t j = 0;
		if (strcmp(r->key.family, family))
			continue;
		while (j < n && sizes[j] != r->key.mem_mib)
			j++;
		if (j == n && n < MAX_COLS)
			sizes[n++] = r->key.mem_mib;
	}
	for (size_t a = 1; a < n; a++)
		for (size_t b = a; b > 0 && sizes[b - 1] > sizes[b]; b--) {
			long t = sizes[b];
			sizes[b] = sizes[b - 1];
			sizes[b - 1] = t;
		}
	return n;
}

/* What the cells of one summary table hold. */
struct table_kind {
	const char *what;       /* heading after "family, mode pages: " */
	int width;              /* of a cell */
	/* a run that ran, in the row's unit (times) */
	void (*value)(const struct fb_result *r, const struct fb_unit *u, char *buf, size_t len);
	const char *left_out;   /* a case without this figure, or NULL */
	int timed;              /* a time per operation: each row says its unit */
};

static void median_in_unit(const struct fb_result *r, const struct fb_unit *u, char *buf, size_t len)
{
	snprintf(buf, len, "%.1f", fb_unit_value(u, fb_result_median_ns(r)));
}

/* The faults a COW case counted (perf_event, or getrusage where perf was
 * denied) against what it had to cost, as "counted/expected". */
static void faults_counted_expected(const struct fb_result *r, const struct fb_unit *u, char *buf, size_t len)
{
	(void)u;
	int perf = fb_result_counter_median(r, fb_ctr_fault_source_perf) > 0;
	double counted = fb_result_counter_median(r, perf ? fb_ctr_faults_perf : fb_ctr_faults_rusage);
	snprintf(buf, len, "%.0f/%.0f", counted, fb_result_counter_median(r, fb_ctr_faults_expected));
}

static const struct table_kind times_table = { "median time per operation, in each row's unit", 10, median_in_unit,
					       NULL, 1 };
static const struct table_kind faults_table = { "faults counted/expected per iteration", 14,
						faults_counted_expected, "naive_copy", 0 };

static void print_cell(const struct table_kind *kind, const struct fb_result *r, const struct fb_unit *u, FILE *out)
{
	char cell[48];

	if (!r)
		snprintf(cell, sizeof(cell), "-");
	else if (r->error)
		snprintf(cell, sizeof(cell), "%s", r->outcome == FB_OUTCOME_SKIPPED ? "skip" :
			 r->outcome == FB_OUTCOME_NO_RESOURCE ? "no-res" : "ERROR");
	else if (!r->nreps)
		snprintf(cell, sizeof(cell), "-");
	else
		kind->value(r, u, cell, sizeof(cell));
	fprintf(out, " %*s", kind->width, cell);
}

/* A case's unit: from its smallest median over the sizes. */
static void row_unit(const struct fb_results *res, const struct fb_result *first, const long *sizes, size_t nsizes,
		     struct fb_unit *u)
{
	double smallest = NAN;
	for (size_t s = 0; s < nsizes; s++) {
		double ns = fb_result_median_ns(fb_results_at(res, first->key.family, first->key.kase, sizes[s],
							      first->key.mode));
		if (ns > 0 && !(ns >= smallest))
			smallest = ns;
	}
	fb_unit_for(&first->key, smallest, u);
}

/* One row per case (found through its first size), one column per size. */
static void print_table(const struct fb_results *res, const char *family, const char *mode,
			const struct table_kind *kind, FILE *out)
{
	long sizes[MAX_COLS];
	size_t nsizes = family_sizes(res, family, sizes);
	int any = 0;

	for (size_t i = 0; i < res->count; i++) {
		const struct fb_result *r = &res->items[i];
		if (strcmp(r->key.family, family) || strcmp(r->key.mode, mode) || r->key.mem_mib != sizes[0] ||
		    (kind->left_out && strcmp(r->key.kase, kind->left_out) == 0))
			continue;
		struct fb_unit u;
		char label[64] = "";
		row_unit(res, r, sizes, nsizes, &u);
		if (kind->timed)
			fb_unit_label(&u, label, sizeof(label));
		if (!any++) {
			fprintf(out, "\n%s, %s pages: %s\n%-36s%-*s", family, mode, kind->what, "case \\ MiB",
				kind->timed ? UNIT_WIDTH : 0, kind->timed ? "unit" : "");
			for (size_t s = 0; s < nsizes; s++)
				fprintf(out, " %*ld", kind->width, sizes[s]);
			fputc('\n', out);
		}
		fprintf(out, "%-36s%-*s", r->key.kase, kind->timed ? UNIT_WIDTH : 0, label);
		for (size_t s = 0; s < nsizes; s++)
			print_cell(kind, fb_results_at(res, family, r->key.kase, sizes[s], mode), &u, out);
		fputc('\n', out);
	}
}

static void print_problems(const struct fb_results *res, FILE *out)
{
	int any = 0;
	for (size_t i = 0; i < res->count; i++) {
		const struct fb_result *r = &res->items[i];
		if (!r->error)
			continue;
		if (!any++)
			fprintf(out, "\nskipped, out of resources or failed:\n");
		fprintf(out, "  %-44s %s\n", r->name, r->error);
	}
}

void fb_summary_print(const struct fb_results *res, FILE *out)
{
	static const char *const modes[] = { "4k", "thp" };
	const char *done[16];
	size_t ndone = 0;

	for (size_t i = 0; i < res->count && ndone < 16; i++) {
		size_t j = 0;
		while (j < ndone && strcmp(done[j], res->items[i].key.family))
			j++;
		if (j < ndone)
			continue;
		done[ndone++] = res->items[i].key.family;
		for (size_t m = 0; m < 2; m++)
			print_table(res, res->items[i].key.family, modes[m], &times_table, out);
	}
	for (size_t m = 0; m < 2; m++)
		print_table(res, "cow", modes[m], &faults_table, out);
	fb_ratios_print(res, out);
	print_problems(res, out);
}
