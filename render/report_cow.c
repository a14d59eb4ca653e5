/* report_cow.c - the report's copy-on-write section: faults measured
 * against expected over memory size, the cost of one fault, what fork
 * allocates (VmPTE), and the naive copy fork would do without COW. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "counters.h"
#include "plot.h"
#include "report_parts.h"
#include "text.h"

static void fmt_num(double x, const char *fmt, char *buf, size_t len)
{
	if (isnan(x))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, fmt, x);
}

static int plots(struct fb_doc *doc, const char *run_dir, const struct fb_results *res, char *err, size_t len)
{
	static const struct fb_plot_series faults[] = {
		{ "perf_event", "cow", "child_write_all", fb_ctr_faults_perf },
		{ "getrusage", "cow", "child_write_all", fb_ctr_faults_rusage },
		{ "expected", "cow", "child_write_all", fb_ctr_faults_expected },
	};
	static const struct fb_plot_series cost[] = {
		{ "child_write_all", "cow", "child_write_all", fb_ctr_ns_per_fault },
		{ "parent_write_all", "cow", "parent_write_all", fb_ctr_ns_per_fault },
		{ "child_write_fresh", "cow", "child_write_fresh", fb_ctr_ns_per_fault },
		{ "wipeonfork_write_all", "cow", "wipeonfork_write_all", fb_ctr_ns_per_fault },
	};
	int n = fb_plot_data_memory(res, run_dir, "cow_faults", faults, sizeof(faults) / sizeof(faults[0]));

	if (n) {
		if (fb_report_memory_plot(run_dir, "cow_faults", n, "page faults per iteration (median)",
					  "Child writes every page: faults measured vs expected (4k: solid, thp: dashed)",
					  err, len))
			return -1;
		fb_doc_image(doc, "cow_faults", "COW faults measured vs expected vs size");
	}
	n = fb_plot_data_memory(res, run_dir, "cow_ns_per_fault", cost, sizeof(cost) / sizeof(cost[0]));
	if (n) {
		if (fb_report_memory_plot(run_dir, "cow_ns_per_fault", n, "ns per fault (median)",
					  "Cost of one fault: COW copy vs first touch (4k: solid, thp: dashed)", err, len))
			return -1;
		fb_doc_image(doc, "cow_ns_per_fault", "ns per COW fault vs size");
	}
	return 0;
}

/* One row per write/read case that ran: the counts side by side. */
static void faults_table(struct fb_doc *doc, const struct fb_results *res)
{
	static const char *const head[] = { "benchmark", "expected", "perf_event", "getrusage", "faults/page",
					     "ns/fault", "thp_split_pmd", "behaviour held" };
	static const char *const keys[] = { fb_ctr_faults_expected, fb_ctr_faults_perf, fb_ctr_faults_rusage,
					    fb_ctr_faults_per_page, fb_ctr_ns_per_fault, fb_ctr_thp_split_pmd,
					    fb_ctr_behaviour_held };
	static const char *const fmts[] = { "%.0f", "%.0f", "%.0f", "%.3f", "%.0f", "%.0f", "%.2f" };
	char cells[7][32];

	fb_doc_table(doc, 8, head);
	for (size_t i = 0; i < res->count; i++) {
		const struct fb_result *r = &res->items[i];
		if (strcmp(r->key.family, "cow") || strcmp(r->key.kase, "naive_copy") == 0 || r->error || !r->nreps)
			continue;
		for (size_t k = 0; k < 7; k++)
			fmt_num(fb_result_counter_median(r, keys[k]), fmts[k], cells[k], sizeof(cells[k]));
		if (fb_result_counter_median(r, fb_ctr_fault_source_perf) == 0 && fb_result_counter_median(r, fb_ctr_faults_perf) < 0)
			snprintf(cells[1], sizeof(cells[1]), "denied");
		fb_doc_row(doc, (const char *const[]){ r->name, cells[0], cells[1], cells[2], cells[3], cells[4],
						       cells[5], cells[6] });
	}
}

/* Per size and mode: fork's own time and page tables (from the read-only
 * case, where the child only reads), next to the naive copy. */
static void fork_table(struct fb_doc *doc, const struct fb_results *res)
{
	static const char *const head[] = { "MiB", "mode", "fork (parent)", "VmPTE parent", "VmPTE child",
					    "VmPTE child, MADV_DONTFORK", "naive copy", "copy / fork" };
	char mib_s[16], fork_s[32], pte_p[32], pte_c[32], pte_d[32], copy_s[32], ratio[32];

	fb_doc_table(doc, 8, head);
	for (size_t i = 0; i < res->count; i++) {
		const struct fb_result *r = &res->items[i];
		if (strcmp(r->key.family, "cow") || strcmp(r->key.kase, "child_read_only") || r->error || !r->nreps)
			continue;
		const struct fb_result *copy = fb_results_at(res, "cow", "naive_copy", r->key.mem_mib, r->key.mode);
		double fork_ns = fb_result_counter_median(r, fb_ctr_fork_ns);
		double copy_ns = copy && !copy->error && copy->nreps ? fb_result_median_ns(copy) : NAN;
		snprintf(mib_s, sizeof(mib_s), "%ld", r->key.mem_mib);
		fb_fmt_ns(fork_ns, fork_s, sizeof(fork_s));
		fmt_num(fb_result_counter_median(r, fb_ctr_vmpte_parent_kib), "%.0f kB", pte_p, sizeof(pte_p));
		fmt_num(fb_result_counter_median(r, fb_ctr_vmpte_child_kib), "%.0f kB", pte_c, sizeof(pte_c));
		fmt_num(fb_result_counter_median(fb_results_at(res, "cow", "dontfork", r->key.mem_mib, r->key.mode), fb_ctr_vmpte_child_kib), "%.0f kB", pte_d,
			sizeof(pte_d));
		fb_fmt_ns(copy_ns, copy_s, sizeof(copy_s));
		fmt_num(copy_ns / fork_ns, "%.0fx", ratio, sizeof(ratio));
		fb_doc_row(doc, (const char *const[]){ mib_s, r->key.mode, fork_s, pte_p, pte_c, pte_d, copy_s, ratio });
	}
}

int fb_report_cow(struct fb_doc *doc, const char *run_dir, const struct fb_results *res, char *err, size_t len)
{
	int any = 0;

	for (size_t i = 0; i < res->count && !any; i++)
		any = strcmp(res->items[i].key.family, "cow") == 0;
	if (!any)
		return 0;
	fb_doc_heading(doc, 2, "Copy-on-write (cow)");
	fb_doc_para(doc, "After fork, parent and child share every page read-only; the first write to a page "
		    "faults and copies it. Faults are counted around the write loop only, in the writing task, "
		    "by perf_event_open (PERF_COUNT_SW_PAGE_FAULTS_MIN) and by getrusage; 'expected' is one fault "
		    "per page written, or per 2 MiB where the kernel still maps the memory with a huge page after "
		    "the loop (read back from smaps, not assumed). Since Linux 5.8 a write to a shared THP splits "
		    "the PMD (thp_split_pmd) and copies 4 KiB only.");
	if (plots(doc, run_dir, res, err, len))
		return -1;
	fb_doc_heading(doc, 3, "Faults: measured against expected");
	faults_table(doc, res);
	fb_doc_heading(doc, 3, "What fork allocates, and what it would copy without COW");
	fb_doc_para(doc, "fork copies page tables, not pages: the child's VmPTE right after fork, against the "
		    "naive copy of the whole region into fresh memory (what fork would cost without COW).");
	fork_table(doc, res);
	fb_report_family_table(doc, run_dir, res, "cow");
	return 0;
}
