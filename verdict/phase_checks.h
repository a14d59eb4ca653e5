/* phase_checks.h - the phases checked like the consistency pairs, and read
 * for the questions a user asks next. A phase is a figure too, and wrong
 * until a second method agrees: the traced round trip (enter to reaped, from
 * the kernel's clock) must match the round trip the worker timed itself in
 * the same batches; the tracer's cost is the traced batches against the
 * untraced ones beside them; a COW case's faults in the trace must match
 * its own perf/rusage count. */
#ifndef FB_PHASE_CHECKS_H
#define FB_PHASE_CHECKS_H

#include <stddef.h>

#include "consistency.h"   /* enum fb_agreement */
#include "phases.h"
#include "results.h"

/* The trace's round trip within 10% of the worker's own. */
#define FB_PHASE_SUM_TOLERANCE 0.10
/* Traced batches at most 1.10x the untraced ones beside them. */
#define FB_PHASE_OVERHEAD_TARGET 1.10
/* The child's COW faults in the trace against the case's faults_perf: the
 * child also writes its stack and globals (3 in a fork child here). */
#define FB_PHASE_FAULTS_SLACK 16

struct fb_phase_verdict {
	const struct fb_phase_bench *bench;
	enum fb_agreement sum;       /* FB_UNCHECKED where the case's figure is
				      * not the round trip (a COW case times
				      * its child's writes) or nothing traced */
	double span_ratio;           /* bench->span_us / bench->traced_us */
	enum fb_agreement overhead;  /* FB_DISAGREE: above the target */
	double overhead_ratio;       /* bench->overhead: traced over untraced, round by round */
	enum fb_agreement faults;    /* COW cases only */
	double faults_traced;        /* the child's COW faults per round trip, traced */
	double faults_counted;       /* the case's faults_perf (else faults_rusage) median */
	size_t largest;              /* index of its largest phase */
	char note[200];              /* why unchecked, in words */
};

/* A comparison in plain words, answering one question. */
struct fb_phase_reading {
	const char *question;
	char answer[768];            /* "" when the run lacks the benchmarks */
};

enum { FB_PHASE_READINGS = 3 };

struct fb_phase_judgement {
	struct fb_phase_verdict *items;   /* one per traced benchmark, in order */
	size_t count;
	size_t sum_off, overhead_above, faults_off;
	struct fb_phase_reading readings[FB_PHASE_READINGS];
};

/* Judge p; res (the run's bench.json) gives the COW counters. 0, or -1
 * when memory runs out. */
int fb_phase_judge(const struct fb_phases *p, const struct fb_results *res, struct fb_phase_judgement *out);
void fb_phase_judgement_free(struct fb_phase_judgement *j);

#endif
