/* phase_checks.c - the phases' checks and plain readings (phase_checks.h). */
#define _GNU_SOURCE
#include "phase_checks.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 440 / 400 is 1.1000000000000001 in doubles: a bound is met at its own
 * value. */
#define ROUNDING 1e-9

static const struct fb_bench_key fork0 = FB_KEY0("spawn", "fork");
static const struct fb_bench_key clone0 = FB_KEY0("spawn", "clone");
static const struct fb_bench_key bare0 = FB_KEY0("calibrate", "bare_fork");

static const struct fb_phase_bench *bench_at(const struct fb_phases *p, const struct fb_bench_key *key)
{
	for (size_t i = 0; i < p->count; i++)
		if (fb_key_equal(&p->benches[i].key, key) && !p->benches[i].error[0] && p->benches[i].nphases)
			return &p->benches[i];
	return NULL;
}

/* The round trip is the figure of the spawn-like cases only: a COW case
 * times its child's writes, the trace their whole round trip. */
static int times_round_trip(const struct fb_bench_key *key)
{
	return strcmp(key->family, "spawn") == 0 || strcmp(key->family, "calibrate") == 0;
}

static void check_sum(const struct fb_phase_bench *b, struct fb_phase_verdict *v)
{
	v->span_ratio = b->span_us / b->traced_us;
	if (!times_round_trip(&b->key)) {
		v->sum = FB_UNCHECKED;
		snprintf(v->note, sizeof(v->note), "its figure is not the round trip");
		return;
	}
	v->sum = fabs(v->span_ratio - 1) <= FB_PHASE_SUM_TOLERANCE + ROUNDING ? FB_AGREE : FB_DISAGREE;
}

/* A COW case's child: its COW faults in the trace against the case's own
 * count of the same writes. */
static void check_faults(const struct fb_phase_bench *b, const struct fb_results *res, struct fb_phase_verdict *v)
{
	const struct fb_result *r = res ? fb_results_get(res, &b->key) : NULL;

	v->faults = FB_UNCHECKED;
	v->faults_traced = b->faults[FB_TASK_CHILD][FB_FAULT_COW];
	v->faults_counted = NAN;
	if (strcmp(b->key.family, "cow") != 0)
		return;
	v->faults_counted = fb_result_counter_median(r, "faults_perf");
	if (isnan(v->faults_counted))
		v->faults_counted = fb_result_counter_median(r, "faults_rusage");
	if (isnan(v->faults_counted) || isnan(v->faults_traced)) {
		snprintf(v->note, sizeof(v->note), "no fault count to hold it to");
		return;
	}
	double slack = fmax(FB_PHASE_FAULTS_SLACK, 0.05 * v->faults_counted);
	v->faults = fabs(v->faults_traced - v->faults_counted) <= slack ? FB_AGREE : FB_DISAGREE;
}

static void judge_one(const struct fb_phase_bench *b, const struct fb_results *res, struct fb_phase_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->bench = b;
	v->overhead_ratio = b->overhead;
	if (b->error[0] || !b->nphases) {
		v->sum = v->overhead = v->faults = FB_UNCHECKED;
		snprintf(v->note, sizeof(v->note), "%.190s", b->error[0] ? b->error : "no phases");
		return;
	}
	check_sum(b, v);
	v->overhead = !isfinite(v->overhead_ratio) ? FB_UNCHECKED :
		      v->overhead_ratio <= FB_PHASE_OVERHEAD_TARGET + ROUNDING ? FB_AGREE : FB_DISAGREE;
	check_faults(b, res, v);
	for (size_t i = 1; i < b->nphases; i++)
		if (b->phases[i].median_us > b->phases[v->largest].median_us)
			v->largest = i;
}

/* --- readings ------------------------------------------------------------ */

/* Non-zero faults of one phase, "child 3 cow, 2 exec; parent 1 cow". */
static void faults_text(const double faults[FB_TASKS][FB_FAULT_KINDS], char *buf, size_t len)
{
	static const char *const tasks[FB_TASKS] = { "parent ", "child " };
	size_t used = 0;

	buf[0] = '\0';
	for (int t = 0; t < FB_TASKS; t++) {
		int first = 1;
		for (int k = 0; k < FB_FAULT_KINDS && used + 40 < len; k++) {
			if (!(faults[t][k] >= 0.05))
				continue;
			used += (size_t)snprintf(buf + used, len - used, "%s%s%.3g %s", first && used ? "; " : first ? "" : ", ",
						 first ? tasks[t] : "", faults[t][k], fb_fault_kind_name((enum fb_fault_kind)k));
			if (first)
				first = 0;
		}
	}
}

static const struct fb_phase *phase_named(const struct fb_phase_bench *b, const char *name)
{
	char have[64];
	for (size_t i = 0; i < b->nphases; i++) {
		fb_phase_name(b->phases[i].from, b->phases[i].to, have, sizeof(have));
		if (strcmp(have, name) == 0)
			return &b->phases[i];
	}
	return NULL;
}

/* The phases of a and b that differ most (in us), largest first: names
 * into order[], how many (at most max). */
static size_t biggest_differences(const struct fb_phase_bench *a, const struct fb_phase_bench *b, size_t *order,
				  size_t max)
{
	double diff[FB_MARKS];
	size_t n = 0;
	char name[64];

	for (size_t i = 0; i < a->nphases; i++) {
		fb_phase_name(a->phases[i].from, a->phases[i].to, name, sizeof(name));
		const struct fb_phase *other = phase_named(b, name);
		double d = fabs(a->phases[i].median_us - (other ? other->median_us : 0));
		size_t at = n < max ? n++ : max;
		while (at > 0 && diff[at - 1] < d) {
			if (at < max)
				diff[at] = diff[at - 1], order[at] = order[at - 1];
			at--;
		}
		if (at < max)
			diff[at] = d, order[at] = i;
	}
	return n;
}

/* "a spans X us against b's Y (r x); most of the difference: phase X vs
 * Y us (faults ...), ..." */
static void compare(const struct fb_phase_bench *a, const char *a_label, const struct fb_phase_bench *b,
		    const char *b_label, char *out, size_t len)
{
	size_t order[2], used, n = biggest_differences(a, b, order, 2);
	char name[64], fa[120], fbuf[120];

	used = (size_t)snprintf(out, len, "%s spans %.0f us from clone to reap, %s %.0f us (%.2fx; untraced %.0f vs %.0f us). "
				"The phases that differ most:", a_label, a->span_us, b_label, b->span_us,
				a->span_us / b->span_us, a->untraced_us, b->untraced_us);
	for (size_t i = 0; i < n && used < len; i++) {
		const struct fb_phase *pa = &a->phases[order[i]];
		fb_phase_name(pa->from, pa->to, name, sizeof(name));
		const struct fb_phase *pb = phase_named(b, name);
		faults_text(pa->faults, fa, sizeof(fa));
		if (pb)
			faults_text(pb->faults, fbuf, sizeof(fbuf));
		used += (size_t)snprintf(out + used, len - used, "%s %s %.0f vs %.0f us (faults: %s vs %s)", i ? ";" : "",
					 name, pa->median_us, pb ? pb->median_us : 0.0, fa[0] ? fa : "none",
					 pb && fbuf[0] ? fbuf : "none");
	}
	if (used < len)
		snprintf(out + used, len - used, ".");
}

/* fork at 0 MiB by its largest phases; at the largest size, what grew. */
static void read_fork(const struct fb_phases *p, char *out, size_t len)
{
	const struct fb_phase_bench *f = bench_at(p, &fork0), *big = NULL;
	size_t order[3], used;
	char name[64], faults[120];

	if (!f)
		return;
	for (size_t i = 0; i < p->count; i++)
		if (!strcmp(p->benches[i].key.family, "spawn") && !strcmp(p->benches[i].key.kase, "fork") &&
		    !strcmp(p->benches[i].key.mode, "4k") && p->benches[i].nphases &&
		    (!big || p->benches[i].key.mem_mib > big->key.mem_mib))
			big = &p->benches[i];
	struct fb_phase_bench none = { .nphases = 0 };
	size_t n = biggest_differences(f, &none, order, 3);
	used = (size_t)snprintf(out, len, "fork at 0 MiB spans %.0f us; its largest phases:", f->span_us);
	for (size_t i = 0; i < n && used < len; i++) {
		const struct fb_phase *ph = &f->phases[order[i]];
		fb_phase_name(ph->from, ph->to, name, sizeof(name));
		faults_text(ph->faults, faults, sizeof(faults));
		used += (size_t)snprintf(out + used, len - used, "%s %s %.0f us (%.0f%%%s%s)", i ? "," : "", name,
					 ph->median_us, 100 * ph->median_us / f->span_us, faults[0] ? "; faults: " : "", faults);
	}
	if (big && big != f && used < len) {
		n = biggest_differences(big, f, order, 2);
		used += (size_t)snprintf(out + used, len - used, ". At %ld MiB (4 KiB pages) it spans %.0f us, and what grows is",
					 big->key.mem_mib, big->span_us);
		for (size_t i = 0; i < n && used < len; i++) {
			const struct fb_phase *ph = &big->phases[order[i]];
			fb_phase_name(ph->from, ph->to, name, sizeof(name));
			const struct fb_phase *small = phase_named(f, name);
			used += (size_t)snprintf(out + used, len - used, "%s %s (%.0f us, %.0f at 0 MiB)", i ? " and" : "", name,
						 ph->median_us, small ? small->median_us : 0.0);
		}
	}
	if (used < len)
		snprintf(out + used, len - used, ".");
}

static void read_all(const struct fb_phases *p, struct fb_phase_judgement *j)
{
	const struct fb_phase_bench *fork = bench_at(p, &fork0), *clone = bench_at(p, &clone0), *bare = bench_at(p, &bare0);

	j->readings[0].question = "Where does a fork's time go on this machine?";
	read_fork(p, j->readings[0].answer, sizeof(j->readings[0].answer));
	j->readings[1].question = "Where does the worker's fork differ from the bare loop's?";
	if (fork && bare)
		compare(fork, "The worker's fork", bare, "the bare loop's", j->readings[1].answer,
			sizeof(j->readings[1].answer));
	j->readings[2].question = "What does glibc's fork add to the raw clone?";
	if (fork && clone)
		compare(fork, "glibc's fork", clone, "the raw clone(SIGCHLD)'s", j->readings[2].answer,
			sizeof(j->readings[2].answer));
}

int fb_phase_judge(const struct fb_phases *p, const struct fb_results *res, struct fb_phase_judgement *out)
{
	memset(out, 0, sizeof(*out));
	if (p->count && !(out->items = calloc(p->count, sizeof(*out->items))))
		return -1;
	for (size_t i = 0; i < p->count; i++) {
		struct fb_phase_verdict *v = &out->items[out->count++];
		judge_one(&p->benches[i], res, v);
		out->sum_off += v->sum == FB_DISAGREE;
		out->overhead_above += v->overhead == FB_DISAGREE;
		out->faults_off += v->faults == FB_DISAGREE;
	}
	read_all(p, out);
	return 0;
}

void fb_phase_judgement_free(struct fb_phase_judgement *j)
{
	free(j->items);
	memset(j, 0, sizeof(*j));
}
