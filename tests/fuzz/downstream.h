/* downstream.h - everything that reads a loaded bench.json, run over one
 * input by the corpus test (test_fuzz_corpus.c) and the libFuzzer target
 * (fuzz_json.c) alike: the summary, the consistency checks, and compare of
 * the input against itself and against other (which may be the input). */
#ifndef FB_FUZZ_DOWNSTREAM_H
#define FB_FUZZ_DOWNSTREAM_H

#include <stdio.h>

#include "compare.h"
#include "compare_out.h"
#include "consistency.h"
#include "consistency_out.h"
#include "results.h"
#include "summary.h"

static inline void fb_fuzz_downstream(const struct fb_results *res, const struct fb_results *other, FILE *sink)
{
	struct fb_consistency cons;
	struct fb_comparison cmp;
	struct fb_compare_opts opts = { .alpha = 0.05, .threshold = 0.10, .normalize = "none" };
	char err[512];

	fb_summary_print(res, sink);
	if (fb_consistency_evaluate(res, &cons) == 0) {
		fb_consistency_print(&cons, sink);
		json_decref(fb_consistency_json(&cons));
		fb_consistency_free(&cons);
	}
	if (fb_compare(res, res, &opts, &cmp, err, sizeof(err)) == 0) {
		fb_compare_write_junit(&cmp, &opts, sink);
		fb_comparison_free(&cmp);
	}
	if (fb_compare(other, res, &opts, &cmp, err, sizeof(err)) == 0) {
		fb_compare_write_markdown(&cmp, &opts, sink);
		fb_comparison_free(&cmp);
	}
}

#endif
