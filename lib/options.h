/* options.h - command-line options as data: each row {name, type, min, max,
 * default, help} is parsed and range-checked in one place. */
#ifndef FB_OPTIONS_H
#define FB_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

enum fb_opt_type { FB_OPT_STRING, FB_OPT_INT, FB_OPT_DOUBLE, FB_OPT_FLAG };

struct fb_option {
	const char *name;        /* "max-mem": given as --max-mem VALUE or --max-mem=VALUE */
	enum fb_opt_type type;
	double min, max;         /* for numbers */
	const char *fallback;    /* default as text, NULL for none */
	const char *help;
};

#define FB_MAX_OPTIONS 24

struct fb_opt_values {
	const struct fb_option *table;
	size_t count;
	const char *text[FB_MAX_OPTIONS];   /* given or default text, NULL if neither */
	double number[FB_MAX_OPTIONS];
	int given[FB_MAX_OPTIONS];
	char *positional[32];               /* non-option arguments (all after a "--"), in order */
	size_t npositional;
};

/* Parse argv[0..argc) against the table (NULL and 0: a command without
 * options): "--name VALUE", "--name=VALUE", "--flag"; a lone "--" ends the
 * options, what follows are arguments even when they start with '-'. 0, or
 * -1 with err saying which argument is wrong and why. */
int fb_options_parse(const struct fb_option *table, size_t count, int argc, char **argv,
		     struct fb_opt_values *out, char *err, size_t err_len);
/* The row named name (which must exist). */
const char *fb_opt_text(const struct fb_opt_values *v, const char *name);
double fb_opt_number(const struct fb_opt_values *v, const char *name);
int fb_opt_given(const struct fb_opt_values *v, const char *name);
/* Print "  --name  help (default: x)" lines. */
void fb_options_help(const struct fb_option *table, size_t count, FILE *out);

#endif
