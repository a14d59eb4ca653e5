/* consistency.c - the run's own cross-checks (see consistency.h). */
#include "consistency.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "util.h"

/* Which points of a rule are compared. */
enum rule_points {
	EVERY_POINT,        /* each size and mode where a was measured */
	ZERO_4K,            /* 0 MiB, 4k mode only */
	THP_BELOW_HUGE,     /* every case's thp rows below 2 MiB against its 4k row */
};

struct pair_rule {
	const char *label;
	const char *family_a, *case_a;   /* NULL with THP_BELOW_HUGE: every case */
	const char *family_b, *case_b;
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
	{ "thp below 2 MiB = 4k", NULL, NULL, NULL, NULL, THP_BELOW_HUGE, 0.10 },
	/* the same fork loop from another family's worker: the worker's own
	 * state (cached thread stacks) must not reach the figure */
	{ "fork from the threads worker = spawn/fork", "threads", "fork_exit_wait", "spawn", "fork", ZERO_4K, 0.10 },
	/* the raw syscalls skip glibc's fork wrapper, whose child resets locks
	 * and so takes 6 page faults where a raw clone child takes 4 (counted
	 * with getrusage over 1000 children): clone measured 0.87-0.88x of fork
	 * at 0 and 1 MiB on a 2-core VM, a fixed few us that vanishes at larger
	 * sizes. More than 20% apart is something else. */
	{ "clone(SIGCHLD) = fork", "spawn", "clone", "spawn", "fork", EVERY_POINT, 0.20 },
	{ "clone3 = fork", "spawn", "clone3", "spawn", "fork", EVERY_POINT, 0.20 },
};

/* The instrument's overhead: our round trip against the bare loop in a
 * process of its own. Target: within 5%. */
static const struct pair_rule overhead_rules[] = {
	{ "fork round trip / bare loop", "spawn", "fork", "calibrate", "bare_fork", ZERO_4K, 0.05 },
	{ "vfork round trip / bare loop", "spawn", "vfork", "calibrate", "bare_vfork", ZERO_4K, 0.05 },
};

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

/* One pair of a rule: a at (mib, mode) against b at (mib_b, mode_b). */
static int add_pair(struct fb_pair_result **list, size_t *n, const struct fb_results *res,
		    const struct pair_rule *rule, const char *fam, const char *kase, long mib, const char *mode,
		    const char *mode_b, int overhead)
{
	struct fb_pair_result *p = grow(list, n);
	const char *fam_b = rule->family_b ? rule->family_b : fam, *kase_b = rule->case_b ? rule->case_b : kase;

	if (!p)
		return -1;
	snprintf(p->label, sizeof(p->label), "%s", rule->label);
	snprintf(p->a, sizeof(p->a), "%s/%s/mem_mib:%ld/mode:%s", fam, kase, mib, mode);
	snprintf(p->b, sizeof(p->b), "%s/%s/mem_mib:%ld/mode:%s", fam_b, kase_b, mib, mode_b);
	judge(p, fb_results_find(res, p->a), fb_results_find(res, p->b), rule->tolerance, overhead);
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
		if (fb_results_at(res, rule->family_a, rule->case_a, 0, "4k") ||
		    fb_results_at(res, rule->family_b, rule->case_b, 0, "4k"))
			err = add_pair(list, n, res, rule, rule->family_a, rule->case_a, 0, "4k", "4k", overhead);
		return err;
	}
	for (size_t i = 0; i < res->count && !err; i++) {
		const struct fb_result *r = &res->items[i];
		if (rule->points == THP_BELOW_HUGE && strcmp(r->mode, "thp") == 0 && r->mem_mib < 2)
			err = add_pair(list, n, res, rule, r->family, r->kase, r->mem_mib, "thp", "4k", overhead);
		else if (rule->points == EVERY_POINT && strcmp(r->family, rule->family_a) == 0 &&
			 strcmp(r->kase, rule->case_a) == 0)
			err = add_pair(list, n, res, rule, r->family, r->kase, r->mem_mib, r->mode, r->mode, overhead);
	}
	return err;
}

/* Worker restarts and repetitions taken under steal, over the whole run. */
static void count_conditions(const struct fb_results *res, struct fb_consistency *c)
{
	for (size_t i = 0; i < res->count; i++) {
		const struct fb_result *r = &res->items[i];
		for (size_t k = 0; k < r->nreps; k++) {
			json_t *v = json_object_get(r->rows[k], "worker_restarts");
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
