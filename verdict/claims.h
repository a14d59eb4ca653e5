/* claims.h - the lecture's claims judged on this machine from one run's
 * data (bench.json + manifest.json): one row per claim with the figure
 * measured now, its conditions and a verdict; written as RUN/claims.json
 * and rendered as the report's "Lecture claims" section. */
#ifndef FB_CLAIMS_H
#define FB_CLAIMS_H

#include <stddef.h>
#include <jansson.h>

#include "results.h"

#define FB_CLAIM_TEXT 512
#define FB_CLAIM_VERDICT 1536   /* a "not measured" verdict holds the command */
#define FB_CLAIM_COMMAND 1024   /* a --filter of up to a dozen benchmark names */
#define FB_MAX_CLAIMS 16

/* What a verdict says, in the order of how much it asserts. A claim is
 * "holds" or "does not hold" only when the figure's whole interval (its
 * confidence interval, widened by the run-to-run drift margin) lies on one
 * side of the rule's bound, "borderline" when it straddles one, and "not
 * measured" when the run did not measure the size or benchmark the claim
 * names (or measured it too far away to extrapolate). */
enum fb_claim_status {
	FB_CLAIM_NOT_MEASURED,
	FB_CLAIM_BORDERLINE,
	FB_CLAIM_DOES_NOT_HOLD,
	FB_CLAIM_HOLDS_ONLY_UNDER,   /* holds under some conditions (page modes, the kernel's
				      * default), does not under the others: each one decided */
	FB_CLAIM_HOLDS,
};

struct fb_claim_row {
	const char *id;
	const char *claim;               /* as the lecture words it */
	const char *unit;                /* of value, lo, hi, bound */
	double value;                    /* the figure judged; NAN when not measured */
	double lo, hi;                   /* its interval (confidence interval of the median,
					  * of a ratio of medians, or extrapolated), before the
					  * drift margin; NAN when not measured */
	double bound;                    /* borderline: the bound the interval straddles;
					  * else NAN */
	enum fb_claim_status status;
	char measured[FB_CLAIM_TEXT];    /* the figure(s) in words, naming benchmarks */
	char benchmark[FB_CLAIM_TEXT];   /* the benchmark(s) or file the figure came from */
	char conditions[FB_CLAIM_TEXT];  /* memory size (measured, or extrapolated: from which
					  * sizes, how far, how well the line fits), page mode,
					  * kernel */
	char rule[FB_CLAIM_TEXT];        /* the tolerance rule, with this claim's numbers */
	char verdict[FB_CLAIM_VERDICT];  /* "holds", "does not hold", "holds only under ...",
					  * "borderline: <interval> against the bound <b>",
					  * "not measured in this run: ...; measure it with: ..." */
	char command[FB_CLAIM_COMMAND];  /* the `forkbench run` that measures what this run
					  * lacked; "" when nothing a run could add is missing */
};

struct fb_claims {
	struct fb_claim_row rows[FB_MAX_CLAIMS];
	size_t count;
};

/* Judge every claim from a run's manifest and results. Never fails: a
 * claim without data is "not measured in this run", saying what is missing. */
void fb_claims_evaluate(const json_t *manifest, const struct fb_results *res, struct fb_claims *out);
/* "holds", "holds only under", "does not hold", "borderline", "not measured". */
const char *fb_claim_status_name(enum fb_claim_status status);
/* Pointers to the keys the claims read (at most max), for the registry test
 * (a key's size and mode are where the claim reads it, or its 0 MiB, 4k). */
size_t fb_claims_keys(const struct fb_bench_key **out, size_t max);

#endif
