/* compare.h - compare two runs benchmark by benchmark: ratio of medians
 * with its interval, a two-sided Mann-Whitney U test over repetitions (as
 * Google Benchmark's compare.py), and a verdict. A regression is both
 * significant (p < alpha) and larger than a threshold; "same" is said only
 * where the whole interval lies within the threshold, and a row where
 * neither is established is "inconclusive" (fb_verdict_rules: each word
 * with its test, declared once). */
#ifndef FB_COMPARE_H
#define FB_COMPARE_H

#include <stddef.h>
#include <stdio.h>

#include "comparable.h"
#include "noise.h"
#include "results.h"

enum fb_verdict { FB_SAME, FB_FASTER, FB_SLOWER, FB_INCONCLUSIVE, FB_NOT_COMPARABLE, FB_NVERDICTS };

struct fb_compare_row;
struct fb_compare_opts;

/* A verdict: its word, its rule in words (every output's legend), and its
 * test of a compared row (NULL: not decided by a test of the figures). */
struct fb_verdict_rule {
	enum fb_verdict verdict;
	const char *word;
	const char *rule;
	int (*holds)(const struct fb_compare_row *row, const struct fb_compare_opts *opts);
};
/* In the order they are tried: the first whose test holds is the verdict. */
extern const struct fb_verdict_rule fb_verdict_rules[];
extern const size_t fb_nverdict_rules;

/* A --normalize choice: its name and the calibration benchmark a run's
 * figures are divided by. */
struct fb_normalizer {
	const char *name;
	struct fb_bench_key key;
};
extern const struct fb_normalizer fb_normalizers[];
extern const size_t fb_nnormalizers;

struct fb_compare_opts {
	double alpha;                 /* significance level, 0.05 */
	double threshold;             /* relative change that matters, FB_THRESHOLD_DEFAULT */
	char family_thresholds[256];  /* "spawn=0.2,cow=0.15": per-family overrides */
	const char *normalize;        /* "none", "syscall", "touch" or "bare" */
	const struct fb_noise *noise; /* BASE's measured A/A noise, or NULL: each
				       * threshold is then at least FB_NOISE_FACTOR x it */
	int screen;                   /* slower: the medians' ratio beyond the threshold,
				       * not the whole interval (candidates that a
				       * side-by-side measurement then decides) */
};

struct fb_compare_row {
	char name[256];
	enum fb_verdict verdict;
	double base_median_ns, new_median_ns;  /* normalised when asked: then unitless */
	double ratio, ratio_low, ratio_high;   /* NEW / BASE; interval from the medians' CIs */
	double p;                              /* NAN when not tested */
	double threshold;                      /* the one that applied */
	double noise;                          /* BASE's A/A noise of it, NAN when not measured */
	char threshold_note[128];              /* with a noise file: "threshold 10% (measured A/A noise 4%)" */
	size_t n_base, n_new;
	char note[200];                        /* why not comparable, or the test used */
	char reason[160];                      /* inconclusive: what the interval and p left open;
					        * a verdict of a second measurement: where, what it found */
	int real_time;                         /* ranked real_time: a run without iter_median_ns */
};

struct fb_comparison {
	struct fb_compare_row *rows;
	size_t count;
	size_t regressions, improvements, not_comparable;
	size_t same, inconclusive;
	size_t figure_iter_median;             /* compared rows that ranked iter_median_ns in both runs, */
	size_t figure_real_time;               /* and those that ranked real_time in one (a file without it) */
	char normalize_note[200];              /* what the figures were divided by */
	struct fb_conditions_diff conditions;  /* where the two runs' manifests differ */
	size_t base_repetitions;               /* the most of any benchmark in BASE */
	char noise_note[700];                  /* the noise file used and the rule, or "" */
	char confirm_note[400];                /* what re-measuring the flagged ones found, or "" */
};

/* 0, or -1 with err (bad options, or calibration missing for --normalize). */
int fb_compare(const struct fb_results *base, const struct fb_results *new_run,
	       const struct fb_compare_opts *opts, struct fb_comparison *out, char *err, size_t err_len);
void fb_comparison_free(struct fb_comparison *cmp);
/* Hold cmp's "slower" rows to a re-measurement: confirm is BASE against a
 * run that measured the flagged benchmarks again (confirm_path names it);
 * a row stays slower only when it is slower there too, else it becomes
 * "same" where the re-measurement found the same and "inconclusive"
 * otherwise, saying what it found. Rows it lacks keep theirs. */
void fb_compare_confirm(struct fb_comparison *cmp, const struct fb_comparison *confirm, const char *confirm_path);
/* Let a side-by-side measurement decide: every row that side measured is
 * slower when it is slower there, whatever the screen said, and no longer
 * slower when it is not (then "same" or "inconclusive" as it found, saying
 * what it found); the rows it did not measure keep theirs. */
void fb_compare_decide(struct fb_comparison *cmp, const struct fb_comparison *side, const char *side_path);
/* The row of benchmark name, or NULL. */
const struct fb_compare_row *fb_comparison_find(const struct fb_comparison *cmp, const char *name);
const char *fb_verdict_name(enum fb_verdict v);
/* The rule of verdict v in words ("" for none). */
const char *fb_verdict_rule_text(enum fb_verdict v);
/* What a comparison ranked, for every output's header: each repetition's
 * median iteration (iter_median_ns) where the files have it, Google
 * Benchmark's real_time (the iterations' mean, which compare.py ranks)
 * where not; and why the two can give different verdicts. */
const char *fb_comparison_figure_note(const struct fb_comparison *cmp, char *buf, size_t len);


#endif
