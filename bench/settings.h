/* settings.h - the run settings, one table row each: its `forkbench run`
 * option, help and default, its type, forkbench-bench's flag, its key in
 * the manifest's "config" and its place in the command that makes the run
 * again. forkbench-bench parses its flags with these rows, and the driver
 * writes them (harness/run_config.c); adding a setting is one row. */
#ifndef FB_SETTINGS_H
#define FB_SETTINGS_H

#include <stddef.h>

#include "region.h"
#include "sizes.h"

/* Repetitions per benchmark that Google Benchmark's compare.py recommends
 * at least (fewer cannot make small changes significant): the default and
 * full profiles', and ab's rounds. */
#define FB_REPETITIONS_RECOMMENDED 9
#define FB_TEXT_OF(x) FB_TEXT_OF_(x)
#define FB_TEXT_OF_(x) #x

/* The cases' own axes (family.h): values up to the short sweep's end, or all. */
enum fb_sweep { FB_SWEEP_UNRECORDED, FB_SWEEP_SHORT, FB_SWEEP_LONG };
/* The phases pass (bench/phase_trace.c): every point it traces, the quick
 * profile's few, or none. */
enum fb_trace { FB_TRACE_UNRECORDED, FB_TRACE_ALL, FB_TRACE_FEW, FB_TRACE_OFF };
/* Where parent and child run (harness/run.c's resolve_placement). */
enum fb_placement { FB_PLACEMENT_UNRECORDED, FB_PLACEMENT_ONE_CPU, FB_PLACEMENT_FREE };

/* Page modes, each at most once, in the order given. */
struct fb_modes {
	enum fb_page_mode mode[FB_PAGE_MODES];
	size_t count;
};

/* Is mode among modes? */
int fb_modes_has(const struct fb_modes *modes, enum fb_page_mode mode);

/* What defines a run, typed. An optional setting a run did not record
 * (an older run, a run not pinned...) has its bit clear in recorded. */
struct fb_run_config {
	char profile[16];        /* "quick", "default", "full" (or "ab") */
	char filter[1024];       /* regex over benchmark names; "" for all */
	struct fb_sizes sizes;   /* MiB */
	struct fb_modes modes;
	int repetitions;
	double min_time_s;       /* per repetition */
	char cpus[32];           /* the CPUs used, e.g. "1"; "" when not pinned */
	enum fb_placement placement;
	struct fb_family_caps family_max;   /* per-family size limits */
	enum fb_sweep sweep;
	enum fb_trace trace;
	unsigned recorded;       /* 1 << row index: an optional setting the run has */
};

enum fb_setting_kind {
	FB_SETTING_TEXT,         /* a text field, "" for none */
	FB_SETTING_REGEX,        /* a text field, quoted in the shell command */
	FB_SETTING_INT,          /* from min to max */
	FB_SETTING_NUMBER,       /* from min to max (a manifest's: above 0) */
	FB_SETTING_SIZES,        /* "0,1,16": struct fb_sizes */
	FB_SETTING_MAX_MEM,      /* one MiB count: the default sweep up to it */
	FB_SETTING_MODES,        /* "4k,thp": struct fb_modes */
	FB_SETTING_FAMILY_MAX,   /* "cow:64" or "none": struct fb_family_caps */
	FB_SETTING_ENUM,         /* one of names[1..], stored as its index */
};

struct fb_setting {
	const char *option;      /* forkbench run --OPTION (and the row's name) */
	const char *help;        /* NULL: the driver describes it (the profiles) */
	const char *fallback;    /* --OPTION's default as text, NULL for none */
	enum fb_setting_kind kind;
	double min, max;         /* INT, NUMBER, MAX_MEM */
	const char *const *names;   /* ENUM: names[1..], NULL-terminated */
	size_t offset, size;     /* its field in struct fb_run_config */
	const char *bench;       /* forkbench-bench's flag "--FLAG=VALUE"; NULL: not passed */
	const char *key;         /* in the manifest's config; NULL: an input for another
				  * row's field, never written (max-mem: the sizes) */
	int required;            /* every run has it: written, passed and repeated
				  * always, and first in the command */
	int context;             /* named in bench.json's context too */
	const char *absent;      /* what the command repeating a run says for an
				  * optional setting it did not record; NULL: nothing */
};

extern const struct fb_setting fb_settings[];
extern const size_t fb_nsettings;

/* The row named option, or NULL. */
const struct fb_setting *fb_setting_named(const char *option);
/* Parse text into s's field of c; a non-empty text records it. 0, or -1
 * with err ("--modes takes 4k, thp or 4k,thp, not 'x'"). */
int fb_setting_set(struct fb_run_config *c, const struct fb_setting *s, const char *text, char *err, size_t len);
/* The same for a number (INT, NUMBER, MAX_MEM), already range-checked. */
void fb_setting_set_number(struct fb_run_config *c, const struct fb_setting *s, double value);
/* fb_setting_set by option name, which must name a row. */
int fb_run_config_set(struct fb_run_config *c, const char *option, const char *text, char *err, size_t len);
/* Does c hold s (a required setting, or one recorded)? */
int fb_setting_recorded(const struct fb_run_config *c, const struct fb_setting *s);
/* s's value in c as its option takes it ("0,1,16", "4k,thp", "0.03"). */
void fb_setting_format(const struct fb_run_config *c, const struct fb_setting *s, char *buf, size_t len);
/* s's help, with the facts it names filled in (max-mem: the default sweep). */
void fb_setting_help(const struct fb_setting *s, char *buf, size_t len);
/* What a setting still unset means (the sizes: the default sweep). */
void fb_run_config_complete(struct fb_run_config *c);

/* One "--FLAG=VALUE" of forkbench-bench's argv: 1 when a row takes it (c
 * then holds it), 0 when none does, -1 with err when its value is wrong. */
int fb_setting_bench_arg(struct fb_run_config *c, const char *arg, char *err, size_t len);
/* The value of s's flag when arg is it, else NULL. */
const char *fb_setting_bench_value(const struct fb_setting *s, const char *arg);

/* An argument vector and the text it points into. */
struct fb_argv {
	const char *argv[32];
	int argc;
	char text[1536];
	size_t used;
};
/* Append one formatted argument to a. 0, or -1 when it does not fit. */
int fb_argv_push(struct fb_argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* forkbench-bench's argv for c, writing JSON to out_json; extra (a
 * NULL-terminated list, or NULL) is appended. 0, or -1 when it does not fit. */
int fb_run_config_bench_argv(const struct fb_run_config *c, const char *bench_bin, const char *out_json,
			     const char *const *extra, struct fb_argv *a);

#endif
