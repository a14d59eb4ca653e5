/* phases_out.h - where a spawn round trip's time goes (model/phases.h),
 * with its checks and readings (verdict/phase_checks.h), as the end-of-run
 * text, the report's section with its plot, and the checks' JSON. */
#ifndef FB_PHASES_OUT_H
#define FB_PHASES_OUT_H

#include <stdio.h>
#include <jansson.h>

#include "doc.h"
#include "phase_checks.h"
#include "phases.h"

/* The end-of-run text: one line per traced benchmark naming its largest
 * phase, a line per check that failed, then the readings; one line when
 * tracing did not run. j may be NULL (nothing judged: no checks). */
void fb_phases_print(const struct fb_phases *p, const struct fb_phase_judgement *j, FILE *out);
/* The report's "Where the time goes (kernel tracepoints)" section: the
 * readings, how it was measured, the plot (run_dir/plots/phases.dat,
 * drawn by plots/phases.gp; said missing when gnuplot fails), the checks
 * and the phases. j may be NULL. */
void fb_phases_section(struct fb_doc *doc, const char *run_dir, const struct fb_phases *p,
		       const struct fb_phase_judgement *j);
/* {"checks": [{"name", "sum", "span_ratio", "overhead", "overhead_ratio",
 * "faults", "faults_traced", "faults_counted", "largest_phase", "note"}],
 * "readings": [{"question", "answer"}]}: sum and faults "agree",
 * "disagree" or "unchecked"; overhead "within target", "above target" or
 * "unchecked"; a figure not measured and an answer the run cannot give are
 * null. A new reference. */
json_t *fb_phase_judgement_json(const struct fb_phase_judgement *j);

#endif
