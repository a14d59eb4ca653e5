/* grade_spec.c - load and validate assignments/NAME/spec.json (see grade.h):
 * every problem is reported as one line naming the file and the field. */
#include <stdio.h>
#include <string.h>

#include "grade.h"

/* Limit fields: {name, where in struct fb_limits, range}; a missing field
 * keeps the default given by the caller. */
static const struct limit_field {
	const char *name;
	size_t offset;
	int is_long;
	double min, max;
} limit_fields[] = {
	{ "wall_s", offsetof(struct fb_limits, wall_s), 0, 0.1, 3600 },
	{ "cpu_s", offsetof(struct fb_limits, cpu_s), 0, 1, 3600 },
	{ "as_mib", offsetof(struct fb_limits, as_mib), 1, 16, 1 << 20 },
	{ "nproc", offsetof(struct fb_limits, nproc), 1, 1, 4096 },
	{ "fsize_mib", offsetof(struct fb_limits, fsize_mib), 1, 1, 1 << 16 },
};

static const char *const visibilities[] = { "visible", "hidden", "after_due_date", "after_published" };

static int load_limits(json_t *obj, const char *where, struct fb_limits *lim, char *err, size_t len)
{
	if (!obj)
		return 0;
	if (!json_is_object(obj))
		return snprintf(err, len, "%s must be an object", where), -1;
	for (size_t i = 0; i < sizeof(limit_fields) / sizeof(limit_fields[0]); i++) {
		const struct limit_field *f = &limit_fields[i];
		json_t *v = json_object_get(obj, f->name);
		if (!v)
			continue;
		double x = json_number_value(v);
		if (!json_is_number(v) || x < f->min || x > f->max)
			return snprintf(err, len, "%s.%s must be a number from %g to %g", where, f->name,
					f->min, f->max), -1;
		if (f->is_long)
			*(long *)((char *)lim + f->offset) = (long)x;
		else
			*(double *)((char *)lim + f->offset) = x;
	}
	return 0;
}

/* "measurement_rounds": {"min", "fail_min", "max", "max_s"}; a missing
 * field keeps its default. */
static int load_rounds(json_t *obj, struct fb_grade_rounds *r, char *err, size_t len)
{
	static const struct { const char *name; double min, max; } fields[] = {
		{ "min", 1, FB_GRADE_MAX_ROUNDS }, { "fail_min", 1, FB_GRADE_MAX_ROUNDS },
		{ "max", 1, FB_GRADE_MAX_ROUNDS }, { "max_s", 1, 3600 },
	};
	double value[4] = { (double)r->min_rounds, (double)r->fail_rounds, (double)r->max_rounds, r->max_s };

	if (obj && !json_is_object(obj))
		return snprintf(err, len, "measurement_rounds must be an object"), -1;
	for (size_t i = 0; obj && i < sizeof(fields) / sizeof(fields[0]); i++) {
		json_t *v = json_object_get(obj, fields[i].name);
		if (v && (!json_is_number(v) || json_number_value(v) < fields[i].min || json_number_value(v) > fields[i].max ||
			  (i < 3 && !json_is_integer(v))))
			return snprintf(err, len, "measurement_rounds.%s must be %s from %g to %g", fields[i].name,
					i < 3 ? "an integer" : "a number", fields[i].min, fields[i].max), -1;
		if (v)
			value[i] = json_number_value(v);
	}
	if (value[0] > value[2] || value[1] > value[2])
		return snprintf(err, len, "measurement_rounds: min and fail_min must not exceed max"), -1;
	r->min_rounds = (size_t)value[0], r->fail_rounds = (size_t)value[1], r->max_rounds = (size_t)value[2];
	r->max_s = value[3];
	return 0;
}

static int is_string_array(json_t *a)
{
	size_t i;
	json_t *v;

	if (!json_is_array(a))
		return 0;
	json_array_foreach(a, i, v)
		if (!json_is_string(v))
			return 0;
	return 1;
}

static int check_visibility(json_t *test)
{
	const char *v = json_string_value(json_object_get(test, "visibility"));

	if (!json_object_get(test, "visibility"))
		return 0;
	for (size_t i = 0; v && i < sizeof(visibilities) / sizeof(visibilities[0]); i++)
		if (strcmp(v, visibilities[i]) == 0)
			return 0;
	return -1;
}

static int check_test(json_t *test, size_t i, char *err, size_t len)
{
	char sub[256] = "";
	const char *kind = json_string_value(json_object_get(test, "kind"));
	json_t *max = json_object_get(test, "max_score");

	if (!json_is_object(test) || !json_is_string(json_object_get(test, "name")))
		return snprintf(err, len, "tests[%zu] needs a \"name\" string", i), -1;
	if (!kind || !fb_grade_kind(kind))
		return snprintf(err, len, "tests[%zu]: unknown kind '%s' (build, behaviour or measurement)",
				i, kind ? kind : "(none)"), -1;
	if (!json_is_number(max) || json_number_value(max) < 0)
		return snprintf(err, len, "tests[%zu]: max_score must be a number >= 0", i), -1;
	if (check_visibility(test))
		return snprintf(err, len, "tests[%zu]: visibility must be visible, hidden, "
				"after_due_date or after_published", i), -1;
	if (fb_grade_kind(kind)->check(test, sub, sizeof(sub)))
		return snprintf(err, len, "tests[%zu] (%s): %s", i, kind, sub), -1;
	return 0;
}

static int check_spec(struct fb_grade_spec *spec, char *err, size_t len)
{
	json_t *root = spec->root, *build = json_object_get(root, "build");
	size_t i;
	json_t *test;

	if (!json_is_object(root))
		return snprintf(err, len, "the top level must be an object"), -1;
	if (!(spec->program = json_string_value(json_object_get(root, "program"))))
		return snprintf(err, len, "\"program\" (the student's executable, e.g. \"./labfork\") is missing"), -1;
	spec->assignment = json_string_value(json_object_get(root, "assignment"));
	if (build && !json_is_object(build))
		return snprintf(err, len, "\"build\" must be an object"), -1;
	spec->build_argv = json_object_get(build, "command");
	if (spec->build_argv && (!is_string_array(spec->build_argv) || !json_array_size(spec->build_argv)))
		return snprintf(err, len, "build.command must be a non-empty array of strings"), -1;
	if (load_limits(json_object_get(build, "limits"), "build.limits", &spec->build_limits, err, len) ||
	    load_limits(json_object_get(root, "run_limits"), "run_limits", &spec->run_limits, err, len) ||
	    load_rounds(json_object_get(root, "measurement_rounds"), &spec->rounds, err, len))
		return -1;
	spec->tests = json_object_get(root, "tests");
	if (!json_is_array(spec->tests) || !json_array_size(spec->tests))
		return snprintf(err, len, "\"tests\" must be a non-empty array"), -1;
	json_array_foreach(spec->tests, i, test)
		if (check_test(test, i, err, len))
			return -1;
	return 0;
}

int fb_grade_spec_load(const char *path, struct fb_grade_spec *spec, char *err, size_t len)
{
	/* Defaults: a build may need a compiler's memory and processes, a run
	 * of a small lab program much less. */
	static const struct fb_limits build_default = { 60, 30, 2048, 64, 64 };
	static const struct fb_limits run_default = { 10, 5, 512, 32, 16 };
	/* A pass needs 3 rounds that agree, a fail 5 (a point taken for noise
	 * costs more than a round); a machine that still cannot decide after
	 * 9 rounds or 30 s is too noisy for this test. */
	static const struct fb_grade_rounds rounds_default = { 3, 5, 9, 30 };
	char why[256];
	json_error_t jerr;

	memset(spec, 0, sizeof(*spec));
	spec->build_limits = build_default;
	spec->run_limits = run_default;
	spec->rounds = rounds_default;
	if (!(spec->root = json_load_file(path, 0, &jerr))) {
		if (jerr.line > 0)
			snprintf(err, len, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
		else
			snprintf(err, len, "%s: %s", path, jerr.text);
		return -1;
	}
	if (check_spec(spec, why, sizeof(why))) {
		snprintf(err, len, "%s: %s", path, why);
		fb_grade_spec_free(spec);
		return -1;
	}
	return 0;
}

void fb_grade_spec_free(struct fb_grade_spec *spec)
{
	json_decref(spec->root);
	spec->root = NULL;
}
