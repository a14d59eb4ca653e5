/* summary.c - the end-of-run table (see summary.h). */
#include "summary.h"
#include "ratios.h"

#include <math.h>
#include <string.h>

#define MAX_COLS 16

/* The distinct memory sizes of one family, ascending. */
static size_t family_sizes(const struct fb_results *res, const char *family, long *sizes)
{
	size_t n = 0;
	for (size_t i = 0; i < res->count; i++) {
		const struct fb_result *r = &res->items[i];
		size_t j = 0;
		if (strcmp(r->family, family))
			continue;
		while (j < n && sizes[j] != r->mem_mib)
			j++;
		if (j == n && n < MAX_COLS)
			sizes[n++] = r->mem_mib;
	}
	for (size_t a = 1; a < n; a++)
		for (size_t b = a; b > 0 && sizes[b - 1] > sizes[b]; b--) {
			long t = sizes[b];
			sizes[b] = sizes[b - 1];
			sizes[b - 1] = t;
		}
	return n;
}

static void print_cell(const struct fb_result *r, FILE *out)
{
	if (!r)
		fprintf(out, " %10s", "-");
	else if (r->error)
		fprintf(out, " %10s", r->skipped ? "skip" : "ERROR");
	else
		fprintf(out, " %10.1f", fb_result_median_ns(r) / 1e3);
}

static void print_table(const struct fb_results *res, const char *family, const char *mode, FILE *out)
{
	long sizes[MAX_COLS];
	size_t nsizes = family_sizes(res, family, sizes);
	char name[256];
	int any = 0;

	for (size_t i = 0; i < res->count; i++) {
		const struct fb_result *r = &res->items[i];
		if (strcmp(r->family, family) || strcmp(r->mode, mode) || r->mem_mib != sizes[0])
			continue;   /* one row per case: found through its first size */
		if (!any++) {
			fprintf(out, "\n%s, %s pages: median time per iteration, us\n%-28s", family, mode, "case \\ MiB");
			for (size_t s = 0; s < nsizes; s++)
				fprintf(out, " %10ld", sizes[s]);
			fputc('\n', out);
		}
		fprintf(out, "%-28s", r->kase);
		for (size_t s = 0; s < nsizes; s++) {
			snprintf(name, sizeof(name), "%s/%s/mem_mib:%ld/mode:%s", family, r->kase, sizes[s], mode);
			print_cell(fb_results_find(res, name), out);
		}
		fputc('\n', out);
	}
}

/* The faults a COW case counted (perf_event, or getrusage where perf was
 * denied) against what it had to cost, as "counted/expected". */
static void print_fault_cell(const struct fb_result *r, FILE *out)
{
	char cell[48];

	if (!r || r->error || !r->nreps) {
		print_cell(r, out);
		return;
	}
	int perf = fb_result_counter_median(r, "fault_source_perf") > 0;
	double counted = fb_result_counter_median(r, perf ? "faults_perf" : "faults_rusage");
	snprintf(cell, sizeof(cell), "%.0f/%.0f", counted, fb_result_counter_median(r, "faults_expected"));
	fprintf(out, " %14s", cell);
}

static void print_cow_faults(const struct fb_results *res, const char *mode, FILE *out)
{
	long sizes[MAX_COLS];
	size_t nsizes = family_sizes(res, "cow", sizes);
	char name[256];
	int any = 0;

	for (size_t i = 0; i < res->count; i++) {
		const struct fb_result *r = &res->items[i];
		if (strcmp(r->family, "cow") || strcmp(r->mode, mode) || r->mem_mib != sizes[0] ||
		    strcmp(r->kase, "naive_copy") == 0)
			continue;
		if (!any++) {
			fprintf(out, "\ncow, %s pages: faults counted/expected per iteration\n%-28s", mode, "case \\ MiB");
			for (size_t z = 0; z < nsizes; z++)
				fprintf(out, " %14ld", sizes[z]);
			fputc('\n', out);
		}
		fprintf(out, "%-28s", r->kase);
		for (size_t z = 0; z < nsizes; z++) {
			snprintf(name, sizeof(name), "cow/%s/mem_mib:%ld/mode:%s", r->kase, sizes[z], mode);
			print_fault_cell(fb_results_find(res, name), out);
		}
		fputc('\n', out);
	}
}

static void print_ratios(const struct fb_results *res, FILE *out)
{
	int any = 0;
	for (size_t i = 0; i < fb_nratios; i++) {
		double r = fb_ratio_value(res, &fb_ratios[i]);
		if (isnan(r))
			continue;
		if (!any++)
			fprintf(out, "\nratios of medians in this run:\n");
		fprintf(out, "  %-80s %9.4f  (1/%.0f)\n", fb_ratios[i].label, r, 1 / r);
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
			fprintf(out, "\nskipped or failed:\n");
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
		while (j < ndone && strcmp(done[j], res->items[i].family))
			j++;
		if (j < ndone)
			continue;
		done[ndone++] = res->items[i].family;
		for (size_t m = 0; m < 2; m++)
			print_table(res, res->items[i].family, modes[m], out);
	}
	for (size_t m = 0; m < 2; m++)
		print_cow_faults(res, modes[m], out);
	print_ratios(res, out);
	print_problems(res, out);
}
