/* claims.c - the lecture's claims as a table, each judged from a run's data
 * by one small function under one tolerance rule (see claims.h). Output
 * (claims.json, the report section, the command) lives in claims_out.c. */
#define _GNU_SOURCE
#include "claims.h"
#include "text.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "manifest.h"
#include "run_folder.h"
#include "sizes.h"
#include "stats.h"

/* Run-to-run drift: a figure's interval is widened by this factor each way
 * (lo / 1.3 .. hi x 1.3) before it is set against a bound. A run's own
 * confidence interval says where this run's median lies, not where the
 * next run's will: over ten runs (issue 20) the ucontext ratio moved
 * between 7.9 and 10.1, a factor 1.28 (+-12% around 8.9), while each run's
 * interval was a few percent wide, so against its bound of 10 it read
 * "does not hold" six times and "holds" once. Two runs may differ by that
 * whole spread, so the margin is the whole spread, rounded up: with 1.3
 * every one of those runs reads borderline (7.9 x 1.3 = 10.3 >= 10), and
 * two runs inside such a spread can never read "holds" and "does not hold"
 * (that takes figures 1.3^2 = 1.69x apart). "~X" spans 100x and "10-100x"
 * 10x, so most of each band still decides. */
#define DRIFT_FACTOR 1.3

/* Reading a size the run did not measure (1 GiB) off a line through the
 * sizes it did: at most REACH_MAX times the largest measured size (one
 * step of the default sweep, 256 -> 1024 MiB: a slope error at 16x reach
 * is multiplied 16 times), through the FIT_POINTS largest measured sizes
 * (the top of the sweep is where the per-MiB cost shows; small sizes are
 * the fixed cost, and THP cannot map below 2 MiB), and only when the line
 * misses none of them by more than FIT_RESIDUAL_MAX of its figure: a
 * repetition's median moves a few percent, so a larger miss means the
 * curve bends (page-table pages, THP, caches) and says nothing 4x further. */
#define REACH_MAX 4.0
#define FIT_POINTS 3
#define FIT_RESIDUAL_MAX 0.10

/* How the lecture's wording is read as a test on a measured figure. */
enum rule_id {
	RULE_ABOUT,     /* "~X" */
	RULE_RANGE,     /* "A-B x" */
	RULE_CHEAPER,   /* "cheaper" */
	RULE_EQUAL,     /* "maximum N" */
	RULE_AT_LEAST,  /* "practical thanks to COW" */
	RULE_OBSERVED,  /* a fact of the kernel seen on every iteration */
};

struct claim_ctx {
	const json_t *manifest;
	const struct fb_results *res;
};

struct claim_def;
typedef void judge_fn(const struct claim_def *def, const struct claim_ctx *ctx, struct fb_claim_row *row);

struct claim_def {
	const char *id;
	const char *claim;           /* the lecture's words */
	enum rule_id rule;
	double claimed, claimed_hi;  /* the lecture's figure(s), in unit */
	const char *unit;
	judge_fn *judge;
	/* parameters of the judge */
	struct fb_bench_key bench;   /* the case judged (judge_sized: at each mode and size;
				      * judge_user: the user-level context) */
	const char *counter;         /* NULL: the benchmark's time */
	double unit_per_raw;         /* raw figure (ns or KiB) to unit */
	const char *const *modes;    /* page modes judged, NULL-terminated */
	const char *what;            /* how the figure reads in "measured" */
	const char *also;            /* judge_sized: also give the time under this label */
	struct fb_bench_key against; /* judge_user: the kernel-level figure (default:
				      * pthread create+join), read with counter */
	const char *against_what;    /* judge_user: how that figure reads */
};

/* A rule as the band [lo, hi] a figure must lie in for the claim to hold,
 * and the drift factor its interval is widened by first. */
struct band {
	double lo, hi;
	double drift;
};

/* The tolerance rules, all in this one place: each rule's band and its
 * wording side by side (words may be NULL). */
static struct band rule_band(const struct claim_def *def, char *words, size_t len)
{
	const double a = def->claimed, b = def->claimed_hi;

	switch (def->rule) {
	case RULE_ABOUT:
		/* within an order of magnitude either way: the slide gives orders of
		 * magnitude and machines differ by small factors; the two figures it
		 * contrasts (~500 ms, ~50 us) stay four orders apart, so this band
		 * still tells them apart */
		snprintf(words, len, "'~%g %s' holds within %g .. %g %s (an order of magnitude either way)",
			 a, def->unit, a / 10, a * 10, def->unit);
		return (struct band){ a / 10, a * 10, DRIFT_FACTOR };
	case RULE_RANGE:
		/* as worded: a ratio beyond B is faster than claimed but is not what
		 * the slide says */
		snprintf(words, len, "'%g-%gx' holds when the ratio of medians lies in [%g, %g]", a, b, a, b);
		return (struct band){ a, b, DRIFT_FACTOR };
	case RULE_CHEAPER:
		/* the whole interval of the ratio below 1: the medians differ beyond
		 * their noise, not just a ratio below 1 by chance */
		snprintf(words, len, "'cheaper' holds when the ratio of medians is below 1 even at its pessimistic "
			 "end (the cheaper one's CI high over the other's CI low)");
		return (struct band){ -INFINITY, 1, DRIFT_FACTOR };
	case RULE_EQUAL:
		/* a setting, not a time: exact, no drift */
		snprintf(words, len, "'maximum %g' holds when pid_max is %g", a, a);
		return (struct band){ a, a, 1 };
	case RULE_AT_LEAST:
		/* copying costs at least A times the COW path: an order of magnitude */
		snprintf(words, len, "holds when copying 1 GiB costs at least %gx the COW fork+exec of a 1 GiB "
			 "parent (an order of magnitude)", a);
		return (struct band){ a, INFINITY, DRIFT_FACTOR };
	case RULE_OBSERVED:
		/* seen on every iteration, or not: a share, no drift */
		snprintf(words, len, "holds when what it says was observed every time it was looked at (share 1)");
		return (struct band){ 1, 1, 1 };
	}
	return (struct band){ NAN, NAN, 1 };
}

/* Append "; " (when buf holds text) and the formatted text, truncating. */
static void join(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void join(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used && used + 2 < len)
		used += (size_t)snprintf(buf + used, len - used, "; ");
	va_start(ap, fmt);
	if (used < len)
		vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/* ---- figures out of the run ------------------------------------------ */

struct figure {
	double value;              /* the median at the target size; NAN when not measured */
	double lo, hi;             /* its interval: the median's CI, or extrapolated */
	int absent;                /* not measured because the run lacks it (a run can add it) */
	struct fb_bench_key key;   /* the benchmark sought */
	char bench[FB_KEY_NAME_MAX]; /* the benchmark the figure came from (or was sought) */
	char how[192];             /* "1024 MiB", or how it was read off a line */
	char missing[320];         /* what is absent or skipped, when value is NAN */
	double thp_coverage;       /* of the benchmark used: the share really PMD-mapped */
};

/* Each repetition's figure: its time, or the counter where its row has it
 * as a number (none of the claims' counters is a time in time_unit, which
 * results.c would scale). Returns how many, into a malloc'd *values. */
static size_t rep_values(const struct fb_result *r, const char *counter, double **values)
{
	size_t n = 0;

	*values = r && !r->error && r->nreps ? malloc(r->nreps * sizeof(**values)) : NULL;
	for (size_t i = 0; *values && i < r->nreps; i++) {
		json_t *v = counter ? json_object_get(r->rows[i], counter) : NULL;
		if (!counter || json_is_number(v))
			(*values)[n++] = counter ? json_number_value(v) : r->times_ns[i];
	}
	return n;
}

/* The summary (median, its CI) of r's time or counter: 0, or -1. */
static int summary_of(const struct fb_result *r, const char *counter, struct fb_summary *s)
{
	double *values;
	size_t n = rep_values(r, counter, &values);
	int err = n ? fb_summarize(values, n, s) : -1;

	free(values);
	return err;
}

static void describe_missing(const struct fb_result *r, const char *name, const char *counter,
			     char *buf, size_t len)
{
	if (!r)
		snprintf(buf, len, "%s is absent from bench.json", name);
	else if (r->error)
		snprintf(buf, len, "%s did not run (%s)", name, r->error);
	else
		snprintf(buf, len, "%s has no %s figure", name, counter ? counter : "time");
}

/* The figure of one benchmark as measured: its median and the median's
 * confidence interval. 0, or -1 with f->missing (and f->absent when the
 * run has no such benchmark at all). */
static int figure_get(const struct fb_results *res, const struct fb_bench_key *key, const char *counter,
		      struct figure *f)
{
	const struct fb_result *r = fb_results_get(res, key);
	struct fb_summary s;

	memset(f, 0, sizeof(*f));
	f->key = *key;
	f->value = f->lo = f->hi = NAN;
	fb_key_format(key, f->bench, sizeof(f->bench));
	snprintf(f->how, sizeof(f->how), "%ld MiB", key->mem_mib);
	f->thp_coverage = fb_result_counter_median(r, fb_ctr_thp_coverage);
	if (summary_of(r, counter, &s) == 0) {
		f->value = s.median;
		f->lo = s.ci_low;
		f->hi = s.ci_high;
		return 0;
	}
	describe_missing(r, f->bench, counter, f->missing, sizeof(f->missing));
	f->absent = !r;
	return -1;
}

/* The FIT_POINTS largest sizes at which at's case has a figure in at's
 * mode, largest first, into top; their number. */
static size_t largest_sizes(const struct fb_results *res, const struct fb_bench_key *at, const char *counter,
			    const struct fb_result **top)
{
	size_t n = 0;
	struct fb_summary s;

	for (size_t i = 0; i < res->count; i++) {
		const struct fb_result *r = &res->items[i];
		if (strcmp(r->key.family, at->family) || strcmp(r->key.kase, at->kase) ||
		    strcmp(r->key.mode, at->mode) || summary_of(r, counter, &s))
			continue;
		size_t pos = n < FIT_POINTS ? n++ : FIT_POINTS;
		while (pos > 0 && top[pos - 1]->key.mem_mib < r->key.mem_mib) {
			if (pos < FIT_POINTS)
				top[pos] = top[pos - 1];
			pos--;
		}
		if (pos < FIT_POINTS)
			top[pos] = r;
	}
	return n;
}

/* "16, 64, 256 MiB" of top (largest first). */
static const char *sizes_text(const struct fb_result *const *top, size_t n, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = n; i-- > 0;)
		snprintf(buf + strlen(buf), len - strlen(buf), "%ld%s", top[i]->key.mem_mib, i ? ", " : " MiB");
	return buf;
}

/* A line through the measured sizes top[0..n): y = intercept + slope x
 * over their medians, its largest miss relative to a median, and the
 * widest confidence interval among them relative to its median. */
struct line {
	double intercept, slope, miss, lo_rel, hi_rel;
};

static int line_through(const struct fb_result *const *top, size_t n, const char *counter, struct line *l)
{
	double x[FIT_POINTS], y[FIT_POINTS];
	struct fb_summary s;
	struct fb_fit fit;

	*l = (struct line){ .lo_rel = 1, .hi_rel = 1 };
	for (size_t i = 0; i < n; i++) {
		summary_of(top[i], counter, &s);
		x[i] = (double)top[i]->key.mem_mib;
		y[i] = s.median;
		l->lo_rel = fmin(l->lo_rel, s.ci_low / s.median);
		l->hi_rel = fmax(l->hi_rel, s.ci_high / s.median);
	}
	if (fb_linear_fit(x, y, n, &fit))
		return -1;
	l->intercept = fit.intercept;
	l->slope = fit.slope;
	for (size_t i = 0; i < n; i++)
		l->miss = fmax(l->miss, fabs(y[i] - (fit.intercept + fit.slope * x[i])) / fabs(y[i]));
	return 0;
}

/* f (absent at f->key's size) read off the line through the FIT_POINTS
 * largest measured sizes, when the rules above allow it; its interval is
 * the widest relative CI among those sizes, widened by the line's largest
 * miss. Else f stays absent, its missing saying why. */
static void extrapolate(const struct fb_results *res, const char *counter, struct figure *f)
{
	const struct fb_result *top[FIT_POINTS];
	size_t n = largest_sizes(res, &f->key, counter, top);
	struct line l;
	char sizes[64];

	if (n == 0)
		return;
	double reach = (double)f->key.mem_mib / (double)top[0]->key.mem_mib;
	sizes_text(top, n, sizes, sizeof(sizes));
	if (top[0]->key.mem_mib > 0 && !(reach <= REACH_MAX)) {
		join(f->missing, sizeof(f->missing), "measured up to %ld MiB: %ld MiB is %.0fx beyond it (a line "
		     "reaches at most %gx)", top[0]->key.mem_mib, f->key.mem_mib, reach, REACH_MAX);
		return;
	}
	if (n < FIT_POINTS || !(reach <= REACH_MAX) || line_through(top, n, counter, &l)) {
		join(f->missing, sizeof(f->missing), "measured at %s only (a line needs %d sizes)", sizes, FIT_POINTS);
		return;
	}
	double v = l.intercept + l.slope * (double)f->key.mem_mib;
	if (!(l.miss <= FIT_RESIDUAL_MAX) || !(v > 0)) {
		join(f->missing, sizeof(f->missing), "the line through %s misses one by %.0f%% (more than %.0f%%): "
		     "it does not reach %ld MiB", sizes, l.miss * 100, FIT_RESIDUAL_MAX * 100, f->key.mem_mib);
		return;
	}
	f->value = v;
	f->lo = v * l.lo_rel / (1 + l.miss);
	f->hi = v * l.hi_rel * (1 + l.miss);
	f->absent = 0;
	snprintf(f->how, sizeof(f->how), "%ld MiB not measured: read off the line through %s (%.2gx the largest; "
		 "largest residual %.1f%%)", f->key.mem_mib, sizes, reach, l.miss * 100);
	fb_key_format(&top[0]->key, f->bench, sizeof(f->bench));
	f->thp_coverage = fb_result_counter_median(top[0], fb_ctr_thp_coverage);
}

/* The figure of family/case in mode at target_mib: measured there, or read
 * off a line through the sizes the run did measure (extrapolate). */
static void figure_at(const struct fb_results *res, const struct fb_bench_key *kase, const char *mode,
		      const char *counter, long target_mib, struct figure *f)
{
	struct fb_bench_key at = *kase;

	at.mem_mib = target_mib;
	snprintf(at.mode, sizeof(at.mode), "%s", mode);
	if (figure_get(res, &at, counter, f) == 0 || !f->absent || target_mib == 0)
		return;
	extrapolate(res, counter, f);
	if (f->absent)
		snprintf(f->how, sizeof(f->how), "%ld MiB not measured", target_mib);
}

/* "4k pages", "thp pages (97% PMD-mapped)": the mode asked for, and how
 * much of it the kernel really gave where the benchmark recorded it. */
static const char *pages_text(const struct figure *f, const char *mode, char *buf, size_t len)
{
	if (strcmp(mode, "thp") == 0 && !isnan(f->thp_coverage))
		snprintf(buf, len, "thp pages (%.0f%% PMD-mapped)", f->thp_coverage * 100);
	else
		snprintf(buf, len, "%s pages", mode);
	return buf;
}

/* ---- verdicts -------------------------------------------------------- */

/* A claim's figure under one condition (a page mode, a setting). */
struct outcome {
	const char *label;             /* the condition: "4k", "thp", ... */
	enum fb_claim_status status;   /* HOLDS, DOES_NOT_HOLD or BORDERLINE once decided */
	int absent;                    /* not measured because the run lacks a benchmark */
	double value, lo, hi;          /* the figure and its interval, in the claim's unit */
	double bound;                  /* borderline: the bound the widened interval straddles */
	struct fb_bench_key need[2];   /* absent: the benchmarks a run should measure */
	size_t nneed;
	char missing[FB_CLAIM_TEXT];
};

static const char *const status_names[] = {
	[FB_CLAIM_NOT_MEASURED] = "not measured",
	[FB_CLAIM_BORDERLINE] = "borderline",
	[FB_CLAIM_DOES_NOT_HOLD] = "does not hold",
	[FB_CLAIM_HOLDS_ONLY_UNDER] = "holds only under",
	[FB_CLAIM_HOLDS] = "holds",
};

const char *fb_claim_status_name(enum fb_claim_status status)
{
	return status <= FB_CLAIM_HOLDS ? status_names[status] : "?";
}

/* o lacks figure f: say what is missing, and what a run should measure. */
static void lacks(struct outcome *o, const struct figure *f)
{
	join(o->missing, sizeof(o->missing), "%s", f->missing);
	if (f->absent && o->nneed < sizeof(o->need) / sizeof(o->need[0]))
		o->need[o->nneed++] = f->key;
	o->absent |= f->absent;
}

/* o's figure from f, scaled to the claim's unit. 0, or -1 (o lacks it). */
static int take(struct outcome *o, const struct figure *f, double scale)
{
	if (isnan(f->value)) {
		lacks(o, f);
		return -1;
	}
	o->value = f->value * scale;
	o->lo = f->lo * scale;
	o->hi = f->hi * scale;
	return 0;
}

/* o's figure as the ratio num / den of two medians. Its interval combines
 * their confidence intervals pessimistically and optimistically (num's low
 * over den's high .. num's high over den's low): every ratio the two
 * medians' noise allows. 0, or -1 (o lacks one or both). */
static int take_ratio(struct outcome *o, const struct figure *num, const struct figure *den)
{
	if (isnan(num->value) || isnan(den->value)) {
		if (isnan(num->value))
			lacks(o, num);
		if (isnan(den->value))
			lacks(o, den);
		return -1;
	}
	o->value = num->value / den->value;
	o->lo = num->lo / den->hi;
	o->hi = num->hi / den->lo;
	return 0;
}

/* o's verdict under def's rule: "holds" or "does not hold" only when its
 * whole interval, widened by the rule's drift factor, lies inside or
 * outside the band; "borderline" when it straddles a bound, which is kept.
 * The figures are positive (times, ratios, sizes, shares, PIDs). */
static void decide(const struct claim_def *def, struct outcome *o)
{
	const struct band b = rule_band(def, NULL, 0);
	const double lo = o->lo / b.drift, hi = o->hi * b.drift;

	if (lo >= b.lo && hi <= b.hi)
		o->status = FB_CLAIM_HOLDS;
	else if (hi < b.lo || lo > b.hi)
		o->status = FB_CLAIM_DOES_NOT_HOLD;
	else {
		o->status = FB_CLAIM_BORDERLINE;
		o->bound = lo < b.lo ? b.lo : b.hi;
	}
}

/* A number as verdicts print it: three significant digits, whole from 1000. */
static const char *fmt_num(double v, char *buf, size_t len)
{
	snprintf(buf, len, fabs(v) >= 1000 ? "%.0f" : "%.3g", v);
	return buf;
}

/* One decided outcome in words, "under <label>" when label is given:
 * "does not hold under 4k", or for a borderline one both figures, "borderline:
 * 8.9 x (8.54 .. 9.25; 6.57 .. 12 with the x1.3 drift margin) against the
 * bound 10 x". */
static void outcome_words(const struct claim_def *def, const struct outcome *o, const char *label, char *buf,
			  size_t len)
{
	const double drift = rule_band(def, NULL, 0).drift;
	const char *under = label ? " under " : "", *cond = label ? label : "";
	char v[6][24];

	if (o->status != FB_CLAIM_BORDERLINE) {
		snprintf(buf, len, "%s%s%s", status_names[o->status], under, cond);
		return;
	}
	snprintf(buf, len, "borderline%s%s: %s %s (interval %s .. %s; %s .. %s with the x%g drift margin) against "
		 "the bound %s %s", under, cond, fmt_num(o->value, v[0], 24), def->unit, fmt_num(o->lo, v[1], 24),
		 fmt_num(o->hi, v[2], 24), fmt_num(o->lo / drift, v[3], 24), fmt_num(o->hi * drift, v[4], 24), drift,
		 fmt_num(o->bound, v[5], 24), def->unit);
}

/* The labels of o[0..n) with status s after buf's text: " 4k and thp". */
static void append_labels(const struct outcome *o, size_t n, enum fb_claim_status s, char *buf, size_t len)
{
	for (size_t i = 0, named = 0; i < n; i++)
		if (o[i].status == s)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", named++ ? " and " : " ", o[i].label);
}

/* The verdict of the decided outcomes among o[0..n) into buf: "holds" or
 * "does not hold" when they agree ("holds under thp" when labelled: some
 * conditions were not decided); "holds only under X" when each is decided
 * but they differ; borderline when any straddles its bound (each one in
 * words, the borderline ones first). Its status. */
static enum fb_claim_status combine(const struct claim_def *def, const struct outcome *o, size_t n, int labelled,
				    char *buf, size_t len)
{
	size_t count[FB_CLAIM_HOLDS + 1] = { 0 };
	char words[FB_CLAIM_TEXT];

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		count[o[i].status]++;
	size_t decided = n - count[FB_CLAIM_NOT_MEASURED];
	if (count[FB_CLAIM_BORDERLINE]) {
		for (int borderline = 1; borderline >= 0; borderline--)
			for (size_t i = 0; i < n; i++) {
				if (o[i].status == FB_CLAIM_NOT_MEASURED || (o[i].status == FB_CLAIM_BORDERLINE) != borderline)
					continue;
				outcome_words(def, &o[i], n > 1 ? o[i].label : NULL, words, sizeof(words));
				join(buf, len, "%s", words);
			}
		return FB_CLAIM_BORDERLINE;
	}
	if (count[FB_CLAIM_HOLDS] == decided || count[FB_CLAIM_DOES_NOT_HOLD] == decided) {
		enum fb_claim_status s = count[FB_CLAIM_HOLDS] ? FB_CLAIM_HOLDS : FB_CLAIM_DOES_NOT_HOLD;
		snprintf(buf, len, "%s%s", status_names[s], labelled ? " under" : "");
		if (labelled)
			append_labels(o, n, s, buf, len);
		return s;
	}
	snprintf(buf, len, "holds only under");
	append_labels(o, n, FB_CLAIM_HOLDS, buf, len);
	return FB_CLAIM_HOLDS_ONLY_UNDER;
}

/* The `forkbench run` that measures keys: their names as one --filter
 * (fb_key_filter), their sizes and page modes. "" when there are none or
 * the filter does not fit. */
static void measure_command(const struct fb_bench_key *keys, size_t n, char *buf, size_t len)
{
	char filter[FB_CLAIM_COMMAND - 128], sizes_list[64];
	struct fb_sizes sizes = { .count = 0 };
	int small = 0, huge = 0;

	buf[0] = '\0';
	if (!n || fb_key_filter(keys, n, filter, sizeof(filter)))
		return;
	for (size_t i = 0; i < n; i++) {
		size_t at = 0, mib = (size_t)keys[i].mem_mib;
		small |= strcmp(keys[i].mode, "4k") == 0;
		huge |= strcmp(keys[i].mode, "thp") == 0;
		while (at < sizes.count && sizes.mib[at] < mib)
			at++;
		if ((at < sizes.count && sizes.mib[at] == mib) || sizes.count == FB_MAX_SIZES)
			continue;
		memmove(&sizes.mib[at + 1], &sizes.mib[at], (sizes.count - at) * sizeof(sizes.mib[0]));
		sizes.mib[at] = mib;
		sizes.count++;
	}
	fb_sizes_format(&sizes, sizes_list, sizeof(sizes_list));
	snprintf(buf, len, "build/forkbench run --filter '%s' --sizes %s --modes %s", filter, sizes_list,
		 small && huge ? "4k,thp" : huge ? "thp" : "4k");
}

/* The claim's verdict from its outcomes under each condition. A condition
 * the run lacked makes it "not measured in this run", with what was decided
 * elsewhere and the command that measures the rest: the verdict must not
 * depend on which sizes a profile's sweep reached. A condition that ran and
 * was skipped (THP disabled, a privilege missing) is named in the
 * conditions: no run on this machine would measure it. */
static void conclude(const struct claim_def *def, struct fb_claim_row *row, const struct outcome *o, size_t n)
{
	char missing[FB_CLAIM_VERDICT / 2] = "", decided[FB_CLAIM_TEXT] = "";
	struct fb_bench_key need[8];
	size_t nneed = 0, ndecided = 0, absent = 0;
	const struct outcome *lead = NULL;

	for (size_t i = 0; i < n; i++) {
		if (o[i].status != FB_CLAIM_NOT_MEASURED) {
			ndecided++;
			if (!lead || (o[i].status == FB_CLAIM_BORDERLINE && lead->status != FB_CLAIM_BORDERLINE))
				lead = &o[i];
			continue;
		}
		join(missing, sizeof(missing), "%s", o[i].missing);
		absent += o[i].absent;
		for (size_t k = 0; k < o[i].nneed && nneed < sizeof(need) / sizeof(need[0]); k++)
			need[nneed++] = o[i].need[k];
	}
	measure_command(need, nneed, row->command, sizeof(row->command));
	if (ndecided)
		row->status = combine(def, o, n, absent && n > 1, decided, sizeof(decided));
	if (!ndecided || absent) {
		row->status = FB_CLAIM_NOT_MEASURED;
		snprintf(row->verdict, sizeof(row->verdict), "not measured in this run: %s", missing);
		if (ndecided)
			join(row->verdict, sizeof(row->verdict), "where measured: %s", decided);
		if (row->command[0])
			join(row->verdict, sizeof(row->verdict), "measure it with: %s", row->command);
		return;
	}
	snprintf(row->verdict, sizeof(row->verdict), "%s", decided);
	row->value = lead->value;
	row->lo = lead->lo;
	row->hi = lead->hi;
	row->bound = lead->status == FB_CLAIM_BORDERLINE ? lead->bound : NAN;
	if (missing[0])
		join(row->conditions, sizeof(row->conditions), "not measured: %s", missing);
}

/* A figure as it reads best: times as ns/us/ms, page-table KiB also in
 * 4 KiB pages (the slide counts both). */
static const char *fmt_figure(const struct claim_def *def, double raw, char *buf, size_t len)
{
	double v = raw * def->unit_per_raw;

	if (strcmp(def->unit, "KiB") == 0)
		snprintf(buf, len, "%.0f KiB (%.0f pages of 4 KiB)", v, v / 4);
	else if (strcmp(def->unit, "ms") == 0 || strcmp(def->unit, "us") == 0)
		fb_fmt_ns(raw, buf, len);
	else
		snprintf(buf, len, v < 100 ? "%.1f %s" : "%.0f %s", v, def->unit);
	return buf;
}

/* ---- judges ------------------------------------------------------------ */

/* A figure at 1 GiB (measured, or read off a line within reach) under each
 * page mode of def. */
static void judge_sized(const struct claim_def *def, const struct claim_ctx *ctx, struct fb_claim_row *row)
{
	struct outcome o[4];
	size_t n = 0;
	char v_text[64], t_text[48], pages[64];

	for (const char *const *m = def->modes; *m && n < 4; m++, n++) {
		struct figure f, t;
		figure_at(ctx->res, &def->bench, *m, def->counter, 1024, &f);
		o[n] = (struct outcome){ .label = *m };
		join(row->benchmark, sizeof(row->benchmark), "%s%s%s", f.bench, def->counter ? " " : "",
		     def->counter ? def->counter : "");
		join(row->conditions, sizeof(row->conditions), "%s, %s", f.how, pages_text(&f, *m, pages, sizeof(pages)));
		if (take(&o[n], &f, def->unit_per_raw))
			continue;
		decide(def, &o[n]);
		join(row->measured, sizeof(row->measured), "%s: %s %s", *m, def->what,
		     fmt_figure(def, f.value, v_text, sizeof(v_text)));
		if (!def->also)
			continue;
		figure_at(ctx->res, &def->bench, *m, NULL, 1024, &t);
		snprintf(row->measured + strlen(row->measured), sizeof(row->measured) - strlen(row->measured),
			 " (%s %s)", def->also, fb_fmt_ns(t.value, t_text, sizeof(t_text)));
	}
	conclude(def, row, o, n);
}

/* The kernel-level figures the thread claims are judged against. */
static const struct fb_bench_key pthread_key = FB_KEY0("threads", "pthread_create_join");
static const struct fb_bench_key process_key = FB_KEY0("threads", "fork_exit_wait");

/* Thread vs process creation: the ratio of the medians, decided on its
 * pessimistic end (the thread's CI high over the process's CI low). */
static void judge_threads(const struct claim_def *def, const struct claim_ctx *ctx, struct fb_claim_row *row)
{
	struct figure th, pr;
	struct outcome o = { .label = "0 MiB" };
	char t[6][32];

	figure_get(ctx->res, &pthread_key, NULL, &th);
	figure_get(ctx->res, &process_key, NULL, &pr);
	snprintf(row->benchmark, sizeof(row->benchmark), "%s vs %s", th.bench, pr.bench);
	snprintf(row->conditions, sizeof(row->conditions), "worker of 0 MiB, 4k pages");
	if (take_ratio(&o, &th, &pr) == 0) {
		decide(def, &o);
		snprintf(row->measured, sizeof(row->measured), "pthread create+join %s vs fork+exit+wait %s: ratio "
			 "%.3f (%.3f .. %.3f from the medians' CIs %s .. %s and %s .. %s)", fb_fmt_ns(th.value, t[0], 32),
			 fb_fmt_ns(pr.value, t[1], 32), o.value, o.lo, o.hi, fb_fmt_ns(th.lo, t[2], 32),
			 fb_fmt_ns(th.hi, t[3], 32), fb_fmt_ns(pr.lo, t[4], 32), fb_fmt_ns(pr.hi, t[5], 32));
	}
	conclude(def, row, &o, 1);
}

/* A user-level context (def->bench) vs the kernel's way (def->against, by
 * default a kernel thread's creation): how many times faster, as the ratio
 * of medians (of def->counter when set: switch for switch). */
static void judge_user(const struct claim_def *def, const struct claim_ctx *ctx, struct fb_claim_row *row)
{
	const struct fb_bench_key *kernel_key = def->against.family[0] ? &def->against : &pthread_key;
	const char *kernel_what = def->against_what ? def->against_what : "pthread create+join";
	struct outcome o = { .label = def->bench.kase };
	struct figure user, kernel;
	char a[32], b[32];

	figure_get(ctx->res, &def->bench, def->counter, &user);
	figure_get(ctx->res, kernel_key, def->counter, &kernel);
	snprintf(row->benchmark, sizeof(row->benchmark), "%s vs %s%s%s", user.bench, kernel.bench,
		 def->counter ? ", counter " : "", def->counter ? def->counter : "");
	snprintf(row->conditions, sizeof(row->conditions), "worker of 0 MiB, 4k pages");
	if (take_ratio(&o, &kernel, &user) == 0) {
		decide(def, &o);
		snprintf(row->measured, sizeof(row->measured), "%s %s vs %s %s: %.1fx faster (%.1f .. %.1f)", def->what,
			 fb_fmt_ns(user.value, a, sizeof(a)), kernel_what, fb_fmt_ns(kernel.value, b, sizeof(b)), o.value,
			 o.lo, o.hi);
	}
	conclude(def, row, &o, 1);
}

/* do_exit -> zombie -> reaped: the late-reaping case saw /proc state Z
 * before waitpid on every iteration (zombie_seen 1), and waitpid freed it. */
static void judge_zombie(const struct claim_def *def, const struct claim_ctx *ctx, struct fb_claim_row *row)
{
	const struct fb_result *r = fb_results_get(ctx->res, &def->bench);
	struct outcome o = { .label = "0 MiB" };
	struct figure seen;
	char a[32], b[32];
	double lo, hi;

	figure_get(ctx->res, &def->bench, fb_ctr_zombie_seen, &seen);
	snprintf(row->benchmark, sizeof(row->benchmark), "%s, counters zombie_seen, exit_ns, reap_ns", seen.bench);
	snprintf(row->conditions, sizeof(row->conditions), "worker of 0 MiB, 4k pages; the parent waits with "
		 "waitid(WNOWAIT) before it reaps");
	if (isnan(seen.value) || fb_result_counter_range(r, fb_ctr_zombie_seen, &lo, &hi)) {
		lacks(&o, &seen);
	} else {
		o.value = o.lo = o.hi = lo;   /* every repetition: the smallest share, a fact */
		decide(def, &o);
		snprintf(row->measured, sizeof(row->measured), "the exited child was a zombie (state Z) on a share "
			 "%.2f .. %.2f of the iterations; exit to zombie %s, then waitpid reaped it in %s",
			 lo, hi, fb_fmt_ns(fb_result_counter_median(r, fb_ctr_exit_ns), a, sizeof(a)),
			 fb_fmt_ns(fb_result_counter_median(r, fb_ctr_reap_ns), b, sizeof(b)));
	}
	conclude(def, row, &o, 1);
}

/* The 1:1 model, costs measured: a pthread is a kernel task with glibc's
 * stack and TLS set-up around it, so creating one costs about what a raw
 * kernel task costs (clone with CLONE_THREAD, joined by a futex); under
 * M:1 it would cost what a user-level context does (bare_create), 10-100x
 * less. value = pthread create+join / raw task create+join. */
static void judge_one_to_one(const struct claim_def *def, const struct claim_ctx *ctx, struct fb_claim_row *row)
{
	static const struct fb_bench_key user_key = FB_KEY0("threads", "bare_create");
	struct outcome o = { .label = "0 MiB" };
	struct figure pthread, task, user;
	char a[32], b[32], c[32];

	figure_get(ctx->res, &pthread_key, NULL, &pthread);
	figure_get(ctx->res, &def->against, NULL, &task);
	figure_get(ctx->res, &user_key, NULL, &user);
	snprintf(row->benchmark, sizeof(row->benchmark), "%s vs %s (and threads/bare_create)", pthread.bench,
		 task.bench);
	snprintf(row->conditions, sizeof(row->conditions), "glibc's pthreads; worker of 0 MiB, 4k pages");
	if (take_ratio(&o, &pthread, &task) == 0) {
		decide(def, &o);
		snprintf(row->measured, sizeof(row->measured), "pthread create+join %s vs a raw CLONE_THREAD task %s: "
			 "%.2fx (%.2f .. %.2f); a user-level context (M:1's way) %s", fb_fmt_ns(pthread.value, a, sizeof(a)),
			 fb_fmt_ns(task.value, b, sizeof(b)), o.value, o.lo, o.hi, fb_fmt_ns(user.value, c, sizeof(c)));
	}
	conclude(def, row, &o, 1);
}

/* pid_max against the lecture's 32768. The kernel's own default is
 * max(32768, 1024 per possible CPU), and pid_max can be raised up to
 * PID_MAX_LIMIT: 4194304 on 64-bit, 32768 on 32-bit. systemd (since 243)
 * raises it to 4194304 at boot on 64-bit machines. Online cores stand in
 * for possible CPUs. */
static void judge_pid(const struct claim_def *def, const struct claim_ctx *ctx, struct fb_claim_row *row)
{
	const json_t *pid_max = fb_run_env(ctx->manifest, FB_ENV_PID_MAX);
	double value;
	const char *machine = json_string_value(fb_run_env(ctx->manifest, FB_ENV_ARCH));
	long long cores = json_integer_value(fb_run_env(ctx->manifest, FB_ENV_CORES));
	long long limit = machine && strstr(machine, "64") ? 4194304 : 32768;
	long long kernel_default = cores * 1024 > 32768 ? (cores * 1024 < limit ? cores * 1024 : limit) : 32768;
	struct outcome o = { .label = "pid_max" };

	const char *path = fb_env_fields[FB_ENV_PID_MAX].path;
	snprintf(row->benchmark, sizeof(row->benchmark), "manifest.json: environment.%s", path);
	snprintf(row->conditions, sizeof(row->conditions), "%lld cores online, %s", cores, machine ? machine : "machine unknown");
	snprintf(o.missing, sizeof(o.missing), "manifest.json has no %senvironment.%s", pid_max ? "numeric " : "",
		 path);
	/* "32768" in older runs; "32768x" is no pid_max */
	if (fb_manifest_number(pid_max, FB_NUMBER_WHOLE, &value) == 0 && isfinite(value)) {
		o.value = o.lo = o.hi = value;
		decide(def, &o);
		/* both halves: the maximum is 32768, and it can be raised to ~4 million */
		if (o.status == FB_CLAIM_HOLDS && !(limit >= 4e5 && limit <= 4e7))
			o.status = FB_CLAIM_DOES_NOT_HOLD;
		snprintf(row->measured, sizeof(row->measured), "pid_max = %.0f; the kernel's own default here: %lld "
			 "(max(32768, 1024 x %lld CPUs)); it can be raised up to PID_MAX_LIMIT = %lld",
			 value, kernel_default, cores, limit);
	}
	conclude(def, row, &o, 1);
	if (o.status == FB_CLAIM_DOES_NOT_HOLD && kernel_default == (long long)def->claimed && limit >= 4e5) {
		row->status = FB_CLAIM_HOLDS_ONLY_UNDER;
		snprintf(row->verdict, sizeof(row->verdict), "holds only under the kernel's own default: pid_max "
			 "was raised to %.0f here (systemd raises it to 4194304 on 64-bit machines)", row->value);
	}
}

static const char *fmt_growth(double from, double to, char *buf, size_t len)
{
	snprintf(buf, len, isnan(from) || isnan(to) ? "-" : "x%.1f", to / from);
	return buf;
}

/* The cases judge_shells reads, at 0 and 1024 MiB in each mode. */
enum shells_case { FORK_EXEC, POSIX_SPAWN, NAIVE_COPY, FORK, N_SHELLS_CASES };
static const struct fb_bench_key shells_keys[N_SHELLS_CASES] = {
	[FORK_EXEC] = FB_KEY0("spawn", "fork_exec_static"),
	[POSIX_SPAWN] = FB_KEY0("spawn", "posix_spawn_static"),
	[NAIVE_COPY] = FB_KEY("cow", "naive_copy", 1024, "4k"),
	[FORK] = FB_KEY0("spawn", "fork"),
};

/* COW and shells: fork+exec of a growing parent against the copy fork
 * would need without COW, with posix_spawn (no page tables copied at all)
 * for contrast; decided on copy / fork+exec at 1 GiB. */
static void judge_shells(const struct claim_def *def, const struct claim_ctx *ctx, struct fb_claim_row *row)
{
	struct outcome o[4];
	size_t n = 0;
	char t[8][32], pages[64];

	snprintf(row->benchmark, sizeof(row->benchmark), "spawn/fork_exec_static and spawn/posix_spawn_static "
		 "(0 and 1024 MiB), cow/naive_copy and spawn/fork (1024 MiB)");
	for (const char *const *m = def->modes; *m && n < 4; m++, n++) {
		struct figure fe0, fe1, ps0, ps1, cp, fk;
		figure_at(ctx->res, &shells_keys[FORK_EXEC], *m, NULL, 0, &fe0);
		figure_at(ctx->res, &shells_keys[FORK_EXEC], *m, NULL, 1024, &fe1);
		figure_at(ctx->res, &shells_keys[POSIX_SPAWN], *m, NULL, 0, &ps0);
		figure_at(ctx->res, &shells_keys[POSIX_SPAWN], *m, NULL, 1024, &ps1);
		figure_at(ctx->res, &shells_keys[NAIVE_COPY], *m, NULL, 1024, &cp);
		figure_at(ctx->res, &shells_keys[FORK], *m, NULL, 1024, &fk);
		o[n] = (struct outcome){ .label = *m };
		join(row->conditions, sizeof(row->conditions), "fork+exec at %s, copy at %s, %s", fe1.how,
		     cp.how, pages_text(&fe1, *m, pages, sizeof(pages)));
		if (take_ratio(&o[n], &cp, &fe1))
			continue;
		decide(def, &o[n]);
		join(row->measured, sizeof(row->measured), "%s: fork+exec %s at 0 MiB, %s at 1 GiB (%s); posix_spawn "
		     "%s, %s (%s); copying 1 GiB %s = %.0fx the fork+exec, %.0fx the fork (%s)", *m,
		     fb_fmt_ns(fe0.value, t[0], 32), fb_fmt_ns(fe1.value, t[1], 32), fmt_growth(fe0.value, fe1.value, t[2], 32),
		     fb_fmt_ns(ps0.value, t[3], 32), fb_fmt_ns(ps1.value, t[4], 32), fmt_growth(ps0.value, ps1.value, t[5], 32),
		     fb_fmt_ns(cp.value, t[6], 32), o[n].value, cp.value / fk.value, fb_fmt_ns(fk.value, t[7], 32));
	}
	conclude(def, row, o, n);
}

/* ---- the claims ------------------------------------------------------- */

static const char *const only_4k[] = { "4k", NULL };
static const char *const both_modes[] = { "4k", "thp", NULL };

/* One row per claim of lecture 5, in its words, with the benchmark that
 * judges it. */
static const struct claim_def claim_table[] = {
	/* without COW fork would copy every page: a memcpy into fresh memory
	 * (first-touch faults, zeroing and copying) */
	{ .id = "fork_without_cow_1g", .claim = "1 GB process fork without COW: ~500 ms", .rule = RULE_ABOUT,
	  .claimed = 500, .unit = "ms", .judge = judge_sized, .bench = FB_KEY("cow", "naive_copy", 1024, "4k"),
	  .unit_per_raw = 1e-6, .modes = only_4k, .what = "copying 1 GiB into fresh memory took" },
	/* with COW fork copies page tables: 512 times fewer entries with 2 MiB THP */
	{ .id = "fork_with_cow_1g", .claim = "1 GB process fork with COW: ~50 us", .rule = RULE_ABOUT,
	  .claimed = 50, .unit = "us", .judge = judge_sized, .bench = FB_KEY0("spawn", "fork"),
	  .counter = fb_ctr_parent_ns, .unit_per_raw = 1e-3, .modes = both_modes,
	  .what = "fork() returned in the parent after", .also = "round trip" },
	/* the page tables the child is given, VmPTE right after fork */
	{ .id = "fork_page_tables_1g",
	  .claim = "1 GB process fork with COW: memory copied 16 KB, pages allocated 4 (page table)",
	  .rule = RULE_ABOUT, .claimed = 16, .unit = "KiB", .judge = judge_sized,
	  .bench = FB_KEY("cow", "child_read_only", 1024, "4k"),
	  .counter = fb_ctr_vmpte_child_kib, .unit_per_raw = 1, .modes = both_modes,
	  .what = "the child's page tables (VmPTE) took" },
	/* a thread shares the mm: no page tables, no address space to tear down */
	{ .id = "threads_cheaper", .claim = "Creating threads is cheaper than creating processes",
	  .rule = RULE_CHEAPER, .claimed = 1, .unit = "ratio", .judge = judge_threads },
	/* swapcontext still makes a sigprocmask system call per switch */
	{ .id = "user_threads_ucontext",
	  .claim = "User-level threads: 10-100x faster than kernel-level threads (ucontext)", .rule = RULE_RANGE,
	  .claimed = 10, .claimed_hi = 100, .unit = "x", .judge = judge_user,
	  .bench = FB_KEY0("threads", "ucontext_create"), .what = "makecontext + swapcontext + return" },
	/* the hand-written switch makes no system call at all */
	{ .id = "user_threads_bare",
	  .claim = "User-level threads: 10-100x faster than kernel-level threads (hand-written switch)",
	  .rule = RULE_RANGE, .claimed = 10, .claimed_hi = 100, .unit = "x", .judge = judge_user,
	  .bench = FB_KEY0("threads", "bare_create"), .what = "hand-written context create + switch + return" },
	/* switch for switch: a futex hand-over between two threads on one CPU
	 * is two kernel context switches; the hand-written switch none */
	{ .id = "user_threads_switch",
	  .claim = "User-level threads: 10-100x faster than kernel-level threads (switch for switch)",
	  .rule = RULE_RANGE, .claimed = 10, .claimed_hi = 100, .unit = "x", .judge = judge_user,
	  .bench = FB_KEY0("threads", "bare_switch"), .counter = fb_ctr_ns_per_switch,
	  .against = FB_KEY0("switch", "futex_pingpong_threads/cpus:1"),
	  .against_what = "a futex switch between two threads on one CPU",
	  .what = "one hand-written switch" },
	/* the threads model of the slide: Linux is 1:1 */
	{ .id = "threads_model_1to1", .claim = "Threading models: Linux uses 1:1, one user thread <-> one kernel thread",
	  .rule = RULE_RANGE, .claimed = 0.33, .claimed_hi = 3, .unit = "x", .judge = judge_one_to_one,
	  .against = FB_KEY0("threads", "clone_thread") },
	/* exit_notify makes the zombie; wait's release_task frees it */
	{ .id = "zombie_reaped", .claim = "A zombie = process has finished execution but not yet reaped; "
	  "waitpid() reaps it", .rule = RULE_OBSERVED, .claimed = 1, .unit = "share", .judge = judge_zombie,
	  .bench = FB_KEY0("spawn", "fork_reap_late") },
	/* a setting, not a measurement: read back into manifest.json */
	{ .id = "pid_max", .claim = "PID: maximum size is 32768, can be increased to 4 millions", .rule = RULE_EQUAL,
	  .claimed = 32768, .unit = "PIDs", .judge = judge_pid },
	/* fork+exec pays for the parent's page tables, posix_spawn does not */
	{ .id = "cow_makes_shells_practical",
	  .claim = "Shells fork+exec for every command would be unbearably slow without COW", .rule = RULE_AT_LEAST,
	  .claimed = 10, .unit = "x", .judge = judge_shells, .modes = both_modes },
};
#define N_CLAIMS (sizeof(claim_table) / sizeof(claim_table[0]))
_Static_assert(N_CLAIMS <= FB_MAX_CLAIMS, "struct fb_claims holds FB_MAX_CLAIMS rows: raise it");

size_t fb_claims_keys(const struct fb_bench_key **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < N_CLAIMS && n < max; i++)
		if (claim_table[i].bench.family[0])
			out[n++] = &claim_table[i].bench;
	for (size_t i = 0; i < N_SHELLS_CASES && n < max; i++)
		out[n++] = &shells_keys[i];
	for (size_t i = 0; i < N_CLAIMS && n < max; i++)
		if (claim_table[i].against.family[0])
			out[n++] = &claim_table[i].against;
	if (n < max)
		out[n++] = &pthread_key;
	if (n < max)
		out[n++] = &process_key;
	return n;
}

/* The rule in words, with how a verdict is reached under it: the drift
 * margin, and for a claim at 1 GiB how far a line may reach. */
static void describe_rule(const struct claim_def *def, char *buf, size_t len)
{
	const struct band b = rule_band(def, buf, len);

	if (b.drift > 1)
		join(buf, len, "decided only when the figure's interval (the medians' confidence intervals) widened "
		     "%gx each way for run-to-run drift lies wholly inside or wholly outside; borderline when it "
		     "straddles a bound", b.drift);
	if (def->modes)
		join(buf, len, "a size not measured is read off the line through the %d largest sizes measured, at "
		     "most %gx the largest and when the line misses none by more than %.0f%%; else not measured",
		     FIT_POINTS, REACH_MAX, FIT_RESIDUAL_MAX * 100);
}

void fb_claims_evaluate(const json_t *manifest, const struct fb_results *res, struct fb_claims *out)
{
	const struct claim_ctx ctx = { manifest, res };
	const char *kernel = json_string_value(fb_run_env(manifest, FB_ENV_KERNEL));

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < N_CLAIMS; i++) {
		const struct claim_def *def = &claim_table[i];
		struct fb_claim_row *row = &out->rows[out->count++];
		row->id = def->id;
		row->claim = def->claim;
		row->unit = def->unit;
		row->value = row->lo = row->hi = row->bound = NAN;
		describe_rule(def, row->rule, sizeof(row->rule));
		def->judge(def, &ctx, row);
		if (!row->measured[0])
			snprintf(row->measured, sizeof(row->measured), "-");
		join(row->conditions, sizeof(row->conditions), "kernel %s", kernel ? kernel : "unknown");
	}
}
