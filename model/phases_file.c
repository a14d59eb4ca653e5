/* phases_file.c - the phases pass's folder (bench/phase_trace.c: points.json
 * and one N.trace per point) read into struct fb_phases, and phases.json
 * written and read back. */
#define _GNU_SOURCE
#include "phases.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "stats.h"

/* A trace of a few hundred round trips, each with its faults. */
#define TRACE_MAX_BYTES (256u << 20)

static const char *const task_keys[FB_TASKS] = { "parent", "child" };

/* The median of a JSON array of numbers (ns) in us; NAN when empty. */
static double median_us(const json_t *array, size_t *count)
{
	size_t n = json_array_size(array), i;
	double *v = malloc((n ? n : 1) * sizeof(*v)), median = NAN;
	json_t *x;

	json_array_foreach(array, i, x)
		v[i] = json_number_value(x) / 1000.0;
	if (v && n)
		median = fb_median(v, n);
	free(v);
	if (count)
		*count = n;
	return median;
}

/* Round by round, traced over untraced: a speed step of the machine
 * between rounds moves both sides of one ratio, and the median of the
 * ratios leaves one odd round out. */
static double overhead(const json_t *traced, const json_t *untraced, size_t batch)
{
	size_t rounds = batch ? json_array_size(traced) / batch : 0;
	double ratios[64], t[64], u[64];

	if (!rounds || rounds > 64 || batch > 64 || json_array_size(untraced) != rounds * batch)
		return NAN;
	for (size_t r = 0; r < rounds; r++) {
		for (size_t i = 0; i < batch; i++) {
			t[i] = json_number_value(json_array_get(traced, r * batch + i));
			u[i] = json_number_value(json_array_get(untraced, r * batch + i));
		}
		ratios[r] = fb_median(t, batch) / fb_median(u, batch);
	}
	return fb_median(ratios, rounds);
}

static void build_one(const char *dir, const json_t *point, struct fb_phase_bench *b)
{
	const char *error = json_string_value(json_object_get(point, "error"));
	const json_t *pids = json_object_get(point, "parent_pids");
	pid_t parents[16];
	size_t np = 0, i;
	json_t *x;
	char path[4200];

	snprintf(b->name, sizeof(b->name), "%s", json_string_value(json_object_get(point, "name")) ?: "");
	if (fb_key_parse(b->name, &b->key))
		snprintf(b->error, sizeof(b->error), "not a benchmark's name: '%.200s'", b->name);
	b->traced_us = median_us(json_object_get(point, "traced_ns"), &b->ran);
	b->untraced_us = median_us(json_object_get(point, "untraced_ns"), NULL);
	b->overhead = overhead(json_object_get(point, "traced_ns"), json_object_get(point, "untraced_ns"),
			       (size_t)json_integer_value(json_object_get(point, "batch")));
	json_array_foreach(pids, i, x)
		if (np < sizeof(parents) / sizeof(parents[0]))
			parents[np++] = (pid_t)json_integer_value(x);
	if (error && !b->error[0])
		snprintf(b->error, sizeof(b->error), "%s", error);
	if (b->error[0])
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, json_string_value(json_object_get(point, "file")) ?: "");
	char *text = fb_slurp(path, TRACE_MAX_BYTES);
	struct fb_trace_read r;
	if (!text || fb_trace_parse(text, parents, np, &r)) {
		snprintf(b->error, sizeof(b->error), "cannot read %.200s", path);
		free(text);
		return;
	}
	free(text);
	fb_phases_summarise(&r, b);
	fb_trace_read_free(&r);
}

int fb_phases_build(const char *trace_dir, struct fb_phases *out, char *err, size_t len)
{
	char path[4200];
	json_error_t jerr;
	size_t i;
	json_t *point;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "%s/points.json", trace_dir);
	json_t *root = json_load_file(path, 0, &jerr);
	if (!root)
		return snprintf(err, len, "%s: %s (line %d)", path, jerr.text, jerr.line), -1;
	out->allowed = json_is_true(json_object_get(root, "allowed"));
	out->faults_traced = json_is_true(json_object_get(root, "faults_traced"));
	snprintf(out->why, sizeof(out->why), "%s", json_string_value(json_object_get(root, "why")) ?: "");
	snprintf(out->clock, sizeof(out->clock), "%s", json_string_value(json_object_get(root, "clock")) ?: "");
	const json_t *points = json_object_get(root, "points");
	out->benches = calloc(json_array_size(points) + 1, sizeof(*out->benches));
	if (!out->benches) {
		json_decref(root);
		return snprintf(err, len, "out of memory"), -1;
	}
	json_array_foreach(points, i, point)
		build_one(trace_dir, point, &out->benches[out->count++]);
	json_decref(root);
	return 0;
}

void fb_phases_not_run(struct fb_phases *out, const char *why)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->why, sizeof(out->why), "%s", why);
}

/* --- phases.json --------------------------------------------------------- */

static json_t *number(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *faults_json(const double faults[FB_TASKS][FB_FAULT_KINDS])
{
	json_t *j = json_object();
	for (int t = 0; t < FB_TASKS; t++) {
		json_t *kinds = json_object();
		for (int k = 0; k < FB_FAULT_KINDS; k++)
			json_object_set_new(kinds, fb_fault_kind_name((enum fb_fault_kind)k), number(faults[t][k]));
		json_object_set_new(j, task_keys[t], kinds);
	}
	return j;
}

static json_t *bench_json(const struct fb_phase_bench *b)
{
	json_t *phases = json_array();
	char name[64];

	for (size_t i = 0; i < b->nphases; i++) {
		const struct fb_phase *ph = &b->phases[i];
		fb_phase_name(ph->from, ph->to, name, sizeof(name));
		json_array_append_new(phases, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "phase", name,
							"from", fb_mark_name(ph->from), "to", fb_mark_name(ph->to),
							"median_us", number(ph->median_us), "p90_us", number(ph->p90_us),
							"faults", faults_json(ph->faults)));
	}
	return json_pack("{s:s, s:o, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "name", b->name,
			 "error", b->error[0] ? json_string(b->error) : json_null(), "ran", (json_int_t)b->ran,
			 "complete", (json_int_t)b->complete, "on_path", (json_int_t)b->on_path,
			 "incomplete", (json_int_t)b->incomplete, "lost_events", (json_int_t)b->lost_events,
			 "span_us", number(b->span_us), "traced_us", number(b->traced_us),
			 "untraced_us", number(b->untraced_us),
			 "overhead", number(b->overhead), "events", number(b->events),
			 "faults", faults_json(b->faults), "phases", phases);
}

json_t *fb_phases_json(const struct fb_phases *p)
{
	json_t *marks = json_array(), *benches = json_array();

	for (int m = 0; m < FB_MARKS; m++)
		json_array_append_new(marks, json_pack("{s:s, s:s}", "mark", fb_mark_name((enum fb_mark)m), "event",
						       fb_mark_event((enum fb_mark)m)));
	for (size_t i = 0; i < p->count; i++)
		json_array_append_new(benches, bench_json(&p->benches[i]));
	return json_pack("{s:i, s:b, s:o, s:b, s:s, s:s, s:o, s:o}", "schema", 1, "allowed", p->allowed,
			 "why", p->why[0] ? json_string(p->why) : json_null(), "faults_traced", p->faults_traced,
			 "tracer", "ftrace: a tracefs instance of its own, the worker's pid with event-fork, "
			 "read after each batch", "trace_clock", p->clock,
			 "marks", marks, "benchmarks", benches);
}

static double read_number(const json_t *j, const char *key)
{
	const json_t *v = json_object_get(j, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void read_faults(const json_t *j, double faults[FB_TASKS][FB_FAULT_KINDS])
{
	for (int t = 0; t < FB_TASKS; t++)
		for (int k = 0; k < FB_FAULT_KINDS; k++)
			faults[t][k] = read_number(json_object_get(j, task_keys[t]), fb_fault_kind_name((enum fb_fault_kind)k));
}

static int mark_named(const char *name, enum fb_mark *m)
{
	for (int i = 0; name && i < FB_MARKS; i++)
		if (strcmp(name, fb_mark_name((enum fb_mark)i)) == 0)
			return *m = (enum fb_mark)i, 0;
	return -1;
}

static int bench_from_json(const json_t *j, struct fb_phase_bench *b, char *err, size_t len)
{
	const json_t *phases = json_object_get(j, "phases"), *ph;
	size_t i;

	snprintf(b->name, sizeof(b->name), "%s", json_string_value(json_object_get(j, "name")) ?: "");
	if (fb_key_parse(b->name, &b->key))
		return snprintf(err, len, "phases.json: '%.200s' is not a benchmark's name", b->name), -1;
	snprintf(b->error, sizeof(b->error), "%s", json_string_value(json_object_get(j, "error")) ?: "");
	b->ran = (size_t)json_integer_value(json_object_get(j, "ran"));
	b->complete = (size_t)json_integer_value(json_object_get(j, "complete"));
	b->on_path = (size_t)json_integer_value(json_object_get(j, "on_path"));
	b->incomplete = (size_t)json_integer_value(json_object_get(j, "incomplete"));
	b->lost_events = (size_t)json_integer_value(json_object_get(j, "lost_events"));
	b->span_us = read_number(j, "span_us");
	b->traced_us = read_number(j, "traced_us");
	b->untraced_us = read_number(j, "untraced_us");
	b->overhead = read_number(j, "overhead");
	b->events = read_number(j, "events");
	read_faults(json_object_get(j, "faults"), b->faults);
	json_array_foreach(phases, i, ph) {
		struct fb_phase *p = &b->phases[b->nphases];
		if (b->nphases == FB_MARKS - 1 || mark_named(json_string_value(json_object_get(ph, "from")), &p->from) ||
		    mark_named(json_string_value(json_object_get(ph, "to")), &p->to))
			return snprintf(err, len, "phases.json: %s: a phase between unknown marks", b->name), -1;
		p->median_us = read_number(ph, "median_us");
		p->p90_us = read_number(ph, "p90_us");
		read_faults(json_object_get(ph, "faults"), p->faults);
		b->nphases++;
	}
	return 0;
}

int fb_phases_from_json(const json_t *j, struct fb_phases *out, char *err, size_t len)
{
	const json_t *benches = json_object_get(j, "benchmarks"), *b;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(j) || json_integer_value(json_object_get(j, "schema")) != 1)
		return snprintf(err, len, "phases.json: not schema 1"), -1;
	out->allowed = json_is_true(json_object_get(j, "allowed"));
	out->faults_traced = json_is_true(json_object_get(j, "faults_traced"));
	snprintf(out->why, sizeof(out->why), "%s", json_string_value(json_object_get(j, "why")) ?: "");
	snprintf(out->clock, sizeof(out->clock), "%s", json_string_value(json_object_get(j, "trace_clock")) ?: "");
	out->benches = calloc(json_array_size(benches) + 1, sizeof(*out->benches));
	if (!out->benches)
		return snprintf(err, len, "out of memory"), -1;
	json_array_foreach(benches, i, b)
		if (bench_from_json(b, &out->benches[out->count++], err, len)) {
			fb_phases_free(out);
			return -1;
		}
	return 0;
}

void fb_phases_free(struct fb_phases *p)
{
	free(p->benches);
	p->benches = NULL;
	p->count = 0;
}

const struct fb_phase_bench *fb_phases_find(const struct fb_phases *p, const char *name)
{
	for (size_t i = 0; p && i < p->count; i++)
		if (strcmp(p->benches[i].name, name) == 0)
			return &p->benches[i];
	return NULL;
}
