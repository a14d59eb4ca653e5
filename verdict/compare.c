/* compare.c - compare two runs (see compare.h). */
#define _GNU_SOURCE
#include "compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "utest.h"

/* compare.py's UTEST_MIN_REPETITIONS: below this no test is made. */
#define MIN_REPETITIONS 2

/* Significant, and beyond the threshold with the interval's confidence: a
 * shared machine drifts by 10-20% between two runs minutes apart (seen
 * here: 7 of 199 benchmarks "slower" by the median alone, each interval
 * reaching below 1.07), a real slow-down moves the whole interval. (Tried:
 * the medians' ratio beyond the threshold with the interval above 1 only;
 * with --normalize bare and re-measurement, 9 of 10 regress runs of
 * unchanged code went red.) A screen (regress, whose candidates are then
 * measured side by side with the baseline's code) takes the medians'
 * ratio: with 5 repetitions the interval of a ratio divided by the bare
 * loop spans +-30%, and a 15% slow-down of every spawn case reached no
 * verdict in 5 runs of 5. */
static int is_slower(const struct fb_compare_row *r, const struct fb_compare_opts *opts)
{
	return r->p < opts->alpha && (opts->screen ? r->ratio : r->ratio_low) > 1 + r->threshold;
}

static int is_faster(const struct fb_compare_row *r, const struct fb_compare_opts *opts)
{
	return r->p < opts->alpha && r->ratio_high < 1 / (1 + r->threshold);
}

/* Evidence of no change that matters: the whole interval within the
 * threshold, both ends. A non-significant p alone is not: a ratio of 1.30
 * whose interval reaches down to 0.99 may well be a 30% slow-down. */
static int is_same(const struct fb_compare_row *r, const struct fb_compare_opts *opts)
{
	(void)opts;
	return r->ratio_low >= 1 / (1 + r->threshold) && r->ratio_high <= 1 + r->threshold;
}

static int always(const struct fb_compare_row *r, const struct fb_compare_opts *opts)
{
	(void)r, (void)opts;
	return 1;
}

const struct fb_verdict_rule fb_verdict_rules[] = {
	{ FB_SLOWER, "slower", "p < alpha and the whole interval of the ratio above 1 + threshold (with --screen: "
	  "the medians' ratio); the only verdict that fails (exit 1, a JUnit failure)", is_slower },
	{ FB_FASTER, "faster", "p < alpha and the whole interval below 1 / (1 + threshold)", is_faster },
	{ FB_SAME, "same", "the whole interval within [1 / (1 + threshold), 1 + threshold], both ends", is_same },
	/* the interval reaches both inside and beyond the threshold, or lies
	 * beyond it without a significant p: more repetitions may decide */
	{ FB_INCONCLUSIVE, "inconclusive", "neither slower, faster nor the same established: the interval "
	  "reaches beyond the threshold and inside it (or p >= alpha); does not fail", always },
	{ FB_NOT_COMPARABLE, "not comparable", "missing, skipped, failed or too few repetitions in a run", NULL },
};
const size_t fb_nverdict_rules = sizeof(fb_verdict_rules) / sizeof(fb_verdict_rules[0]);

static const struct fb_verdict_rule *rule_of(enum fb_verdict v)
{
	for (size_t i = 0; i < fb_nverdict_rules; i++)
		if (fb_verdict_rules[i].verdict == v)
			return &fb_verdict_rules[i];
	return NULL;
}

const char *fb_verdict_name(enum fb_verdict v)
{
	const struct fb_verdict_rule *r = rule_of(v);
	return r ? r->word : "?";
}

const char *fb_verdict_rule_text(enum fb_verdict v)
{
	const struct fb_verdict_rule *r = rule_of(v);
	return r ? r->rule : "";
}

/* Why a row is inconclusive, in its interval's words: which edge of the
 * threshold it crosses, or that it lies beyond one without a significant p. */
static void inconclusive_reason(struct fb_compare_row *r, const struct fb_compare_opts *opts)
{
	double up = 1 + r->threshold, down = 1 / (1 + r->threshold);
	int crosses_up = r->ratio_low <= up && r->ratio_high > up;
	int crosses_down = r->ratio_low < down && r->ratio_high >= down;
	char edges[48];

	if (crosses_up && crosses_down)
		snprintf(edges, sizeof(edges), "%.3f and %.3f", down, up);
	else
		snprintf(edges, sizeof(edges), "%.3f", crosses_up ? up : down);
	if (crosses_up || crosses_down)
		snprintf(r->reason, sizeof(r->reason), "interval [%.3f, %.3f] crosses %s (threshold %.3g%%)",
			 r->ratio_low, r->ratio_high, edges, r->threshold * 100);
	else
		snprintf(r->reason, sizeof(r->reason), "interval [%.3f, %.3f] beyond the threshold but p %.3g >= alpha %g",
			 r->ratio_low, r->ratio_high, r->p, opts->alpha);
}

/* The verdict of a compared row: the first rule whose test holds. */
static void decide(struct fb_compare_row *row, const struct fb_compare_opts *opts)
{
	for (size_t i = 0; i < fb_nverdict_rules; i++)
		if (fb_verdict_rules[i].holds && fb_verdict_rules[i].holds(row, opts)) {
			row->verdict = fb_verdict_rules[i].verdict;
			break;
		}
	if (row->verdict == FB_INCONCLUSIVE)
		inconclusive_reason(row, opts);
}

static double family_threshold(const struct fb_compare_opts *opts, const char *family)
{
	char copy[256], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", opts->family_thresholds);
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (eq && (size_t)(eq - tok) == strlen(family) && strncmp(tok, family, strlen(family)) == 0)
			return atof(eq + 1);
	}
	return opts->threshold;
}

static int check_family_thresholds(const char *spec, char *err, size_t len)
{
	char copy[256], *save = NULL, *end;

	snprintf(copy, sizeof(copy), "%s", spec);
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		double v = eq ? strtod(eq + 1, &end) : -1;
		if (!eq || eq == tok || *end || !(v > 0 && v < 10))
			return snprintf(err, len, "--family-threshold takes FAMILY=FRACTION[,...], not '%s'", tok), -1;
	}
	return 0;
}

/* --normalize's choices other than "none": the calibration benchmark each
 * divides by. */
const struct fb_normalizer fb_normalizers[] = {
	{ .name = "syscall", .key = FB_KEY0("calibrate", "syscall") },
	{ .name = "touch", .key = FB_KEY0("calibrate", "touch") },
	/* the bare fork loop (a tiny static binary, not forkbench's code): it
	 * moves with the machine, so the ratio to it does not (fork/bare held
	 * 1.08-1.14 while this machine's speed moved 1.4x between runs) */
	{ .name = "bare", .key = FB_KEY0("calibrate", "bare_fork") },
};
const size_t fb_nnormalizers = sizeof(fb_normalizers) / sizeof(fb_normalizers[0]);

static const struct fb_normalizer *normalizer(const char *name)
{
	for (size_t i = 0; i < fb_nnormalizers; i++)
		if (strcmp(fb_normalizers[i].name, name) == 0)
			return &fb_normalizers[i];
	return NULL;
}

/* The divisor of a run under --normalize: the median of its calibration
 * benchmark, or 1 for "none". 0 when the calibration is missing. */
static double calibration_ns(const struct fb_results *res, const char *mode)
{
	const struct fb_normalizer *by = normalizer(mode);

	if (!by)
		return 1;
	const struct fb_result *r = fb_results_get(res, &by->key);
	return r && !r->error && r->nreps ? fb_result_median_ns(r) : 0;
}

/* Why a pair cannot be compared, or NULL when it can. */
static const char *not_comparable(const struct fb_result *b, const struct fb_result *n, char *buf, size_t len)
{
	if (!b || !n)
		return snprintf(buf, len, "missing in %s", b ? "NEW" : "BASE"), buf;
	if (b->error || n->error)
		return snprintf(buf, len, "%s in %s", fb_outcome_name((b->error ? b : n)->outcome),
				b->error ? "BASE" : "NEW"), buf;
	if (b->nreps < MIN_REPETITIONS || n->nreps < MIN_REPETITIONS)
		return snprintf(buf, len, "too few repetitions (%zu and %zu; at least %d)", b->nreps, n->nreps,
				MIN_REPETITIONS), buf;
	return NULL;
}

static void scaled(const struct fb_result *r, double divisor, double *out)
{
	for (size_t i = 0; i < r->nreps; i++)
		out[i] = r->times_ns[i] / divisor;
}

/* Judge one pair that can be compared, from its scaled figures. */
static void judge_pair(const double *xb, const double *xn, const struct fb_compare_opts *opts,
		       struct fb_compare_row *row)
{
	struct fb_summary sb, sn;
	struct fb_utest ut;

	fb_summarize(xb, row->n_base, &sb);
	fb_summarize(xn, row->n_new, &sn);
	fb_mann_whitney(xb, row->n_base, xn, row->n_new, &ut);
	row->base_median_ns = sb.median;
	row->new_median_ns = sn.median;
	row->ratio = sn.median / sb.median;
	/* Conservative: the ratio of the medians' order-statistic intervals. */
	row->ratio_low = sn.ci_low / sb.ci_high;
	row->ratio_high = sn.ci_high / sb.ci_low;
	row->p = ut.p;
	snprintf(row->note, sizeof(row->note), "U test (%s)", ut.exact ? "exact" : "normal approximation");
	decide(row, opts);
}

/* A percentage with what precision it has: "10", "22.5", "4.12". */
static const char *pct(double fraction, char *buf, size_t len)
{
	snprintf(buf, len, "%.3g%%", fraction * 100);
	return buf;
}

/* With BASE's noise file: the threshold is at least FB_NOISE_FACTOR x the
 * benchmark's A/A noise, so a benchmark this machine moves by 15% between
 * two runs of the same build is not flagged for moving 18% (nor "faster"
 * for gaining as much). Under --normalize bare the noise of the figures
 * divided by the bare loop is used where the file has it; otherwise the
 * absolute noise is taken as it is, where normalised figures usually move
 * less: there a slow-down must be clearer than strictly needed. */
static void apply_noise(const struct fb_compare_opts *opts, struct fb_compare_row *row)
{
	char t[16], nz[16];

	row->noise = opts->noise ? fb_noise_of(opts->noise, row->name, opts->normalize) : NAN;
	if (!opts->noise)
		return;
	if (isnan(row->noise)) {
		snprintf(row->threshold_note, sizeof(row->threshold_note), "threshold %s (no A/A noise measured)",
			 pct(row->threshold, t, sizeof(t)));
	} else if (FB_NOISE_FACTOR * row->noise > row->threshold) {
		char was[16];
		pct(row->threshold, was, sizeof(was));
		row->threshold = FB_NOISE_FACTOR * row->noise;
		snprintf(row->threshold_note, sizeof(row->threshold_note), "threshold %s (%.3g x measured A/A noise %s; "
			 "%s otherwise)", pct(row->threshold, t, sizeof(t)), FB_NOISE_FACTOR,
			 pct(row->noise, nz, sizeof(nz)), was);
	} else {
		snprintf(row->threshold_note, sizeof(row->threshold_note), "threshold %s (measured A/A noise %s)",
			 pct(row->threshold, t, sizeof(t)), pct(row->noise, nz, sizeof(nz)));
	}
}

static void compare_pair(const struct fb_result *b, const struct fb_result *n, const double div[2],
			 const struct fb_compare_opts *opts, struct fb_compare_row *row)
{
	row->p = NAN;
	row->threshold = family_threshold(opts, (b ? b : n)->key.family);
	apply_noise(opts, row);
	if (not_comparable(b, n, row->note, sizeof(row->note))) {
		row->verdict = FB_NOT_COMPARABLE;
		return;
	}
	/* As many repetitions as the runs have: no fixed cap to overflow. */
	double *xb = malloc(b->nreps * sizeof(*xb)), *xn = malloc(n->nreps * sizeof(*xn));
	row->n_base = b->nreps;
	row->n_new = n->nreps;
	row->real_time = !b->iter_median || !n->iter_median;
	if (xb && xn) {
		scaled(b, div[0], xb);
		scaled(n, div[1], xn);
		judge_pair(xb, xn, opts, row);
	} else {
		row->verdict = FB_NOT_COMPARABLE;
		snprintf(row->note, sizeof(row->note), "out of memory for %zu and %zu repetitions", b->nreps, n->nreps);
	}
	free(xb);
	free(xn);
}

/* Every name of either run, once, in BASE's order then NEW's extras. */
static size_t union_names(const struct fb_results *a, const struct fb_results *b, const char ***names)
{
	size_t n = 0;

	*names = malloc((a->count + b->count + 1) * sizeof(**names));
	for (size_t i = 0; *names && i < a->count; i++)
		(*names)[n++] = a->items[i].name;
	for (size_t i = 0; *names && i < b->count; i++)
		if (!fb_results_find(a, b->items[i].name))
			(*names)[n++] = b->items[i].name;
	return *names ? n : 0;
}

static int setup_divisors(const struct fb_results *base, const struct fb_results *new_run,
			  const struct fb_compare_opts *opts, double div[2], struct fb_comparison *out,
			  char *err, size_t len)
{
	if (strcmp(opts->normalize, "none") && !normalizer(opts->normalize))
		return snprintf(err, len, "--normalize takes none, syscall, touch or bare, not '%s'", opts->normalize), -1;
	div[0] = calibration_ns(base, opts->normalize);
	div[1] = calibration_ns(new_run, opts->normalize);
	if (div[0] <= 0 || div[1] <= 0)
		return snprintf(err, len, "--normalize %s needs the benchmark calibrate/%s/mem_mib:0/mode:4k in both "
				"runs (missing in %s)", opts->normalize, normalizer(opts->normalize)->key.kase,
				div[0] <= 0 ? "BASE" : "NEW"), -1;
	if (strcmp(opts->normalize, "none") == 0)
		snprintf(out->normalize_note, sizeof(out->normalize_note), "absolute times (no normalisation)");
	else
		snprintf(out->normalize_note, sizeof(out->normalize_note),
			 "times divided by each run's calibrate/%s median (BASE %.0f ns, NEW %.0f ns)",
			 normalizer(opts->normalize)->key.kase, div[0], div[1]);
	return 0;
}

/* The totals, from the rows' verdicts (after every change of them). */
static void recount(struct fb_comparison *cmp)
{
	size_t of[FB_NVERDICTS] = { 0 };

	cmp->figure_iter_median = cmp->figure_real_time = 0;
	for (size_t i = 0; i < cmp->count; i++) {
		const struct fb_compare_row *r = &cmp->rows[i];
		of[r->verdict]++;
		if (r->verdict != FB_NOT_COMPARABLE) {
			cmp->figure_real_time += r->real_time != 0;
			cmp->figure_iter_median += r->real_time == 0;
		}
	}
	cmp->regressions = of[FB_SLOWER];
	cmp->improvements = of[FB_FASTER];
	cmp->same = of[FB_SAME];
	cmp->inconclusive = of[FB_INCONCLUSIVE];
	cmp->not_comparable = of[FB_NOT_COMPARABLE];
}

const char *fb_comparison_figure_note(const struct fb_comparison *cmp, char *buf, size_t len)
{
	const char *why = "Google Benchmark's compare.py ranks real_time, each repetition's mean over its "
		"iterations, where one preempted iteration moves the figure and its median does not: "
		"on a slow-down of every iteration both call it slower; where a few iterations were slowed "
		"(a busy machine) compare.py may see a change this does not. compare.py also has no "
		"threshold or interval: it reports any change with its p-value";

	if (!cmp->figure_real_time)
		snprintf(buf, len, "figure ranked: each repetition's median iteration time (iter_median_ns). %s", why);
	else if (!cmp->figure_iter_median)
		snprintf(buf, len, "figure ranked: real_time, each repetition's mean over its iterations (these "
			 "files have no iter_median_ns), as Google Benchmark's compare.py ranks it");
	else
		snprintf(buf, len, "figure ranked: each repetition's median iteration time (iter_median_ns), but "
			 "real_time (the iterations' mean) for the %zu benchmarks a run has no iter_median_ns of. %s",
			 cmp->figure_real_time, why);
	return buf;
}

int fb_compare(const struct fb_results *base, const struct fb_results *new_run,
	       const struct fb_compare_opts *opts, struct fb_comparison *out, char *err, size_t err_len)
{
	const char **names;
	double div[2];

	memset(out, 0, sizeof(*out));
	if (check_family_thresholds(opts->family_thresholds, err, err_len) ||
	    setup_divisors(base, new_run, opts, div, out, err, err_len))
		return -1;
	if (opts->noise)
		snprintf(out->noise_note, sizeof(out->noise_note), "each benchmark's threshold is at least %.3g x its "
			 "A/A noise measured with BASE (%.300s: %zu benchmarks, A/A runs %.200s; --no-noise ignores it)",
			 FB_NOISE_FACTOR, opts->noise->path, opts->noise->count, opts->noise->runs);
	size_t n = union_names(base, new_run, &names);
	out->rows = calloc(n ? n : 1, sizeof(*out->rows));
	if (!out->rows || (!names && (base->count || new_run->count))) {
		free(names);
		return snprintf(err, err_len, "out of memory"), -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct fb_compare_row *row = &out->rows[out->count++];
		snprintf(row->name, sizeof(row->name), "%s", names[i]);
		compare_pair(fb_results_find(base, names[i]), fb_results_find(new_run, names[i]), div, opts, row);
	}
	free(names);
	recount(out);
	return 0;
}

/* A row whose verdict a second measurement gave: the reason says where and
 * what it found, so a verdict printed beside the first figures is not read
 * as theirs ("same" beside a ratio of 1.8 against the baseline's figures). */
static void decided_by(struct fb_compare_row *row, const struct fb_compare_row *there, const char *where)
{
	if (there->verdict == FB_INCONCLUSIVE)
		snprintf(row->reason, sizeof(row->reason), "%s: %.120s", where, there->reason);
	else
		snprintf(row->reason, sizeof(row->reason), "%s: ratio %.3f [%.3f, %.3f], p %.3g", where, there->ratio,
			 there->ratio_low, there->ratio_high, there->p);
}

/* A slower row that a second measurement did not find slower: the same
 * where that one found the same, else inconclusive (a slow-down seen once
 * and not again is not evidence of no change). */
static void unflag(struct fb_compare_row *row, const struct fb_compare_row *again, const char *where)
{
	row->verdict = again->verdict == FB_SAME ? FB_SAME : FB_INCONCLUSIVE;
	decided_by(row, again, where);
}

void fb_compare_confirm(struct fb_comparison *cmp, const struct fb_comparison *confirm, const char *confirm_path)
{
	size_t flagged = 0, remeasured = 0, kept = 0;

	for (size_t i = 0; i < cmp->count; i++) {
		struct fb_compare_row *row = &cmp->rows[i];
		const struct fb_compare_row *again = fb_comparison_find(confirm, row->name);
		if (row->verdict != FB_SLOWER)
			continue;
		flagged++;
		if (!again || again->verdict == FB_NOT_COMPARABLE)
			continue;
		remeasured++;
		if (again->verdict == FB_SLOWER) {
			kept++;
			continue;
		}
		unflag(row, again, "measured again");
		size_t used = strlen(row->note);
		snprintf(row->note + used, sizeof(row->note) - used, "; not slower when measured again: ratio %.3f, p %.3g",
			 again->ratio, again->p);
	}
	recount(cmp);
	snprintf(cmp->confirm_note, sizeof(cmp->confirm_note), "the %zu benchmark%s found slower %s measured again "
		 "(%.200s): %zu of %zu slower there too, the others the same or inconclusive as found there",
		 flagged, flagged == 1 ? "" : "s", flagged == 1 ? "was" : "were", confirm_path, kept, remeasured);
}

void fb_compare_decide(struct fb_comparison *cmp, const struct fb_comparison *side, const char *side_path)
{
	size_t measured = 0, slower = 0;

	for (size_t i = 0; i < cmp->count; i++) {
		struct fb_compare_row *row = &cmp->rows[i];
		const struct fb_compare_row *there = fb_comparison_find(side, row->name);
		if (!there || there->verdict == FB_NOT_COMPARABLE)
			continue;
		measured++;
		int was = row->verdict == FB_SLOWER, is = there->verdict == FB_SLOWER;
		slower += is;
		if (was == is)
			continue;
		if (was) {
			unflag(row, there, "side by side with BASE's code");
		} else {
			row->verdict = FB_SLOWER;
			decided_by(row, there, "side by side with BASE's code");
		}
		size_t used = strlen(row->note);
		snprintf(row->note + used, sizeof(row->note) - used, "; %s side by side with BASE's code: ratio %.3f "
			 "[%.3f, %.3f], p %.3g", is ? "slower" : "not slower", there->ratio, there->ratio_low,
			 there->ratio_high, there->p);
	}
	recount(cmp);
	snprintf(cmp->confirm_note, sizeof(cmp->confirm_note), "%zu benchmark%s (the screen's candidates and the "
		 "headline spawn cases) measured side by side with BASE's code (%.200s) and decided there: %zu slower",
		 measured, measured == 1 ? "" : "s", side_path, slower);
}

void fb_comparison_free(struct fb_comparison *cmp)
{
	free(cmp->rows);
	memset(cmp, 0, sizeof(*cmp));
}

const struct fb_compare_row *fb_comparison_find(const struct fb_comparison *cmp, const char *name)
{
	for (size_t i = 0; i < cmp->count; i++)
		if (strcmp(cmp->rows[i].name, name) == 0)
			return &cmp->rows[i];
	return NULL;
}
