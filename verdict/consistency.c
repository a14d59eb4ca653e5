/* consistency.c - the run's own cross-checks (see consistency.h). */
#include "consistency.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "stats.h"

/* Which points of a rule are compared. */
enum rule_points {
	EVERY_POINT,        /* each size and mode where a was measured */
	ZERO_4K,            /* 0 MiB, 4k mode only */
	THP_BELOW_HUGE,     /* every case's thp rows below 2 MiB against its 4k row */
};

struct pair_rule {
	const char *label;
	/* ZERO_4K: the two points. EVERY_POINT: the two cases, compared at each
	 * size and mode a ran (the keys' own size and mode are 0 MiB, 4k).
	 * THP_BELOW_HUGE: unused, every case is its own pair. */
	struct fb_bench_key a, b;
	enum rule_points points;
	double tolerance;
};

/* Each row pins down one operation measured by two methods. The tolerance
 * is what the two may differ by for reasons of their own; a pair disagrees
 * only when it is exceeded AND the 95% intervals of the medians do not
 * meet (noise alone does not make a disagreement). */
static const struct pair_rule pair_rules[] = {
	/* a region under 2 MiB holds no huge page: thp mode is 4k mode there,
	 * so any difference is the worker's state, not the page mode */
	{ .label = "thp below 2 MiB = 4k", .points = THP_BELOW_HUGE, .tolerance = 0.10 },
	/* the same fork loop from another family's worker: the worker's own
	 * state (cached thread stacks) must not reach the figure */
	{ .label = "fork from the threads worker = spawn/fork", .a = FB_KEY0("threads", "fork_exit_wait"),
	  .b = FB_KEY0("spawn", "fork"), .points = ZERO_4K, .tolerance = 0.10 },
	/* the raw syscalls skip glibc's fork wrapper, whose child resets locks
	 * and so takes 6 page faults where a raw clone child takes 4 (counted
	 * with getrusage over 1000 children): clone measured 0.87-0.88x of fork
	 * at 0 and 1 MiB on a 2-core VM, a fixed few us that vanishes at larger
	 * sizes. More than 20% apart is something else. */
	{ .label = "clone(SIGCHLD) = fork", .a = FB_KEY0("spawn", "clone"), .b = FB_KEY0("spawn", "fork"),
	  .points = EVERY_POINT, .tolerance = 0.20 },
	{ .label = "clone3 = fork", .a = FB_KEY0("spawn", "clone3"), .b = FB_KEY0("spawn", "fork"),
	  .points = EVERY_POINT, .tolerance = 0.20 },
	/* the first point of each axis of the parent's shape is a plain fork in
	 * a worker of the shape family: 16 one-page mappings more, or no thread
	 * more, are a few us of a fork here; more apart is the worker or the
	 * set-up leaking into the figure */
	{ .label = "fork with 16 VMAs more (shape) = spawn/fork", .a = FB_KEY0("shape", "fork_vmas/vmas:16"),
	  .b = FB_KEY0("spawn", "fork"), .points = ZERO_4K, .tolerance = 0.15 },
	{ .label = "fork of a 1-thread parent (shape) = spawn/fork", .a = FB_KEY0("shape", "fork_threads/threads:1"),
	  .b = FB_KEY0("spawn", "fork"), .points = ZERO_4K, .tolerance = 0.10 },
	/* one forker alone: the same round trip from a child of the storm
	 * worker, timed over its R forks from one release */
	{ .label = "one forker (storm) = spawn/fork", .a = FB_KEY0("storm", "parallel_fork/forkers:1"),
	  .b = FB_KEY0("spawn", "fork"), .points = ZERO_4K, .tolerance = 0.15 },
	/* CLONE_PIDFD adds a file and waitid(P_PIDFD) replaces waitpid */
	{ .label = "clone3 with a pidfd = clone3", .a = FB_KEY0("spawn", "clone3_pidfd"),
	  .b = FB_KEY0("spawn", "clone3"), .points = ZERO_4K, .tolerance = 0.15 },
};

/* The instrument's overhead: our round trip against the bare loop in a
 * process of its own. Target: within 5%. */
static const struct pair_rule overhead_rules[] = {
	{ .label = "fork round trip / bare loop", .a = FB_KEY0("spawn", "fork"), .b = FB_KEY0("calibrate", "bare_fork"),
	  .points = ZERO_4K, .tolerance = 0.05 },
	{ .label = "vfork round trip / bare loop", .a = FB_KEY0("spawn", "vfork"),
	  .b = FB_KEY0("calibrate", "bare_vfork"), .points = ZERO_4K, .tolerance = 0.05 },
};

size_t fb_consistency_keys(const struct fb_bench_key **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < sizeof(pair_rules) / sizeof(pair_rules[0]); i++)
		if (pair_rules[i].points != THP_BELOW_HUGE && n + 2 <= max) {
			out[n++] = &pair_rules[i].a;
			out[n++] = &pair_rules[i].b;
		}
	for (size_t i = 0; i < sizeof(overhead_rules) / sizeof(overhead_rules[0]) && n + 2 <= max; i++) {
		out[n++] = &overhead_rules[i].a;
		out[n++] = &overhead_rules[i].b;
	}
	return n;
}

static int measured(const struct fb_result *r, struct fb_summary *s)
{
	return r && !r->error && r->nreps && fb_summarize(r->times_ns, r->nreps, s) == 0;
}

/* Fill p from results a and b (either may be NULL). */
static void judge(struct fb_pair_result *p, const struct fb_result *a, const struct fb_result *b, double tol,
		  int overhead)
{
	struct fb_summary sa, sb;

	p->tolerance = tol;
	p->median_a = p->median_b = p->ratio = NAN;
	p->verdict = FB_UNCHECKED;
	if (!measured(a, &sa) || !measured(b, &sb)) {
		const struct fb_result *gone = measured(a, &sa) ? b : a;
		snprintf(p->note, sizeof(p->note), "%s %s", gone == a ? p->a : p->b,
			 gone && gone->error ? "did not run" : "is not in this run");
		return;
	}
	p->median_a = sa.median;
	p->median_b = sb.median;
	p->ratio = sa.median / sb.median;
	p->intervals_overlap = sa.ci_low <= sb.ci_high && sb.ci_low <= sa.ci_high;
	int outside = overhead ? p->ratio > 1 + tol : fabs(p->ratio - 1) > tol;
	p->verdict = outside && (overhead || !p->intervals_overlap) ? FB_DISAGREE : FB_AGREE;
}

static struct fb_pair_result *grow(struct fb_pair_result **list, size_t *n)
{
	struct fb_pair_result *grown = realloc(*list, (*n + 1) * sizeof(**list));
	if (!grown)
		return NULL;
	*list = grown;
	memset(&grown[*n], 0, sizeof(grown[0]));
	return &grown[(*n)++];
}

/* One pair of a rule: point a against point b. */
static int add_pair(struct fb_pair_result **list, size_t *n, const struct fb_results *res,
		    const struct pair_rule *rule, const struct fb_bench_key *a, const struct fb_bench_key *b, int overhead)
{
	struct fb_pair_result *p = grow(list, n);

	if (!p)
		return -1;
	snprintf(p->label, sizeof(p->label), "%s", rule->label);
	fb_key_format(a, p->a, sizeof(p->a));
	fb_key_format(b, p->b, sizeof(p->b));
	judge(p, fb_results_get(res, a), fb_results_get(res, b), rule->tolerance, overhead);
	return 0;
}

/* Every point of one rule that the run measured on side a. A ZERO_4K rule
 * is listed (as unchecked) even when a side is missing, so a run that left
 * out a second method says so. */
static int apply_rule(struct fb_pair_result **list, size_t *n, const struct fb_results *res,
		      const struct pair_rule *rule, int overhead)
{
	int err = 0;

	if (rule->points == ZERO_4K) {
		if (fb_results_get(res, &rule->a) || fb_results_get(res, &rule->b))
			err = add_pair(list, n, res, rule, &rule->a, &rule->b, overhead);
		return err;
	}
	for (size_t i = 0; i < res->count && !err; i++) {
		const struct fb_bench_key *a = &res->items[i].key;
		struct fb_bench_key b = *a;
		if (rule->points == THP_BELOW_HUGE && strcmp(a->mode, "thp") == 0 && a->mem_mib < 2) {
			snprintf(b.mode, sizeof(b.mode), "4k");
			err = add_pair(list, n, res, rule, a, &b, overhead);
		} else if (rule->points == EVERY_POINT && strcmp(a->family, rule->a.family) == 0 &&
			   strcmp(a->kase, rule->a.kase) == 0) {
			snprintf(b.family, sizeof(b.family), "%s", rule->b.family);
			snprintf(b.kase, sizeof(b.kase), "%s", rule->b.kase);
			err = add_pair(list, n, res, rule, a, &b, overhead);
		}
	}
	return err;
}

/* Worker restarts and repetitions taken under steal, over the whole run. */
static void count_conditions(const struct fb_results *res, struct fb_consistency *c)
{
	for (size_t i = 0; i < res->count; i++) {
		const struct fb_result *r = &res->items[i];
		for (size_t k = 0; k < r->nreps; k++) {
			json_t *v = json_object_get(r->rows[k], fb_ctr_worker_restarts);
			c->worker_restarts += json_is_number(v) ? (unsigned long)json_number_value(v) : 0;
		}
		c->steal_flagged += r->steal_flagged;
		c->repetitions += r->nreps;
	}
}

int fb_consistency_evaluate(const struct fb_results *res, struct fb_consistency *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < sizeof(pair_rules) / sizeof(pair_rules[0]); i++)
		if (apply_rule(&out->pairs, &out->npairs, res, &pair_rules[i], 0))
			return fb_consistency_free(out), -1;
	for (size_t i = 0; i < sizeof(overhead_rules) / sizeof(overhead_rules[0]); i++)
		if (apply_rule(&out->overheads, &out->noverheads, res, &overhead_rules[i], 1))
			return fb_consistency_free(out), -1;
	for (size_t i = 0; i < out->npairs; i++)
		out->disagree += out->pairs[i].verdict == FB_DISAGREE;
	for (size_t i = 0; i < out->noverheads; i++)
		out->above_target += out->overheads[i].verdict == FB_DISAGREE;
	count_conditions(res, out);
	return 0;
}

void fb_consistency_free(struct fb_consistency *c)
{
	free(c->pairs);
	free(c->overheads);
	memset(c, 0, sizeof(*c));
}
