/* run_config.c - a run's settings to argv, to JSON and back (see
 * run_config.h). */
#include "run_config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Append one formatted argument to a. 0, or -1 when it does not fit. */
static int push(struct fb_argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int push(struct fb_argv *a, const char *fmt, ...)
{
	va_list ap;

	if (a->argc + 1 >= (int)(sizeof(a->argv) / sizeof(a->argv[0])) || a->used >= sizeof(a->text))
		return -1;
	va_start(ap, fmt);
	int n = vsnprintf(a->text + a->used, sizeof(a->text) - a->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(a->text) - a->used)
		return -1;
	a->argv[a->argc++] = a->text + a->used;
	a->argv[a->argc] = NULL;
	a->used += (size_t)n + 1;
	return 0;
}

int fb_run_config_bench_argv(const struct fb_run_config *c, const char *bench_bin, const char *out_json,
			     const char *const *extra, struct fb_argv *a)
{
	char sizes[160];
	int err = 0;

	memset(a, 0, sizeof(*a));
	fb_sizes_format(&c->sizes, sizes, sizeof(sizes));
	err |= push(a, "%s", bench_bin);
	err |= push(a, "--benchmark_out=%s", out_json);
	err |= push(a, "--benchmark_out_format=json");
	err |= push(a, "--benchmark_repetitions=%d", c->repetitions);
	err |= push(a, "--benchmark_min_time=%g", c->min_time_s);
	err |= push(a, "--benchmark_filter=%s", c->filter[0] ? c->filter : ".");
	if (c->repetitions > 1)   /* spreads drift over all benchmarks alike */
		err |= push(a, "--benchmark_enable_random_interleaving=true");
	err |= push(a, "--sizes=%s", sizes);
	err |= push(a, "--modes=%s", c->modes);
	if (c->family_max[0])
		err |= push(a, "--family-max-mib=%s", c->family_max);
	if (c->sweep[0])
		err |= push(a, "--sweep=%s", c->sweep);
	for (size_t i = 0; extra && extra[i]; i++)
		err |= push(a, "%s", extra[i]);
	return err ? -1 : 0;
}

static void commas_to_spaces(char *text)
{
	for (char *comma = strchr(text, ','); comma; comma = strchr(comma, ','))
		*comma = ' ';
}

/* Google Benchmark splits the context at ',' and '=' (and refuses the flag
 * otherwise): lists are joined by spaces, and the filter (a regex, which
 * may hold both) is left out. */
void fb_run_config_context(const struct fb_run_config *c, const char *version, const char *revision, char *buf,
			   size_t len)
{
	char sizes[160], modes[sizeof(c->modes)];

	fb_sizes_format(&c->sizes, sizes, sizeof(sizes));
	snprintf(modes, sizeof(modes), "%s", c->modes);
	commas_to_spaces(sizes);
	commas_to_spaces(modes);
	snprintf(buf, len, "--benchmark_context=forkbench_version=%s,git_revision=%s,profile=%s,sizes_mib=%s,"
		 "modes=%s,placement=%s", version, revision ? revision : "unknown", c->profile, sizes, modes,
		 c->placement[0] ? c->placement : "unknown");
}

json_t *fb_run_config_json(const struct fb_run_config *c)
{
	char sizes[160];

	fb_sizes_format(&c->sizes, sizes, sizeof(sizes));
	return json_pack("{s:s, s:i, s:f, s:s?, s:s, s:s, s:s?, s:s?, s:s?, s:s?}", "profile", c->profile,
			 "repetitions", c->repetitions, "min_time_s", c->min_time_s, "filter",
			 c->filter[0] ? c->filter : NULL, "sizes_mib", sizes, "modes", c->modes, "cpus",
			 c->cpus[0] ? c->cpus : NULL, "placement", c->placement[0] ? c->placement : NULL,
			 "family_max_mib", c->family_max[0] ? c->family_max : NULL, "sweep",
			 c->sweep[0] ? c->sweep : NULL);
}

/* A text field into buf: 0, or -1 when required and absent or too long. */
static int text_field(const json_t *config, const char *key, int required, char *buf, size_t len)
{
	const char *text = json_string_value(json_object_get(config, key));

	buf[0] = '\0';
	if (!text)
		return required ? -1 : 0;
	return (size_t)snprintf(buf, len, "%s", text) < len ? 0 : -1;
}

int fb_run_config_from_json(const json_t *config, struct fb_run_config *c, char *err, size_t len)
{
	static const struct { const char *key; size_t offset, size; int required; } texts[] = {
		{ "profile", offsetof(struct fb_run_config, profile), sizeof(((struct fb_run_config *)0)->profile), 1 },
		{ "modes", offsetof(struct fb_run_config, modes), sizeof(((struct fb_run_config *)0)->modes), 1 },
		{ "filter", offsetof(struct fb_run_config, filter), sizeof(((struct fb_run_config *)0)->filter), 0 },
		{ "cpus", offsetof(struct fb_run_config, cpus), sizeof(((struct fb_run_config *)0)->cpus), 0 },
		{ "placement", offsetof(struct fb_run_config, placement), sizeof(((struct fb_run_config *)0)->placement), 0 },
		{ "family_max_mib", offsetof(struct fb_run_config, family_max),
		  sizeof(((struct fb_run_config *)0)->family_max), 0 },
		{ "sweep", offsetof(struct fb_run_config, sweep), sizeof(((struct fb_run_config *)0)->sweep), 0 },
	};
	json_t *reps = json_object_get(config, "repetitions"), *min_time = json_object_get(config, "min_time_s");
	const char *sizes = json_string_value(json_object_get(config, "sizes_mib"));
	char why[160];

	memset(c, 0, sizeof(*c));
	if (!json_is_object(config))
		return snprintf(err, len, "no run configuration (config) in it"), -1;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (text_field(config, texts[i].key, texts[i].required, (char *)c + texts[i].offset, texts[i].size))
			return snprintf(err, len, "config.%s is %s", texts[i].key,
					json_object_get(config, texts[i].key) ? "not a text of a usable length" : "missing"), -1;
	if (!json_is_integer(reps) || json_integer_value(reps) < 1 || json_integer_value(reps) > 99)
		return snprintf(err, len, "config.repetitions is not an integer from 1 to 99"), -1;
	if (!json_is_number(min_time) || !(json_number_value(min_time) > 0))
		return snprintf(err, len, "config.min_time_s is not a positive number"), -1;
	if (!sizes || fb_sizes_parse(sizes, &c->sizes, why, sizeof(why)))
		return snprintf(err, len, "config.sizes_mib: %s", sizes ? why : "missing"), -1;
	struct fb_family_caps caps;
	if (fb_family_caps_parse(c->family_max, &caps, why, sizeof(why)))
		return snprintf(err, len, "config.family_max_mib: %s", why), -1;
	if (c->sweep[0] && strcmp(c->sweep, "short") && strcmp(c->sweep, "long"))
		return snprintf(err, len, "config.sweep is '%s', not short or long", c->sweep), -1;
	c->repetitions = (int)json_integer_value(reps);
	c->min_time_s = json_number_value(min_time);
	return 0;
}

int fb_run_config_run_argv(const struct fb_run_config *c, struct fb_argv *a)
{
	char sizes[160];
	int err = 0;

	memset(a, 0, sizeof(*a));
	fb_sizes_format(&c->sizes, sizes, sizeof(sizes));
	err |= push(a, "run") | push(a, "--profile") | push(a, "%s", c->profile);
	err |= push(a, "--sizes") | push(a, "%s", sizes) | push(a, "--modes") | push(a, "%s", c->modes);
	err |= push(a, "--repetitions") | push(a, "%d", c->repetitions);
	err |= push(a, "--min-time") | push(a, "%g", c->min_time_s);
	if (c->filter[0])
		err |= push(a, "--filter") | push(a, "%s", c->filter);
	/* which CPU parent and child share moves fork figures */
	if (c->cpus[0])
		err |= push(a, "--cpus") | push(a, "%s", c->cpus);
	if (c->placement[0])
		err |= push(a, "--placement") | push(a, "%s", c->placement);
	/* a run recorded before the per-family limits had none: say so, or
	 * the profile's limit would apply to the new run */
	err |= push(a, "--family-max") | push(a, "%s", c->family_max[0] ? c->family_max : "none");
	if (c->sweep[0])
		err |= push(a, "--sweep") | push(a, "%s", c->sweep);
	return err ? -1 : 0;
}

void fb_run_config_command(const struct fb_run_config *c, char *buf, size_t len)
{
	struct fb_argv a;
	size_t used = (size_t)snprintf(buf, len, "build/forkbench");

	fb_run_config_run_argv(c, &a);
	for (int i = 0; i < a.argc && used < len; i++) {
		/* the filter is a regex: quoted for the shell */
		int quote = i > 0 && strcmp(a.argv[i - 1], "--filter") == 0;
		used += (size_t)snprintf(buf + used, len - used, quote ? " '%s'" : " %s", a.argv[i]);
	}
}

int fb_run_config_set_sweep(struct fb_run_config *c, const char *sweep, char *err, size_t len)
{
	if (strcmp(sweep, "short") && strcmp(sweep, "long"))
		return snprintf(err, len, "--sweep takes short or long, not '%s'", sweep), -1;
	return snprintf(c->sweep, sizeof(c->sweep), "%s", sweep), 0;
}

int fb_run_config_set_modes(struct fb_run_config *c, const char *modes, char *err, size_t len)
{
	static const char *const valid[] = { "4k", "thp", "4k,thp", "thp,4k" };

	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
		if (strcmp(modes, valid[i]) == 0)
			return snprintf(c->modes, sizeof(c->modes), "%s", modes), 0;
	return snprintf(err, len, "--modes takes 4k, thp or 4k,thp, not '%s'", modes), -1;
}
