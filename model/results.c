/* results.c - read bench.json into per-benchmark records (see results.h). */
#define _GNU_SOURCE
#include "results.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "outcome.h"
#include "stats.h"
#include "jsonio.h"

static double unit_to_ns(const char *unit)
{
	if (!unit || strcmp(unit, "ns") == 0)
		return 1;
	if (strcmp(unit, "us") == 0)
		return 1e3;
	return strcmp(unit, "ms") == 0 ? 1e6 : 1e9;
}

/* Google Benchmark appends "/iterations:N" for a fixed iteration count,
 * then "/manual_time" or "/real_time": our names end before both. */
void fb_results_base_name(const char *run_name, char *out, size_t len)
{
	static const char *const suffixes[] = { "/manual_time", "/real_time" };
	size_t n = strlen(run_name);

	for (size_t i = 0; i < 2; i++) {
		size_t sl = strlen(suffixes[i]);
		if (n > sl && strcmp(run_name + n - sl, suffixes[i]) == 0)
			n -= sl;
	}
	const char *iters = strstr(run_name, "/iterations:");
	if (iters && (size_t)(iters - run_name) < n)
		n = (size_t)(iters - run_name);
	snprintf(out, len, "%.*s", (int)n, run_name);
}

/* The bench side's error_message prefixes (bench/outcome.h) and what each
 * says; any other message is a failure. */
static const struct {
	const char *prefix;
	enum fb_outcome outcome;
} outcome_prefixes[] = {
	{ FB_PREFIX_SKIPPED, FB_OUTCOME_SKIPPED },
	{ FB_PREFIX_NO_RESOURCE, FB_OUTCOME_NO_RESOURCE },
};

static enum fb_outcome outcome_of(const char *error)
{
	for (size_t i = 0; error && i < sizeof(outcome_prefixes) / sizeof(outcome_prefixes[0]); i++)
		if (strncmp(error, outcome_prefixes[i].prefix, strlen(outcome_prefixes[i].prefix)) == 0)
			return outcome_prefixes[i].outcome;
	return FB_OUTCOME_FAILED;
}

const char *fb_outcome_name(enum fb_outcome outcome)
{
	static const char *const names[] = { "ok", "skipped", "no resource", "failed" };
	return names[outcome];
}

static struct fb_result *find_or_add(struct fb_results *res, const char *run_name)
{
	char name[256];

	fb_results_base_name(run_name, name, sizeof(name));
	for (size_t i = 0; i < res->count; i++)
		if (strcmp(res->items[i].name, name) == 0)
			return &res->items[i];
	struct fb_result *grown = realloc(res->items, (res->count + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	res->items = grown;
	struct fb_result *r = &res->items[res->count++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	fb_key_parse(r->name, &r->key);   /* a malformed name keeps what can be read */
	return r;
}

/* A number that a figure may be: finite and not negative. */
static int is_figure(const json_t *v)
{
	return json_is_number(v) && isfinite(json_number_value(v)) && json_number_value(v) >= 0;
}

/* An integer field that must be at least min when present. */
static int bad_count(const json_t *row, const char *key, json_int_t min)
{
	json_t *v = json_object_get(row, key);
	return v && (!json_is_integer(v) || json_integer_value(v) < min);
}

/* The fields of an iteration row the harness reads, type-checked: NULL, or
 * what is wrong (NaN reaches here as null: fb_json_load_lenient). */
static const char *bad_field(const json_t *row, const char *name)
{
	const char *unit = json_string_value(json_object_get(row, "time_unit"));
	json_t *median = json_object_get(row, fb_ctr_iter_median_ns);

	if (strlen(name) >= sizeof(((struct fb_result *)0)->name))
		return "run_name is longer than 255 characters";
	if (json_is_true(json_object_get(row, "error_occurred")))
		return json_is_string(json_object_get(row, "error_message")) ? NULL : "error_message is not a string";
	if (!is_figure(json_object_get(row, "real_time")))
		return "real_time is not a finite, non-negative number";
	if (json_object_get(row, "time_unit") && (!unit || (strcmp(unit, "ns") && strcmp(unit, "us") &&
							    strcmp(unit, "ms") && strcmp(unit, "s"))))
		return "time_unit is not ns, us, ms or s";
	if (bad_count(row, "iterations", 1) || !json_object_get(row, "iterations"))
		return "iterations is not a positive integer";
	if (bad_count(row, "repetitions", 1) || bad_count(row, "repetition_index", 0))
		return "repetitions or repetition_index is not a count";
	if (median && !is_figure(median))
		return "iter_median_ns is not a finite, non-negative number";
	return NULL;
}

/* One row of the benchmarks array. 0; -1 with why set (a malformed row) or
 * empty (out of memory). */
static int add_row(struct fb_results *res, json_t *row, char *why, size_t why_len)
{
	const char *name = json_string_value(json_object_get(row, "run_name"));
	const char *type = json_string_value(json_object_get(row, "run_type"));
	const char *bad;
	struct fb_result *r;

	if (!name)
		name = json_string_value(json_object_get(row, "name"));
	if (!name || !name[0])
		return snprintf(why, why_len, "no run_name or name string"), -1;
	if (type && strcmp(type, "iteration") != 0)
		return 0;   /* aggregates are recomputed by the harness */
	if ((bad = bad_field(row, name)))
		return snprintf(why, why_len, "benchmark %.200s: %s", name, bad), -1;
	if (!(r = find_or_add(res, name)))
		return why[0] = '\0', -1;
	if (json_is_true(json_object_get(row, "error_occurred"))) {
		r->error = json_string_value(json_object_get(row, "error_message"));
		r->outcome = outcome_of(r->error);
		return 0;
	}
	double *t = realloc(r->times_ns, (r->nreps + 1) * sizeof(*t));
	json_t **rows = realloc(r->rows, (r->nreps + 1) * sizeof(*rows));
	if (t)
		r->times_ns = t;
	if (rows)
		r->rows = rows;
	if (!t || !rows)
		return -1;
	/* The repetition's figure: the median of its iterations where the run
	 * recorded it (one preempted iteration moves a mean, not a median);
	 * else, in runs made before, Google Benchmark's mean. */
	json_t *median = json_object_get(row, fb_ctr_iter_median_ns);
	r->iter_median = is_figure(median);
	r->times_ns[r->nreps] = r->iter_median ? json_number_value(median) :
		json_number_value(json_object_get(row, "real_time")) *
		unit_to_ns(json_string_value(json_object_get(row, "time_unit")));
	json_t *steal = json_object_get(row, fb_ctr_steal_pct);
	if (json_is_number(steal) && json_number_value(steal) > FB_STEAL_BOUND_PCT)
		r->steal_flagged++;
	r->rows[r->nreps++] = row;
	return 0;
}

/* Stable order whatever the run's (random interleaving) order was: family,
 * case, page mode, memory size. */
/* Cases by name; the points of one case on its own axis by value
 * ("vmas:256" before "vmas:1024"). */
static int cmp_case(const struct fb_bench_key *x, const struct fb_bench_key *y)
{
	char base_x[64], base_y[64], axis_x[32], axis_y[32];
	long vx, vy;

	if (!fb_key_axis(x, base_x, sizeof(base_x), axis_x, sizeof(axis_x), &vx) ||
	    !fb_key_axis(y, base_y, sizeof(base_y), axis_y, sizeof(axis_y), &vy) || strcmp(base_x, base_y) ||
	    strcmp(axis_x, axis_y))
		return strcmp(x->kase, y->kase);
	return (vx > vy) - (vx < vy);
}

static int cmp_result(const void *a, const void *b)
{
	const struct fb_result *x = a, *y = b;
	int c = strcmp(x->key.family, y->key.family);

	if (!c)
		c = cmp_case(&x->key, &y->key);
	if (!c)
		c = strcmp(x->key.mode, y->key.mode);
	return c ? c : (x->key.mem_mib > y->key.mem_mib) - (x->key.mem_mib < y->key.mem_mib);
}

int fb_results_load(const char *path, struct fb_results *out, char *err, size_t err_len)
{
	json_error_t jerr;
	json_t *list;
	size_t i;
	json_t *row;

	memset(out, 0, sizeof(*out));
	out->root = fb_json_load_lenient(path, &jerr);
	if (!out->root) {
		snprintf(err, err_len, "%s: not valid JSON (line %d: %s)", path, jerr.line, jerr.text);
		return -1;
	}
	list = json_object_get(out->root, "benchmarks");
	if (!json_is_array(list)) {
		snprintf(err, err_len, "%s: no \"benchmarks\" array: not a Google Benchmark JSON file", path);
		fb_results_free(out);
		return -1;
	}
	json_array_foreach(list, i, row) {
		char why[320] = "not an object";
		if (!json_is_object(row) || add_row(out, row, why, sizeof(why))) {
			snprintf(err, err_len, "%s: benchmark row %zu: %s", path, i, why[0] ? why : "out of memory");
			fb_results_free(out);
			return -1;
		}
	}
	if (out->count)   /* an empty run has no items array: qsort(NULL) is undefined */
		qsort(out->items, out->count, sizeof(out->items[0]), cmp_result);
	return 0;
}

void fb_results_free(struct fb_results *res)
{
	for (size_t i = 0; i < res->count; i++) {
		free(res->items[i].times_ns);
		free(res->items[i].rows);
	}
	free(res->items);
	json_decref(res->root);
	memset(res, 0, sizeof(*res));
}

const struct fb_result *fb_results_find(const struct fb_results *res, const char *name)
{
	for (size_t i = 0; i < res->count; i++)
		if (strcmp(res->items[i].name, name) == 0)
			return &res->items[i];
	return NULL;
}

double fb_result_median_ns(const struct fb_result *r)
{
	return r && r->nreps ? fb_median(r->times_ns, r->nreps) : NAN;
}

/* The repetitions' values of a counter, in ns for Google Benchmark's own
 * times, into a malloc'd array (*values; free it); their number. */
static size_t counter_values(const struct fb_result *r, const char *counter, double **values)
{
	int is_time = strcmp(counter, "real_time") == 0 || strcmp(counter, "cpu_time") == 0;
	size_t n = 0;

	/* a benchmark that failed or was skipped has no figures to give */
	*values = r && !r->error && r->nreps ? malloc(r->nreps * sizeof(**values)) : NULL;
	for (size_t i = 0; *values && i < r->nreps; i++) {
		json_t *v = json_object_get(r->rows[i], counter);
		double scale = is_time ? unit_to_ns(json_string_value(json_object_get(r->rows[i], "time_unit"))) : 1;
		if (json_is_number(v))
			(*values)[n++] = json_number_value(v) * scale;
	}
	return n;
}

double fb_result_counter_median(const struct fb_result *r, const char *counter)
{
	double *values;
	size_t n = counter_values(r, counter, &values);
	double median = n ? fb_median(values, n) : NAN;

	free(values);
	return median;
}

int fb_result_counter_range(const struct fb_result *r, const char *counter, double *lo, double *hi)
{
	double *values;
	size_t n = counter_values(r, counter, &values);

	*lo = *hi = NAN;
	for (size_t i = 0; i < n; i++) {
		*lo = i == 0 || values[i] < *lo ? values[i] : *lo;
		*hi = i == 0 || values[i] > *hi ? values[i] : *hi;
	}
	free(values);
	return n ? 0 : -1;
}

int fb_results_has_family(const struct fb_results *results, const char *family)
{
	for (size_t i = 0; i < results->count; i++)
		if (strcmp(results->items[i].key.family, family) == 0)
			return 1;
	return 0;
}

long fb_results_max_mib(const struct fb_results *results, const char *family, const char *kase)
{
	long top = -1;

	for (size_t i = 0; i < results->count; i++)
		if (strcmp(results->items[i].key.family, family) == 0 && strcmp(results->items[i].key.kase, kase) == 0 &&
		    results->items[i].key.mem_mib > top)
			top = results->items[i].key.mem_mib;
	return top;
}

const struct fb_result *fb_results_get(const struct fb_results *results, const struct fb_bench_key *key)
{
	for (size_t i = 0; i < results->count; i++)
		if (fb_key_equal(&results->items[i].key, key))
			return &results->items[i];
	return NULL;
}

const struct fb_result *fb_results_at(const struct fb_results *results, const char *family, const char *kase,
				      long mib, const char *mode)
{
	struct fb_bench_key key = { .mem_mib = mib };
	snprintf(key.family, sizeof(key.family), "%s", family);
	snprintf(key.kase, sizeof(key.kase), "%s", kase);
	snprintf(key.mode, sizeof(key.mode), "%s", mode);
	return fb_results_get(results, &key);
}

int fb_results_memory_fit(const struct fb_results *res, const char *family, const char *kase, const char *mode,
			  struct fb_fit *fit)
{
	double x[32], y[32];
	size_t n = 0;

	for (size_t i = 0; i < res->count && n < 32; i++) {
		const struct fb_result *r = &res->items[i];
		if (strcmp(r->key.family, family) || strcmp(r->key.kase, kase) || strcmp(r->key.mode, mode) ||
		    r->outcome != FB_OUTCOME_OK || !r->nreps)
			continue;
		x[n] = (double)r->key.mem_mib / 1024;
		y[n++] = fb_result_median_ns(r);
	}
	return fb_linear_fit(x, y, n, fit);
}
