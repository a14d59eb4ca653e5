/* settings.c - the run settings table and each kind's parser and
 * formatter (see settings.h). */
#include "settings.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIELD(name) .offset = offsetof(struct fb_run_config, name), .size = sizeof(((struct fb_run_config *)0)->name)

static const char *const placement_names[] = { "", "one-cpu", "free", NULL };
static const char *const sweep_names[] = { "", "short", "long", NULL };
static const char *const trace_names[] = { "", "all", "few", "off", NULL };

/* In `forkbench run --help`'s order; the manifest and the command that
 * repeats a run name the required ones first. */
const struct fb_setting fb_settings[] = {
	/* a preset of repetitions, time and sweep (harness/run_config.c's
	 * profiles, which also give its help) */
	{ .option = "profile", .fallback = "default", .kind = FB_SETTING_TEXT, FIELD(profile), .key = "profile",
	  .required = 1, .context = 1 },
	/* a slice of the benchmarks: Google Benchmark picks them by name */
	{ .option = "filter", .help = "regex over benchmark names, e.g. 'spawn/fork/'", .kind = FB_SETTING_REGEX,
	  FIELD(filter), .bench = "--benchmark_filter", .key = "filter" },
	/* sizes given as the default sweep (%s in the help) up to a size */
	{ .option = "max-mem", .help = "largest memory size in MiB (default sweep %s)", .kind = FB_SETTING_MAX_MEM,
	  .min = 0, .max = 1 << 30, FIELD(sizes), .bench = "--max-mem" },
	{ .option = "sizes", .help = "explicit memory sizes in MiB, e.g. 0,64,512", .kind = FB_SETTING_SIZES,
	  FIELD(sizes), .bench = "--sizes", .key = "sizes_mib", .required = 1, .context = 1 },
	{ .option = "modes", .help = "page modes: 4k, thp or both", .fallback = "4k,thp", .kind = FB_SETTING_MODES,
	  FIELD(modes), .bench = "--modes", .key = "modes", .required = 1, .context = 1 },
	{ .option = "repetitions", .help = "repetitions per benchmark (profile's by default)", .kind = FB_SETTING_INT,
	  .min = 1, .max = 99, FIELD(repetitions), .bench = "--benchmark_repetitions", .key = "repetitions",
	  .required = 1 },
	{ .option = "min-time", .help = "minimum measured seconds per repetition", .kind = FB_SETTING_NUMBER,
	  .min = 0.001, .max = 60, FIELD(min_time_s), .bench = "--benchmark_min_time", .key = "min_time_s",
	  .required = 1 },
	/* the CPUs used as the run resolved them (harness/run.c): which CPU
	 * parent and child share moves fork figures */
	{ .option = "cpus", .help = "the CPUs the benchmarks and their children may use, e.g. 1 or 0-1 (default: all)",
	  .kind = FB_SETTING_TEXT, FIELD(cpus), .key = "cpus" },
	{ .option = "placement", .help = "one-cpu (parent and child share the last of those CPUs) or free (the "
	  "scheduler places them)", .fallback = "one-cpu", .kind = FB_SETTING_ENUM, .names = placement_names,
	  FIELD(placement), .key = "placement", .context = 1 },
	/* a run recorded before the per-family limits had none: repeated as
	 * none, or the profile's limits would apply to the new run */
	{ .option = "family-max", .help = "a family's largest size, e.g. cow:64, or none (profile's by default)",
	  .kind = FB_SETTING_FAMILY_MAX, FIELD(family_max), .bench = "--family-max-mib", .key = "family_max_mib",
	  .absent = "none" },
	/* a run before the cases' own axes has none: the new run's profile decides */
	{ .option = "sweep", .help = "short or long: the values of the cases' own axes (VMAs, threads, fds, forkers) "
	  "up to the short sweep's end, or all (full: long; others: short)", .kind = FB_SETTING_ENUM,
	  .names = sweep_names, FIELD(sweep), .bench = "--sweep", .key = "sweep" },
	/* forkbench-bench gets the folder instead (harness/run.c); a run
	 * before the phases has none: the new run's profile decides */
	{ .option = "trace", .help = "phases from the kernel's tracepoints (root): all the points, few (quick's "
	  "default) or off (also --no-trace)", .kind = FB_SETTING_ENUM, .names = trace_names, FIELD(trace),
	  .key = "trace" },
};
const size_t fb_nsettings = sizeof(fb_settings) / sizeof(fb_settings[0]);

_Static_assert(sizeof(fb_settings) / sizeof(fb_settings[0]) <= 8 * sizeof(unsigned), "one recorded bit a row");
_Static_assert(sizeof(enum fb_sweep) == sizeof(int) && sizeof(enum fb_placement) == sizeof(int) &&
	       sizeof(enum fb_trace) == sizeof(int),
	       "an ENUM field is stored as an int");

/* "a, b or c" of names[from..] into buf. */
static void list_names(const char *const *names, char *buf, size_t len)
{
	size_t used = 0, n = 0;

	while (names[n])
		n++;
	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ",
					 names[i]);
}

static int parse_text(const struct fb_setting *s, const char *text, void *field, char *err, size_t len)
{
	if (strlen(text) >= s->size)
		return snprintf(err, len, "--%s is longer than %zu bytes", s->option, s->size - 1), -1;
	return snprintf(field, s->size, "%s", text), 0;
}

static int parse_number(const struct fb_setting *s, const char *text, void *field, char *err, size_t len)
{
	char *end;

	errno = 0;
	double x = strtod(text, &end);
	if (errno || end == text || *end || !isfinite(x) || (s->kind == FB_SETTING_INT && x != floor(x)) ||
	    x < s->min || x > s->max)
		return snprintf(err, len, "--%s takes %s from %g to %g, not '%s'", s->option,
				s->kind == FB_SETTING_INT ? "a whole number" : "a number", s->min, s->max, text), -1;
	if (s->kind == FB_SETTING_INT)
		*(int *)field = (int)x;
	else
		*(double *)field = x;
	return 0;
}

static int parse_sizes(const struct fb_setting *s, const char *text, void *field, char *err, size_t len)
{
	(void)s;
	return fb_sizes_parse(text, field, err, len);
}

static int parse_max_mem(const struct fb_setting *s, const char *text, void *field, char *err, size_t len)
{
	long mib;

	(void)s;
	if (fb_mib_parse(text, &mib, err, len))
		return -1;
	fb_sizes_default(field, mib);
	return 0;
}

/* "4k", "thp", "4k,thp" or "thp,4k": each mode at most once. */
static int parse_modes(const struct fb_setting *s, const char *text, void *field, char *err, size_t len)
{
	struct fb_modes *modes = field;
	char copy[64], *save = NULL, each[64] = "", all[64] = "";
	enum fb_page_mode mode;

	memset(modes, 0, sizeof(*modes));
	snprintf(copy, sizeof(copy), "%s", text);
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (fb_page_mode_parse(tok, &mode) || fb_modes_has(modes, mode))
			goto refuse;
		modes->mode[modes->count++] = mode;
	}
	if (modes->count)
		return 0;
refuse:
	/* "4k, thp or 4k,thp": each alone, or all */
	for (int m = 0; m < FB_PAGE_MODES; m++) {
		const char *name = fb_page_mode_name((enum fb_page_mode)m);
		snprintf(each + strlen(each), sizeof(each) - strlen(each), "%s%s", m ? ", " : "", name);
		snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s%s", m ? "," : "", name);
	}
	return snprintf(err, len, "--%s takes %s or %s, not '%s'", s->option, each, all, text), -1;
}

static int parse_family_max(const struct fb_setting *s, const char *text, void *field, char *err, size_t len)
{
	(void)s;
	return fb_family_caps_parse(text, field, err, len);
}

static int parse_enum(const struct fb_setting *s, const char *text, void *field, char *err, size_t len)
{
	char names[128];

	for (int i = 1; s->names[i]; i++)
		if (strcmp(text, s->names[i]) == 0)
			return *(int *)field = i, 0;
	list_names(s->names + 1, names, sizeof(names));
	return snprintf(err, len, "--%s takes %s, not '%s'", s->option, names, text), -1;
}

static void format_text(const struct fb_setting *s, const void *field, char *buf, size_t len)
{
	(void)s;
	snprintf(buf, len, "%s", (const char *)field);
}

static void format_number(const struct fb_setting *s, const void *field, char *buf, size_t len)
{
	if (s->kind == FB_SETTING_INT)
		snprintf(buf, len, "%d", *(const int *)field);
	else
		snprintf(buf, len, "%g", *(const double *)field);
}

static void format_sizes(const struct fb_setting *s, const void *field, char *buf, size_t len)
{
	(void)s;
	fb_sizes_format(field, buf, len);
}

static void format_modes(const struct fb_setting *s, const void *field, char *buf, size_t len)
{
	const struct fb_modes *modes = field;
	size_t used = 0;

	(void)s;
	buf[0] = '\0';
	for (size_t i = 0; i < modes->count && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "," : "", fb_page_mode_name(modes->mode[i]));
}

static void format_family_max(const struct fb_setting *s, const void *field, char *buf, size_t len)
{
	(void)s;
	fb_family_caps_format(field, buf, len);
}

static void format_enum(const struct fb_setting *s, const void *field, char *buf, size_t len)
{
	snprintf(buf, len, "%s", s->names[*(const int *)field]);
}

/* Each kind's parser and formatter. */
static const struct kind {
	int (*parse)(const struct fb_setting *s, const char *text, void *field, char *err, size_t len);
	void (*format)(const struct fb_setting *s, const void *field, char *buf, size_t len);
} kinds[] = {
	[FB_SETTING_TEXT] = { parse_text, format_text },
	[FB_SETTING_REGEX] = { parse_text, format_text },
	[FB_SETTING_INT] = { parse_number, format_number },
	[FB_SETTING_NUMBER] = { parse_number, format_number },
	[FB_SETTING_SIZES] = { parse_sizes, format_sizes },
	[FB_SETTING_MAX_MEM] = { parse_max_mem, format_sizes },
	[FB_SETTING_MODES] = { parse_modes, format_modes },
	[FB_SETTING_FAMILY_MAX] = { parse_family_max, format_family_max },
	[FB_SETTING_ENUM] = { parse_enum, format_enum },
};

static unsigned bit_of(const struct fb_setting *s)
{
	return 1u << (s - fb_settings);
}

const struct fb_setting *fb_setting_named(const char *option)
{
	for (size_t i = 0; i < fb_nsettings; i++)
		if (strcmp(fb_settings[i].option, option) == 0)
			return &fb_settings[i];
	return NULL;
}

int fb_setting_set(struct fb_run_config *c, const struct fb_setting *s, const char *text, char *err, size_t len)
{
	if (kinds[s->kind].parse(s, text, (char *)c + s->offset, err, len))
		return -1;
	/* an empty text is no setting (no filter, no family limits recorded) */
	c->recorded = text[0] ? c->recorded | bit_of(s) : c->recorded & ~bit_of(s);
	return 0;
}

void fb_setting_set_number(struct fb_run_config *c, const struct fb_setting *s, double value)
{
	void *field = (char *)c + s->offset;

	if (s->kind == FB_SETTING_INT)
		*(int *)field = (int)value;
	else if (s->kind == FB_SETTING_NUMBER)
		*(double *)field = value;
	else if (s->kind == FB_SETTING_MAX_MEM)
		fb_sizes_default(field, (long)value);
	c->recorded |= bit_of(s);
}

int fb_run_config_set(struct fb_run_config *c, const char *option, const char *text, char *err, size_t len)
{
	const struct fb_setting *s = fb_setting_named(option);

	if (!s)
		abort();   /* a programming error: no such row */
	return fb_setting_set(c, s, text, err, len);
}

int fb_setting_recorded(const struct fb_run_config *c, const struct fb_setting *s)
{
	return s->required || (c->recorded & bit_of(s));
}

void fb_setting_format(const struct fb_run_config *c, const struct fb_setting *s, char *buf, size_t len)
{
	kinds[s->kind].format(s, (const char *)c + s->offset, buf, len);
}

void fb_setting_help(const struct fb_setting *s, char *buf, size_t len)
{
	char sweep[160];
	struct fb_sizes all;

	fb_sizes_default(&all, -1);
	fb_sizes_format(&all, sweep, sizeof(sweep));
	if (s->kind == FB_SETTING_MAX_MEM)
		snprintf(buf, len, s->help, sweep);
	else
		snprintf(buf, len, "%s", s->help ? s->help : "");
}

void fb_run_config_complete(struct fb_run_config *c)
{
	if (c->sizes.count == 0)
		fb_sizes_default(&c->sizes, -1);
}

int fb_modes_has(const struct fb_modes *modes, enum fb_page_mode mode)
{
	for (size_t i = 0; i < modes->count; i++)
		if (modes->mode[i] == mode)
			return 1;
	return 0;
}

const char *fb_setting_bench_value(const struct fb_setting *s, const char *arg)
{
	size_t n = s->bench ? strlen(s->bench) : 0;

	return n && strncmp(arg, s->bench, n) == 0 && arg[n] == '=' ? arg + n + 1 : NULL;
}

int fb_setting_bench_arg(struct fb_run_config *c, const char *arg, char *err, size_t len)
{
	for (size_t i = 0; i < fb_nsettings; i++) {
		const char *value = fb_setting_bench_value(&fb_settings[i], arg);
		if (value)
			return fb_setting_set(c, &fb_settings[i], value, err, len) ? -1 : 1;
	}
	return 0;
}

int fb_argv_push(struct fb_argv *a, const char *fmt, ...)
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
	char value[sizeof(c->filter)];
	int err = 0;

	memset(a, 0, sizeof(*a));
	err |= fb_argv_push(a, "%s", bench_bin);
	err |= fb_argv_push(a, "--benchmark_out=%s", out_json);
	err |= fb_argv_push(a, "--benchmark_out_format=json");
	for (size_t i = 0; i < fb_nsettings; i++) {
		const struct fb_setting *s = &fb_settings[i];
		if (!s->bench || !s->key || !fb_setting_recorded(c, s))
			continue;
		fb_setting_format(c, s, value, sizeof(value));
		err |= fb_argv_push(a, "%s=%s", s->bench, value);
	}
	if (c->repetitions > 1)   /* spreads drift over all benchmarks alike */
		err |= fb_argv_push(a, "--benchmark_enable_random_interleaving=true");
	for (size_t i = 0; extra && extra[i]; i++)
		err |= fb_argv_push(a, "%s", extra[i]);
	return err ? -1 : 0;
}
