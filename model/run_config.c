/* run_config.c - a run's settings as options, JSON, context and command,
 * each made from the settings table (see run_config.h). */
#include "run_config.h"

#include <stdio.h>
#include <string.h>

/* Profiles fix repetitions, the minimum measured time per repetition and
 * the largest memory size of the default sweep; explicit options override
 * them. Odd repetition counts: Google Benchmark 1.7.1's median aggregate is
 * wrong for even ones. --profile's help is made from these rows. */
static const struct fb_profile profiles[] = {
	/* 5 repetitions: the fewest with which a U test can reach p < 0.05
	 * (3 against 3 never goes below 0.1). Up to 256 MiB. */
	{ "quick", 5, 0.01, 30, 256, "cow:64,storm:64", "short", "few" },
	/* cow up to 64 MiB: one COW iteration at 1 GiB (fork, 262144 faults,
	 * exit) took 1 s on one 2-core VM and 6.5 s on another (a PVM guest,
	 * 25 us per fault), where the cow family alone made `make bench` take
	 * 16 minutes; fork, vfork and exec still reach 1 GiB, and the claims
	 * that rest on the COW figures at 1 GiB read "not measured in this
	 * run", with the command that measures them. storm up to
	 * 64 MiB too: its fork beside faulting siblings took 27-62 ms at 1 GiB
	 * here, 6-7 s of the run for that one point with its worker. */
	{ "default", FB_REPETITIONS_RECOMMENDED, 0.03, 200, -1, "cow:64,storm:64", "short", "all" },
	/* everything over the whole sweep: the COW figures at 1 GiB measured,
	 * the parent's shape to 65536 mappings and 100000 fds, forkers to 2x
	 * the cores */
	{ "full", FB_REPETITIONS_RECOMMENDED, 0.03, 200, -1, "none", "long", "all" },
};
#define N_PROFILES (sizeof(profiles) / sizeof(profiles[0]))

/* "a, b or c": the separator before item i of n. */
static const char *list_sep(size_t i, size_t n)
{
	return i == 0 ? "" : i + 1 == n ? " or " : ", ";
}

/* "cow and storm to 64" (limits alike) or "cow to 64, storm to 32". */
static void limits_words(const struct fb_family_caps *caps, char *buf, size_t len)
{
	size_t used = 0, alike = 1;

	for (size_t i = 1; i < caps->count; i++)
		alike &= caps->max_mib[i] == caps->max_mib[0];
	buf[0] = '\0';
	for (size_t i = 0; i < caps->count && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, alike ? "%s%s" : "%s%s to %ld",
					 i == 0 ? "" : alike && i + 1 == caps->count ? " and " : ", ", caps->family[i],
					 caps->max_mib[i]);
	if (alike && caps->count && used < len)
		snprintf(buf + used, len - used, " to %ld", caps->max_mib[0]);
}

/* One profile in --profile's help: "quick (5 repetitions, up to 256 MiB,
 * cow and storm to 64, short axis sweep)"; after the first, the counts and
 * the sweep without their nouns. */
static void profile_words(const struct fb_profile *p, int first, char *buf, size_t len)
{
	struct fb_family_caps caps;
	struct fb_sizes sweep;
	char limits[128], err[160];

	fb_sizes_default(&sweep, p->max_mem_mib);
	long largest = (long)sweep.mib[sweep.count - 1];
	if (fb_family_caps_parse(p->family_max, &caps, err, sizeof(err)) || caps.count == 0)
		snprintf(limits, sizeof(limits), "everything to %ld MiB", largest);
	else {
		int n = snprintf(limits, sizeof(limits), "up to %ld MiB, ", largest);
		limits_words(&caps, limits + n, sizeof(limits) - (size_t)n);
	}
	snprintf(buf, len, "%s (%d%s, %s, %s%s)", p->name, p->repetitions, first ? " repetitions" : "", limits,
		 p->sweep, first ? " axis sweep" : "");
}

static void profiles_help(char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < N_PROFILES && used < len; i++) {
		used += (size_t)snprintf(buf + used, len - used, "%s", list_sep(i, N_PROFILES));
		if (used < len)
			profile_words(&profiles[i], i == 0, buf + used, len - used);
		used += strlen(buf + used);
	}
}

static enum fb_opt_type option_type(enum fb_setting_kind kind)
{
	return kind == FB_SETTING_INT || kind == FB_SETTING_MAX_MEM ? FB_OPT_INT
	       : kind == FB_SETTING_NUMBER ? FB_OPT_DOUBLE : FB_OPT_STRING;
}

size_t fb_run_config_options(struct fb_option *rows, size_t max)
{
	static char helps[FB_MAX_OPTIONS][512];
	size_t n = 0;

	for (size_t i = 0; i < fb_nsettings && n < max && n < FB_MAX_OPTIONS; i++, n++) {
		const struct fb_setting *s = &fb_settings[i];
		if (s->help)
			fb_setting_help(s, helps[n], sizeof(helps[n]));
		else
			profiles_help(helps[n], sizeof(helps[n]));
		rows[n] = (struct fb_option){ s->option, option_type(s->kind), s->min, s->max, s->fallback, helps[n] };
	}
	return n;
}

static const struct fb_profile *find_profile(const char *name, char *err, size_t len)
{
	size_t used = 0;

	for (size_t i = 0; i < N_PROFILES; i++)
		if (strcmp(profiles[i].name, name) == 0)
			return &profiles[i];
	used = (size_t)snprintf(err, len, "unknown profile '%s' (", name);
	for (size_t i = 0; i < N_PROFILES && used < len; i++)
		used += (size_t)snprintf(err + used, len - used, "%s%s", list_sep(i, N_PROFILES), profiles[i].name);
	if (used < len)
		snprintf(err + used, len - used, ")");
	return NULL;
}

/* Each setting given, or with a default of its option, into c. */
static int settings_given(const struct fb_opt_values *v, struct fb_run_config *c, char *err, size_t len)
{
	for (size_t i = 0; i < fb_nsettings; i++) {
		const struct fb_setting *s = &fb_settings[i];
		const char *text = fb_opt_text(v, s->option);
		if (!text)
			continue;
		if (option_type(s->kind) != FB_OPT_STRING)
			fb_setting_set_number(c, s, fb_opt_number(v, s->option));
		else if (fb_setting_set(c, s, text, err, len))
			return -1;
	}
	return 0;
}

int fb_run_config_from_options(const struct fb_opt_values *v, struct fb_run_config *c,
			       const struct fb_profile **profile, char *err, size_t len)
{
	const struct fb_profile *p = find_profile(fb_opt_text(v, "profile"), err, len);
	int sizes_given = fb_opt_given(v, "sizes") || fb_opt_given(v, "max-mem");

	memset(c, 0, sizeof(*c));
	if (!(*profile = p) || settings_given(v, c, err, len))
		return -1;
	if (fb_opt_given(v, "sizes") && fb_opt_given(v, "max-mem"))
		return snprintf(err, len, "give --sizes or --max-mem, not both"), -1;
	if (!fb_opt_given(v, "repetitions"))
		c->repetitions = p->repetitions;
	if (!fb_opt_given(v, "min-time"))
		c->min_time_s = p->min_time_s;
	if (!sizes_given && p->max_mem_mib >= 0)
		fb_setting_set_number(c, fb_setting_named("max-mem"), (double)p->max_mem_mib);
	fb_run_config_complete(c);
	/* the profile's limits shape its own sweep; sizes asked for explicitly run as asked */
	if (!fb_opt_given(v, "family-max") && fb_run_config_set(c, "family-max", sizes_given ? "none" : p->family_max,
								 err, len))
		return -1;
	if (!fb_opt_given(v, "sweep") && fb_run_config_set(c, "sweep", p->sweep, err, len))
		return -1;
	if (!fb_opt_given(v, "trace") && fb_run_config_set(c, "trace", p->trace, err, len))
		return -1;
	return fb_sizes_check_memory(&c->sizes, err, len);
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
	char value[256];
	size_t used = (size_t)snprintf(buf, len, "--benchmark_context=forkbench_version=%s,git_revision=%s", version,
				       revision ? revision : "unknown");

	for (size_t i = 0; i < fb_nsettings && used < len; i++) {
		const struct fb_setting *s = &fb_settings[i];
		if (!s->context)
			continue;
		if (fb_setting_recorded(c, s))
			fb_setting_format(c, s, value, sizeof(value));
		else
			snprintf(value, sizeof(value), "unknown");
		commas_to_spaces(value);
		used += (size_t)snprintf(buf + used, len - used, ",%s=%s", s->key, value);
	}
}

static json_t *setting_json(const struct fb_run_config *c, const struct fb_setting *s)
{
	char text[sizeof(c->filter)];

	const void *field = (const char *)c + s->offset;

	if (!fb_setting_recorded(c, s))
		return json_null();
	if (s->kind == FB_SETTING_INT)
		return json_integer(*(const int *)field);
	if (s->kind == FB_SETTING_NUMBER)
		return json_real(*(const double *)field);
	if (s->kind == FB_SETTING_SIZES) {
		const struct fb_sizes *sizes = field;
		json_t *list = json_array();
		for (size_t i = 0; i < sizes->count; i++)
			json_array_append_new(list, json_integer((json_int_t)sizes->mib[i]));
		return list;
	}
	fb_setting_format(c, s, text, sizeof(text));
	return json_string(text);
}

json_t *fb_run_config_json(const struct fb_run_config *c)
{
	json_t *config = json_object();

	for (size_t i = 0; i < fb_nsettings; i++)
		if (fb_settings[i].key)
			json_object_set_new(config, fb_settings[i].key, setting_json(c, &fb_settings[i]));
	return config;
}

/* The sizes as a list of MiB counts (new manifests). 0, or -1 with err. */
static int sizes_from_list(const json_t *list, struct fb_sizes *sizes, char *err, size_t len)
{
	const json_t *mib;
	size_t i;

	memset(sizes, 0, sizeof(*sizes));
	json_array_foreach(list, i, mib) {
		json_int_t n = json_integer_value(mib);
		if (!json_is_integer(mib) || n < 0 || n > (1L << 30))
			return snprintf(err, len, "item %zu is not a size in MiB (a whole number >= 0)", i), -1;
		if (fb_sizes_add(sizes, (long)n, err, len))
			return -1;
	}
	return sizes->count ? 0 : (snprintf(err, len, "no size in the list"), -1);
}

/* One setting from its manifest field: 0, or -1 with err. */
static int setting_from_json(const json_t *value, const struct fb_setting *s, struct fb_run_config *c, char *err,
			     size_t len)
{
	char why[256];

	if (s->kind == FB_SETTING_INT) {
		if (!json_is_integer(value) || json_integer_value(value) < s->min || json_integer_value(value) > s->max)
			return snprintf(err, len, "config.%s is not an integer from %g to %g", s->key, s->min, s->max), -1;
		return fb_setting_set_number(c, s, (double)json_integer_value(value)), 0;
	}
	if (s->kind == FB_SETTING_NUMBER) {
		if (!json_is_number(value) || !(json_number_value(value) > 0))
			return snprintf(err, len, "config.%s is not a positive number", s->key), -1;
		return fb_setting_set_number(c, s, json_number_value(value)), 0;
	}
	if (s->kind == FB_SETTING_SIZES && json_is_array(value)) {
		if (sizes_from_list(value, &c->sizes, why, sizeof(why)))
			return snprintf(err, len, "config.%s: %s", s->key, why), -1;
		return 0;
	}
	const char *text = json_string_value(value);
	int is_text = s->kind == FB_SETTING_TEXT || s->kind == FB_SETTING_REGEX;
	if (!text || (is_text && strlen(text) >= s->size))
		return snprintf(err, len, "config.%s is not a text of a usable length", s->key), -1;
	if (fb_setting_set(c, s, text, why, sizeof(why)))
		return snprintf(err, len, "config.%s: %s", s->key, why), -1;
	return 0;
}

int fb_run_config_from_json(const json_t *config, struct fb_run_config *c, char *err, size_t len)
{
	memset(c, 0, sizeof(*c));
	if (!json_is_object(config))
		return snprintf(err, len, "no run configuration (config) in it"), -1;
	for (size_t i = 0; i < fb_nsettings; i++) {
		const struct fb_setting *s = &fb_settings[i];
		const json_t *value = s->key ? json_object_get(config, s->key) : NULL;
		if (!s->key || (!value && !s->required) || (json_is_null(value) && !s->required))
			continue;
		if (!value)
			return snprintf(err, len, "config.%s is missing", s->key), -1;
		if (setting_from_json(value, s, c, err, len))
			return -1;
	}
	return 0;
}

/* Every run's settings first, then what newer or narrower runs add. */
int fb_run_config_run_argv(const struct fb_run_config *c, struct fb_argv *a)
{
	char value[sizeof(c->filter)];
	int err = 0;

	memset(a, 0, sizeof(*a));
	err |= fb_argv_push(a, "run");
	for (int required = 1; required >= 0; required--)
		for (size_t i = 0; i < fb_nsettings; i++) {
			const struct fb_setting *s = &fb_settings[i];
			if (!s->key || s->required != required || (!fb_setting_recorded(c, s) && !s->absent))
				continue;
			if (fb_setting_recorded(c, s))
				fb_setting_format(c, s, value, sizeof(value));
			else
				snprintf(value, sizeof(value), "%s", s->absent);
			err |= fb_argv_push(a, "--%s", s->option) | fb_argv_push(a, "%s", value);
		}
	return err ? -1 : 0;
}

void fb_run_config_command(const struct fb_run_config *c, char *buf, size_t len)
{
	struct fb_argv a;
	size_t used = (size_t)snprintf(buf, len, "build/forkbench");

	fb_run_config_run_argv(c, &a);
	for (int i = 0; i < a.argc && used < len; i++) {
		/* a regex (the filter) is quoted for the shell */
		const struct fb_setting *s = i > 0 && a.argv[i - 1][0] == '-' ? fb_setting_named(a.argv[i - 1] + 2) : NULL;
		int quote = s && s->kind == FB_SETTING_REGEX;
		used += (size_t)snprintf(buf + used, len - used, quote ? " '%s'" : " %s", a.argv[i]);
	}
}
