/* options.c - table-driven option parsing (see options.h). */
#include "options.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int find_option(const struct fb_option *table, size_t count, const char *name, size_t len)
{
	for (size_t i = 0; i < count; i++)
		if (strlen(table[i].name) == len && strncmp(table[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

static int set_value(struct fb_opt_values *v, size_t i, const char *text, char *err, size_t len)
{
	const struct fb_option *opt = &v->table[i];
	char *end;

	v->text[i] = text;
	if (opt->type == FB_OPT_STRING || opt->type == FB_OPT_FLAG)
		return 0;
	errno = 0;
	double x = strtod(text, &end);
	if (errno || end == text || *end || !isfinite(x) ||
	    (opt->type == FB_OPT_INT && x != floor(x)) || x < opt->min || x > opt->max) {
		snprintf(err, len, "--%s takes %s from %g to %g, not '%s'", opt->name,
			 opt->type == FB_OPT_INT ? "a whole number" : "a number", opt->min, opt->max, text);
		return -1;
	}
	v->number[i] = x;
	return 0;
}

static int set_defaults(struct fb_opt_values *v, char *err, size_t len)
{
	for (size_t i = 0; i < v->count; i++)
		if (v->table[i].fallback && set_value(v, i, v->table[i].fallback, err, len))
			return -1;
	return 0;
}

int fb_options_parse(const struct fb_option *table, size_t count, int argc, char **argv,
		     struct fb_opt_values *v, char *err, size_t err_len)
{
	memset(v, 0, sizeof(*v));
	v->table = table;
	v->count = count;
	if (count > FB_MAX_OPTIONS || set_defaults(v, err, err_len))
		return -1;
	for (int a = 0, options = 1; a < argc; a++) {
		const char *arg = argv[a];
		if (options && strcmp(arg, "--") == 0) {
			options = 0;   /* getopt's end of options: the rest are arguments */
			continue;
		}
		if (!options || strncmp(arg, "--", 2) != 0) {
			if (v->npositional == sizeof(v->positional) / sizeof(v->positional[0]))
				return snprintf(err, err_len, "too many arguments at '%s'", arg), -1;
			v->positional[v->npositional++] = argv[a];
			continue;
		}
		const char *eq = strchr(arg, '=');
		size_t name_len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
		int i = find_option(table, count, arg + 2, name_len);
		if (i < 0)
			return snprintf(err, err_len, "unknown option '%s' (try --help)", arg), -1;
		const char *value = eq ? eq + 1 : NULL;
		if (table[i].type == FB_OPT_FLAG)
			value = value ? value : "1";
		else if (!value && ++a < argc)
			value = argv[a];
		if (!value)
			return snprintf(err, err_len, "--%s needs a value", table[i].name), -1;
		v->given[i] = 1;
		if (set_value(v, (size_t)i, value, err, err_len))
			return -1;
	}
	return 0;
}

static int index_of(const struct fb_opt_values *v, const char *name)
{
	int i = find_option(v->table, v->count, name, strlen(name));
	if (i < 0)
		abort(); /* a programming error: the name is not in the table */
	return i;
}

const char *fb_opt_text(const struct fb_opt_values *v, const char *name)
{
	return v->text[index_of(v, name)];
}

double fb_opt_number(const struct fb_opt_values *v, const char *name)
{
	return v->number[index_of(v, name)];
}

int fb_opt_given(const struct fb_opt_values *v, const char *name)
{
	return v->given[index_of(v, name)];
}

void fb_options_help(const struct fb_option *table, size_t count, FILE *out)
{
	for (size_t i = 0; i < count; i++) {
		if (strcmp(table[i].name, "help") == 0) {   /* every command's, answered by main.c */
			fprintf(out, "  -h, --help       %s\n  -V, --version    forkbench's version\n", table[i].help);
			continue;
		}
		fprintf(out, "  --%-14s %s", table[i].name, table[i].help);
		if (table[i].fallback)
			fprintf(out, " (default: %s)", table[i].fallback);
		fputc('\n', out);
	}
}
