/* claims.c - the lecture's claims as a table, each judged from a run's data
 * by one small function under one tolerance rule (see claims.h). Output
 * (claims.json, the report section, the command) lives in claims_out.c. */
#define _GNU_SOURCE
#include "claims.h"
#include "util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* The tolerance rules, all in this one place: how the lecture's wording is
 * read as a test on a measured figure x. */
enum rule_id {
	/* "~X": within an order of magnitude either way, X/10 .. X*10. The slide
	 * gives orders of magnitude and machines differ by small factors; the
	 * two figures it contrasts (~500 ms, ~50 us) stay four orders apart, so
	 * this band still tells them apart. */
	RULE_ABOUT,
	/* "A-B x": the ratio of medians lies in [A, B], as worded; a ratio beyond
	 * B is faster than claimed but is not what the slide says. */
	RULE_RANGE,
	/* "cheaper": x is the pessimistic ratio (upper end of the cheaper one's
	 * median CI over the lower end of the other's); below 1 means the medians
	 * differ beyond their noise, not just a ratio below 1 by chance. */
	RULE_CHEAPER,
	/* "maximum N": the setting equals N exactly; it is a number, not a time. */
	RULE_EQUAL,
	/* "practical thanks to COW": copying costs at least A times the COW path,
	 * an order of magnitude as for "~". */
	RULE_AT_LEAST,
	/* a fact of the kernel seen on every iteration: the share of iterations
	 * (or of tasks) that showed it is 1 */
	RULE_OBSERVED,
};

struct claim_ctx {
	const json_t *manifest;
	const struct fb_results *res;
};

struct claim_def;
typedef void judge_fn(const struct claim_def *def, const struct claim_ctx *ctx, struct fb_claim_row *row);

struct claim_def {
	const char *id;
	const char *claim;           /* the lecture's words */
	enum rule_id rule;
	double claimed, claimed_hi;  /* the lecture's figure(s), in unit */
	const char *unit;
	judge_fn *judge;
	/* parameters of the judge */
	struct fb_bench_key bench;   /* the case judged (judge_sized: at each mode and size;
				      * judge_user: the user-level context) */
	const char *counter;         /* NULL: the benchmark's time */
	double unit_per_raw;         /* raw figure (ns or KiB) to unit */
	const char *const *modes;    /* page modes judged, NULL-terminated */
	const char *what;            /* how the figure reads in "measured" */
	const char *also;            /* judge_sized: also give the time under this label */
	struct fb_bench_key against; /* judge_user: the kernel-level figure (default:
				      * pthread create+join), read with counter */
	const char *against_what;    /* judge_user: how that figure reads */
};

static int rule_holds(const struct claim_def *def, double x)
{
	switch (def->rule) {
	case RULE_ABOUT:
		return x >= def->claimed / 10 && x <= def->claimed * 10;
	case RULE_RANGE:
		return x >= def->claimed && x <= def->claimed_hi;
	case RULE_CHEAPER:
		return x < 1;
	case RULE_EQUAL:
		return x == def->claimed;
	case RULE_AT_LEAST:
		return x >= def->claimed;
	case RULE_OBSERVED:
		return x == 1;
	}
	return 0;
}

static void rule_describe(const struct claim_def *def, char *buf, size_t len)
{
	const double a = def->claimed, b = def->claimed_hi;

	switch (def->rule) {
	case RULE_ABOUT:
		snprintf(buf, len, "'~%g %s' holds within %g .. %g %s (an order of magnitude either way)",
			 a, def->unit, a / 10, a * 10, def->unit);
		break;
	case RULE_RANGE:
		snprintf(buf, len, "'%g-%gx' holds when the ratio of medians lies in [%g, %g]", a, b, a, b);
		break;
	case RULE_CHEAPER:
		snprintf(buf, len, "'cheaper' holds when the ratio of medians is below 1 and the medians' "
			 "confidence intervals do not overlap");
		break;
	case RULE_EQUAL:
		snprintf(buf, len, "'maximum %g' holds when pid_max is %g", a, a);
		break;
	case RULE_AT_LEAST:
		snprintf(buf, len, "holds when copying 1 GiB costs at least %gx the COW fork+exec of a "
			 "1 GiB parent (an order of magnitude)", a);
		break;
	case RULE_OBSERVED:
		snprintf(buf, len, "holds when what it says was observed every time it was looked at (share 1)");
		break;
	}
}

/* Append "; " (when buf holds text) and the formatted text, truncating. */
static void join(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void join(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used && used + 2 < len)
		used += (size_t)snprintf(buf + used, len - used, "; ");
	va_start(ap, fmt);
	if (used < len)
		vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}


/* ---- figures out of the run ------------------------------------------ */

struct figure {
	double value;          /* at the target size; NAN when not measured */
	char bench[256];       /* the benchmark the figure came from (or was sought) */
	char how[192];         /* "1024 MiB", or how it was scaled to it */
	char missing[320];     /* what is absent or skipped, when value is NAN */
	double thp_coverage;   /* of the benchmark used: the share really PMD-mapped */
};

static double figure_of(const struct fb_result *r, const char *counter)
{
	if (!r || r->error || !r->nreps)
		return NAN;
	return counter ? fb_result_counter_median(r, counter) : fb_result_median_ns(r);
}

static void describe_missing(const struct fb_result *r, const char *name, const char *counter,
			     char *buf, size_t len)
{
	if (!r)
		snprintf(buf, len, "%s is absent from bench.json", name);
	else if (r->error)
		snprintf(buf, len, "%s did not run (%s)", name, r->error);
	else
		snprintf(buf, len, "%s has no %s figure", name, counter ? counter : "time");
}

/* The largest size above 0 MiB at which family/case in mode has a figure. */
static const struct fb_result *largest_measured(const struct fb_results *res, const struct fb_bench_key *kase,
						const char *mode, const char *counter)
{
	const struct fb_result *best = NULL;

	for (size_t i = 0; i < res->count; i++) {
		const struct fb_result *r = &res->items[i];
		if (strcmp(r->key.family, kase->family) || strcmp(r->key.kase, kase->kase) || strcmp(r->key.mode, mode) ||
		    r->key.mem_mib <= 0 ||
		    isnan(figure_of(r, counter)))
			continue;
		if (!best || r->key.mem_mib > best->key.mem_mib)
			best = r;
	}
	return best;
}

/* The median figure of family/case in mode at target_mib. When that size
 * was not measured, the largest measured size L stands in, scaled linearly:
 * along the line through 0 and L MiB when 0 MiB was measured too (so the
 * fixed cost is not scaled), else in proportion to the size. */
static void figure_at(const struct fb_results *res, const struct fb_bench_key *kase, const char *mode,
		      const char *counter, long target_mib, struct figure *f)
{
	struct fb_bench_key at = *kase;
	const struct fb_result *exact, *largest;

	memset(f, 0, sizeof(*f));
	at.mem_mib = target_mib;
	snprintf(at.mode, sizeof(at.mode), "%s", mode);
	fb_key_format(&at, f->bench, sizeof(f->bench));
	snprintf(f->how, sizeof(f->how), "%ld MiB", target_mib);
	exact = fb_results_get(res, &at);
	f->value = figure_of(exact, counter);
	f->thp_coverage = fb_result_counter_median(exact, "thp_coverage");
	if (!isnan(f->value))
		return;
	describe_missing(exact, f->bench, counter, f->missing, sizeof(f->missing));
	largest = target_mib > 0 ? largest_measured(res, kase, mode, counter) : NULL;
	if (!largest)
		return;
	double at_l = figure_of(largest, counter), scale = (double)target_mib / (double)largest->key.mem_mib;
	at.mem_mib = 0;
	double at_0 = figure_of(fb_results_get(res, &at), counter);
	f->value = isnan(at_0) ? at_l * scale : at_0 + (at_l - at_0) * scale;
	snprintf(f->how, sizeof(f->how), "%ld MiB not measured: %s linearly from %s%ld MiB", target_mib,
		 isnan(at_0) ? "scaled" : "extrapolated", isnan(at_0) ? "" : "0 and ", largest->key.mem_mib);
	snprintf(f->bench, sizeof(f->bench), "%s", largest->name);
	f->thp_coverage = fb_result_counter_median(largest, "thp_coverage");
}

/* "4k pages", "thp pages (97% PMD-mapped)": the mode asked for, and how
 * much of it the kernel really gave where the benchmark recorded it. */
static const char *pages_text(const struct figure *f, const char *mode, char *buf, size_t len)
{
	if (strcmp(mode, "thp") == 0 && !isnan(f->thp_coverage))
		snprintf(buf, len, "thp pages (%.0f%% PMD-mapped)", f->thp_coverage * 100);
	else
		snprintf(buf, len, "%s pages", mode);
	return buf;
}

/* Summary of a benchmark's times; 0, or -1 with what is missing. */
static int summary_of(const struct fb_results *res, const struct fb_bench_key *key, struct fb_summary *s,
		      char *missing, size_t len)
{
	const struct fb_result *r = fb_results_get(res, key);
	char name[FB_KEY_NAME_MAX];

	if (r && !r->error && r->nreps && fb_summarize(r->times_ns, r->nreps, s) == 0)
		return 0;
	describe_missing(r, fb_key_format(key, name, sizeof(name)), NULL, missing, len);
	return -1;
}

/* ---- verdicts -------------------------------------------------------- */

struct outcome {
	const char *label;     /* the condition: "4k", "thp", ... */
	int holds;             /* 1, 0, or -1 when not measured */
	char missing[320];
};

/* One verdict from the outcomes under each condition: "holds" when it holds
 * wherever measured, "holds only under X" when only under some. */
static void conclude(struct fb_claim_row *row, const struct outcome *o, size_t n)
{
	char only[128] = "", missing[FB_CLAIM_TEXT] = "";
	size_t measured = 0, held = 0;

	for (size_t i = 0; i < n; i++) {
		if (o[i].holds < 0) {
			join(missing, sizeof(missing), "%s", o[i].missing);
			continue;
		}
		measured++;
		if (o[i].holds && ++held)
			snprintf(only + strlen(only), sizeof(only) - strlen(only), "%s%s", held > 1 ? " and " : "",
				 o[i].label);
	}
	if (!measured)
		snprintf(row->verdict, sizeof(row->verdict), "not measured in this run: %s", missing);
	else if (held == measured)
		snprintf(row->verdict, sizeof(row->verdict), "holds");
	else if (!held)
		snprintf(row->verdict, sizeof(row->verdict), "does not hold");
	else
		snprintf(row->verdict, sizeof(row->verdict), "holds only under %s", only);
	if (measured && missing[0])
		join(row->conditions, sizeof(row->conditions), "not measured: %s", missing);
}

/* A figure as it reads best: times as ns/us/ms, page-table KiB also in
 * 4 KiB pages (the slide counts both). */
static const char *fmt_figure(const struct claim_def *def, double raw, char *buf, size_t len)
{
	double v = raw * def->unit_per_raw;

	if (strcmp(def->unit, "KiB") == 0)
		snprintf(buf, len, "%.0f KiB (%.0f pages of 4 KiB)", v, v / 4);
	else if (strcmp(def->unit, "ms") == 0 || strcmp(def->unit, "us") == 0)
		fb_fmt_ns(raw, buf, len);
	else
		snprintf(buf, len, v < 100 ? "%.1f %s" : "%.0f %s", v, def->unit);
	return buf;
}

/* A figure at 1 GiB (or scaled to it) under each page mode of def. */
static void judge_sized(const struct claim_def *def, const struct claim_ctx *ctx, struct fb_claim_row *row)
{
	struct outcome o[4];
	size_t n = 0;
	char v_text[64], t_text[48], pages[64];

	for (const char *const *m = def->modes; *m && n < 4; m++, n++) {
		struct figure f, t;
		figure_at(ctx->res, &def->bench, *m, def->counter, 1024, &f);
		o[n] = (struct outcome){ .label = *m, .holds = -1 };
		snprintf(o[n].missing, sizeof(o[n].missing), "%s", f.missing);
		join(row->benchmark, sizeof(row->benchmark), "%s%s%s", f.bench, def->counter ? " " : "",
		     def->counter ? def->counter : "");
		join(row->conditions, sizeof(row->conditions), "%s, %s", f.how, pages_text(&f, *m, pages, sizeof(pages)));
		if (isnan(f.value))
			continue;
		double v = f.value * def->unit_per_raw;
		row->value = isnan(row->value) ? v : row->value;
		o[n].holds = rule_holds(def, v);
		join(row->measured, sizeof(row->measured), "%s: %s %s", *m, def->what,
		     fmt_figure(def, f.value, v_text, sizeof(v_text)));
		if (!def->also)
			continue;
		figure_at(ctx->res, &def->bench, *m, NULL, 1024, &t);
		snprintf(row->measured + strlen(row->measured), sizeof(row->measured) - strlen(row->measured),
			 " (%s %s)", def->also, fb_fmt_ns(t.value, t_text, sizeof(t_text)));
	}
	conclude(row, o, n);
}

/* The kernel-level figures the thread claims are judged against. */
static const struct fb_bench_key pthread_key = FB_KEY0("threads", "pthread_create_join");
static const struct fb_bench_key process_key = FB_KEY0("threads", "fork_exit_wait");

/* Thread vs process creation: pessimistic ratio of the medians. */
static void judge_threads(const struct claim_def *def, const struct claim_ctx *ctx, struct fb_claim_row *row)
{
	struct fb_summary th, pr;
	struct outcome o = { .label = "0 MiB", .holds = -1 };
	char t[6][32], a[FB_KEY_NAME_MAX], b[FB_KEY_NAME_MAX];

	snprintf(row->benchmark, sizeof(row->benchmark), "%s vs %s", fb_key_format(&pthread_key, a, sizeof(a)),
		 fb_key_format(&process_key, b, sizeof(b)));
	snprintf(row->conditions, sizeof(row->conditions), "worker of 0 MiB, 4k pages");
	if (summary_of(ctx->res, &pthread_key, &th, o.missing, sizeof(o.missing)) == 0 &&
	    summary_of(ctx->res, &process_key, &pr, o.missing, sizeof(o.missing)) == 0) {
		row->value = th.median / pr.median;
		o.holds = rule_holds(def, th.ci_high / pr.ci_low);
		snprintf(row->measured, sizeof(row->measured),
			 "pthread create+join %s vs fork+exit+wait %s: ratio %.3f; CI of the medians %s .. %s vs "
			 "%s .. %s%s", fb_fmt_ns(th.median, t[0], 32), fb_fmt_ns(pr.median, t[1], 32), row->value,
			 fb_fmt_ns(th.ci_low, t[2], 32), fb_fmt_ns(th.ci_high, t[3], 32), fb_fmt_ns(pr.ci_low, t[4], 32),
			 fb_fmt_ns(pr.ci_high, t[5], 32), row->value < 1 && !o.holds ? " (they overlap: within the noise)" : "");
	}
	conclude(row, &o, 1);
}

/* figure_of by key; NAN with missing filled when it did not run. */
static double key_figure(const struct claim_ctx *ctx, const struct fb_bench_key *key, const char *counter,
			 char *missing, size_t len)
{
	struct fb_summary s;

	if (summary_of(ctx->res, key, &s, missing, len))
		return NAN;
	return figure_of(fb_results_get(ctx->res, key), counter);
}

/* A user-level context (def->bench) vs the kernel's way (def->against, by
 * default a kernel thread's creation): how many times faster, as the ratio
 * of medians (of def->counter when set: switch for switch). */
static void judge_user(const struct claim_def *def, const struct claim_ctx *ctx, struct fb_claim_row *row)
{
	const struct fb_bench_key *kernel_key = def->against.family[0] ? &def->against : &pthread_key;
	const char *kernel_what = def->against_what ? def->against_what : "pthread create+join";
	struct outcome o = { .label = def->bench.kase, .holds = -1 };
	char user_name[FB_KEY_NAME_MAX], kernel_name[FB_KEY_NAME_MAX], a[32], b[32];

	snprintf(row->benchmark, sizeof(row->benchmark), "%s vs %s%s%s", fb_key_format(&def->bench, user_name, sizeof(user_name)),
		 fb_key_format(kernel_key, kernel_name, sizeof(kernel_name)), def->counter ? ", counter " : "",
		 def->counter ? def->counter : "");
	snprintf(row->conditions, sizeof(row->conditions), "worker of 0 MiB, 4k pages");
	double user = key_figure(ctx, &def->bench, def->counter, o.missing, sizeof(o.missing));
	double kernel = isnan(user) ? NAN : key_figure(ctx, kernel_key, def->counter, o.missing, sizeof(o.missing));
	if (!isnan(user) && !isnan(kernel)) {
		row->value = kernel / user;
		o.holds = rule_holds(def, row->value);
		snprintf(row->measured, sizeof(row->measured), "%s %s vs %s %s: %.1fx faster", def->what,
			 fb_fmt_ns(user, a, sizeof(a)), kernel_what, fb_fmt_ns(kernel, b, sizeof(b)), row->value);
	}
	conclude(row, &o, 1);
}

/* do_exit -> zombie -> reaped: the late-reaping case saw /proc state Z
 * before waitpid on every iteration (zombie_seen 1), and waitpid freed it. */
static void judge_zombie(const struct claim_def *def, const struct claim_ctx *ctx, struct fb_claim_row *row)
{
	const struct fb_result *r = fb_results_get(ctx->res, &def->bench);
	struct outcome o = { .label = "0 MiB", .holds = -1 };
	char name[FB_KEY_NAME_MAX], a[32], b[32];

	snprintf(row->benchmark, sizeof(row->benchmark), "%s, counters zombie_seen, exit_ns, reap_ns",
		 fb_key_format(&def->bench, name, sizeof(name)));
	snprintf(row->conditions, sizeof(row->conditions), "worker of 0 MiB, 4k pages; the parent waits with "
		 "waitid(WNOWAIT) before it reaps");
	double lo, hi, seen = key_figure(ctx, &def->bench, "zombie_seen", o.missing, sizeof(o.missing));
	if (!isnan(seen) && fb_result_counter_range(r, "zombie_seen", &lo, &hi) == 0) {
		row->value = lo;   /* every repetition: the smallest share */
		o.holds = rule_holds(def, row->value);
		snprintf(row->measured, sizeof(row->measured), "the exited child was a zombie (state Z) on a share "
			 "%.2f .. %.2f of the iterations; exit to zombie %s, then waitpid reaped it in %s",
			 lo, hi, fb_fmt_ns(fb_result_counter_median(r, "exit_ns"), a, sizeof(a)),
			 fb_fmt_ns(fb_result_counter_median(r, "reap_ns"), b, sizeof(b)));
	}
	conclude(row, &o, 1);
}

/* The 1:1 model, costs measured: a pthread is a kernel task with glibc's
 * stack and TLS set-up around it, so creating one costs about what a raw
 * kernel task costs (clone with CLONE_THREAD, joined by a futex); under
 * M:1 it would cost what a user-level context does (bare_create), 10-100x
 * less. value = pthread create+join / raw task create+join. */
static void judge_one_to_one(const struct claim_def *def, const struct claim_ctx *ctx, struct fb_claim_row *row)
{
	static const struct fb_bench_key user_key = FB_KEY0("threads", "bare_create");
	struct outcome o = { .label = "0 MiB", .holds = -1 };
	char name[FB_KEY_NAME_MAX], task_name[FB_KEY_NAME_MAX], unused[320], a[32], b[32], c[32];

	snprintf(row->benchmark, sizeof(row->benchmark), "%s vs %s (and threads/bare_create)",
		 fb_key_format(&pthread_key, name, sizeof(name)), fb_key_format(&def->against, task_name, sizeof(task_name)));
	snprintf(row->conditions, sizeof(row->conditions), "glibc's pthreads; worker of 0 MiB, 4k pages");
	double pthread = key_figure(ctx, &pthread_key, NULL, o.missing, sizeof(o.missing));
	double task = isnan(pthread) ? NAN : key_figure(ctx, &def->against, NULL, o.missing, sizeof(o.missing));
	double user = key_figure(ctx, &user_key, NULL, unused, sizeof(unused));
	if (!isnan(pthread) && !isnan(task)) {
		row->value = pthread / task;
		o.holds = rule_holds(def, row->value);
		snprintf(row->measured, sizeof(row->measured), "pthread create+join %s vs a raw CLONE_THREAD task %s: "
			 "%.2fx; a user-level context (M:1's way) %s", fb_fmt_ns(pthread, a, sizeof(a)),
			 fb_fmt_ns(task, b, sizeof(b)), row->value, fb_fmt_ns(user, c, sizeof(c)));
	}
	conclude(row, &o, 1);
}

/* A setting as a number: a JSON number (runs since the conditions were
 * recorded) or a numeric text ("32768", older runs). 0, or -1 for anything
 * else (absent, "abc", "32768x"). */
static int setting_number(const json_t *v, double *out)
{
	const char *text = json_string_value(v);
	char *end;

	if (json_is_number(v))
		return *out = json_number_value(v), 0;
	if (!text)
		return -1;
	*out = strtod(text, &end);
	return end == text || end[strspn(end, " \t\n")] != '\0' ? -1 : 0;
}

/* pid_max against the lecture's 32768. The kernel's own default is
 * max(32768, 1024 per possible CPU), and pid_max can be raised up to
 * PID_MAX_LIMIT: 4194304 on 64-bit, 32768 on 32-bit. systemd (since 243)
 * raises it to 4194304 at boot on 64-bit machines. Online cores stand in
 * for possible CPUs. */
static void judge_pid(const struct claim_def *def, const struct claim_ctx *ctx, struct fb_claim_row *row)
{
	const json_t *env = json_object_get(ctx->manifest, "environment");
	json_t *pid_max = json_object_get(json_object_get(env, "kernel_settings"), "pid_max");
	double value;
	const char *machine = json_string_value(json_object_get(json_object_get(env, "versions"), "machine"));
	long long cores = json_integer_value(json_object_get(json_object_get(env, "cpu"), "cores_online"));
	long long limit = machine && strstr(machine, "64") ? 4194304 : 32768;
	long long kernel_default = cores * 1024 > 32768 ? (cores * 1024 < limit ? cores * 1024 : limit) : 32768;
	struct outcome o = { .label = "pid_max", .holds = -1 };

	snprintf(row->benchmark, sizeof(row->benchmark), "manifest.json: environment.kernel_settings.pid_max");
	snprintf(row->conditions, sizeof(row->conditions), "%lld cores online, %s", cores, machine ? machine : "machine unknown");
	snprintf(o.missing, sizeof(o.missing), "manifest.json has no %senvironment.kernel_settings.pid_max",
		 pid_max ? "numeric " : "");
	if (setting_number(pid_max, &value) == 0 && isfinite(value)) {
		row->value = value;
		/* both halves: the maximum is 32768, and it can be raised to ~4 million */
		o.holds = rule_holds(def, row->value) && limit >= 4e5 && limit <= 4e7;
		snprintf(row->measured, sizeof(row->measured), "pid_max = %.0f; the kernel's own default here: %lld "
			 "(max(32768, 1024 x %lld CPUs)); it can be raised up to PID_MAX_LIMIT = %lld",
			 row->value, kernel_default, cores, limit);
	}
	conclude(row, &o, 1);
	if (o.holds == 0 && kernel_default == (long long)def->claimed && limit >= 4e5)
		snprintf(row->verdict, sizeof(row->verdict), "holds only under the kernel's own default: pid_max "
			 "was raised to %.0f here (systemd raises it to 4194304 on 64-bit machines)", row->value);
}

static const char *fmt_growth(double from, double to, char *buf, size_t len)
{
	snprintf(buf, len, isnan(from) || isnan(to) ? "-" : "x%.1f", to / from);
	return buf;
}

/* The cases judge_shells reads, at 0 and 1024 MiB in each mode. */
enum shells_case { FORK_EXEC, POSIX_SPAWN, NAIVE_COPY, FORK, N_SHELLS_CASES };
static const struct fb_bench_key shells_keys[N_SHELLS_CASES] = {
	[FORK_EXEC] = FB_KEY0("spawn", "fork_exec_static"),
	[POSIX_SPAWN] = FB_KEY0("spawn", "posix_spawn_static"),
	[NAIVE_COPY] = FB_KEY("cow", "naive_copy", 1024, "4k"),
	[FORK] = FB_KEY0("spawn", "fork"),
};

/* COW and shells: fork+exec of a growing parent against the copy fork
 * would need without COW, with posix_spawn (no page tables copied at all)
 * for contrast. */
static void judge_shells(const struct claim_def *def, const struct claim_ctx *ctx, struct fb_claim_row *row)
{
	struct outcome o[4];
	size_t n = 0;
	char t[8][32], pages[64];

	snprintf(row->benchmark, sizeof(row->benchmark), "spawn/fork_exec_static and spawn/posix_spawn_static "
		 "(0 and 1024 MiB), cow/naive_copy and spawn/fork (1024 MiB)");
	for (const char *const *m = def->modes; *m && n < 4; m++, n++) {
		struct figure fe0, fe1, ps0, ps1, cp, fk;
		figure_at(ctx->res, &shells_keys[FORK_EXEC], *m, NULL, 0, &fe0);
		figure_at(ctx->res, &shells_keys[FORK_EXEC], *m, NULL, 1024, &fe1);
		figure_at(ctx->res, &shells_keys[POSIX_SPAWN], *m, NULL, 0, &ps0);
		figure_at(ctx->res, &shells_keys[POSIX_SPAWN], *m, NULL, 1024, &ps1);
		figure_at(ctx->res, &shells_keys[NAIVE_COPY], *m, NULL, 1024, &cp);
		figure_at(ctx->res, &shells_keys[FORK], *m, NULL, 1024, &fk);
		o[n] = (struct outcome){ .label = *m, .holds = -1 };
		snprintf(o[n].missing, sizeof(o[n].missing), "%s", isnan(fe1.value) ? fe1.missing : cp.missing);
		join(row->conditions, sizeof(row->conditions), "fork+exec at %s, copy at %s, %s", fe1.how,
		     cp.how, pages_text(&fe1, *m, pages, sizeof(pages)));
		if (isnan(fe1.value) || isnan(cp.value))
			continue;
		double ratio = cp.value / fe1.value;
		row->value = isnan(row->value) ? ratio : row->value;
		o[n].holds = rule_holds(def, ratio);
		join(row->measured, sizeof(row->measured), "%s: fork+exec %s at 0 MiB, %s at 1 GiB (%s); posix_spawn "
		     "%s, %s (%s); copying 1 GiB %s = %.0fx the fork+exec, %.0fx the fork (%s)", *m,
		     fb_fmt_ns(fe0.value, t[0], 32), fb_fmt_ns(fe1.value, t[1], 32), fmt_growth(fe0.value, fe1.value, t[2], 32),
		     fb_fmt_ns(ps0.value, t[3], 32), fb_fmt_ns(ps1.value, t[4], 32), fmt_growth(ps0.value, ps1.value, t[5], 32),
		     fb_fmt_ns(cp.value, t[6], 32), ratio, cp.value / fk.value, fb_fmt_ns(fk.value, t[7], 32));
	}
	conclude(row, o, n);
}

/* ---- the claims ------------------------------------------------------- */

static const char *const only_4k[] = { "4k", NULL };
static const char *const both_modes[] = { "4k", "thp", NULL };

/* One row per claim of lecture 5, in its words, with the benchmark that
 * judges it. */
static const struct claim_def claim_table[] = {
	/* without COW fork would copy every page: a memcpy into fresh memory
	 * (first-touch faults, zeroing and copying) */
	{ .id = "fork_without_cow_1g", .claim = "1 GB process fork without COW: ~500 ms", .rule = RULE_ABOUT,
	  .claimed = 500, .unit = "ms", .judge = judge_sized, .bench = FB_KEY("cow", "naive_copy", 1024, "4k"),
	  .unit_per_raw = 1e-6, .modes = only_4k, .what = "copying 1 GiB into fresh memory took" },
	/* with COW fork copies page tables: 512 times fewer entries with 2 MiB THP */
	{ .id = "fork_with_cow_1g", .claim = "1 GB process fork with COW: ~50 us", .rule = RULE_ABOUT,
	  .claimed = 50, .unit = "us", .judge = judge_sized, .bench = FB_KEY0("spawn", "fork"),
	  .counter = "parent_ns", .unit_per_raw = 1e-3, .modes = both_modes,
	  .what = "fork() returned in the parent after", .also = "round trip" },
	/* the page tables the child is given, VmPTE right after fork */
	{ .id = "fork_page_tables_1g",
	  .claim = "1 GB process fork with COW: memory copied 16 KB, pages allocated 4 (page table)",
	  .rule = RULE_ABOUT, .claimed = 16, .unit = "KiB", .judge = judge_sized,
	  .bench = FB_KEY("cow", "child_read_only", 1024, "4k"),
	  .counter = "vmpte_child_kib", .unit_per_raw = 1, .modes = both_modes,
	  .what = "the child's page tables (VmPTE) took" },
	/* a thread shares the mm: no page tables, no address space to tear down */
	{ .id = "threads_cheaper", .claim = "Creating threads is cheaper than creating processes",
	  .rule = RULE_CHEAPER, .claimed = 1, .unit = "ratio", .judge = judge_threads },
	/* swapcontext still makes a sigprocmask system call per switch */
	{ .id = "user_threads_ucontext",
	  .claim = "User-level threads: 10-100x faster than kernel-level threads (ucontext)", .rule = RULE_RANGE,
	  .claimed = 10, .claimed_hi = 100, .unit = "x", .judge = judge_user,
	  .bench = FB_KEY0("threads", "ucontext_create"), .what = "makecontext + swapcontext + return" },
	/* the hand-written switch makes no system call at all */
	{ .id = "user_threads_bare",
	  .claim = "User-level threads: 10-100x faster than kernel-level threads (hand-written switch)",
	  .rule = RULE_RANGE, .claimed = 10, .claimed_hi = 100, .unit = "x", .judge = judge_user,
	  .bench = FB_KEY0("threads", "bare_create"), .what = "hand-written context create + switch + return" },
	/* switch for switch: a futex hand-over between two threads on one CPU
	 * is two kernel context switches; the hand-written switch none */
	{ .id = "user_threads_switch",
	  .claim = "User-level threads: 10-100x faster than kernel-level threads (switch for switch)",
	  .rule = RULE_RANGE, .claimed = 10, .claimed_hi = 100, .unit = "x", .judge = judge_user,
	  .bench = FB_KEY0("threads", "bare_switch"), .counter = "ns_per_switch",
	  .against = FB_KEY0("switch", "futex_pingpong_threads/cpus:1"),
	  .against_what = "a futex switch between two threads on one CPU",
	  .what = "one hand-written switch" },
	/* the threads model of the slide: Linux is 1:1 */
	{ .id = "threads_model_1to1", .claim = "Threading models: Linux uses 1:1, one user thread <-> one kernel thread",
	  .rule = RULE_RANGE, .claimed = 0.33, .claimed_hi = 3, .unit = "x", .judge = judge_one_to_one,
	  .against = FB_KEY0("threads", "clone_thread") },
	/* exit_notify makes the zombie; wait's release_task frees it */
	{ .id = "zombie_reaped", .claim = "A zombie = process has finished execution but not yet reaped; "
	  "waitpid() reaps it", .rule = RULE_OBSERVED, .claimed = 1, .unit = "share", .judge = judge_zombie,
	  .bench = FB_KEY0("spawn", "fork_reap_late") },
	/* a setting, not a measurement: read back into manifest.json */
	{ .id = "pid_max", .claim = "PID: maximum size is 32768, can be increased to 4 millions", .rule = RULE_EQUAL,
	  .claimed = 32768, .unit = "PIDs", .judge = judge_pid },
	/* fork+exec pays for the parent's page tables, posix_spawn does not */
	{ .id = "cow_makes_shells_practical",
	  .claim = "Shells fork+exec for every command would be unbearably slow without COW", .rule = RULE_AT_LEAST,
	  .claimed = 10, .unit = "x", .judge = judge_shells, .modes = both_modes },
};
#define N_CLAIMS (sizeof(claim_table) / sizeof(claim_table[0]))
_Static_assert(N_CLAIMS <= FB_MAX_CLAIMS, "struct fb_claims holds FB_MAX_CLAIMS rows: raise it");

size_t fb_claims_keys(const struct fb_bench_key **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < N_CLAIMS && n < max; i++)
		if (claim_table[i].bench.family[0])
			out[n++] = &claim_table[i].bench;
	for (size_t i = 0; i < N_SHELLS_CASES && n < max; i++)
		out[n++] = &shells_keys[i];
	for (size_t i = 0; i < N_CLAIMS && n < max; i++)
		if (claim_table[i].against.family[0])
			out[n++] = &claim_table[i].against;
	if (n < max)
		out[n++] = &pthread_key;
	if (n < max)
		out[n++] = &process_key;
	return n;
}

void fb_claims_evaluate(const json_t *manifest, const struct fb_results *res, struct fb_claims *out)
{
	const struct claim_ctx ctx = { manifest, res };
	const json_t *versions = json_object_get(json_object_get(manifest, "environment"), "versions");
	const char *kernel = json_string_value(json_object_get(versions, "kernel"));

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < N_CLAIMS; i++) {
		const struct claim_def *def = &claim_table[i];
		struct fb_claim_row *row = &out->rows[out->count++];
		row->id = def->id;
		row->claim = def->claim;
		row->unit = def->unit;
		row->value = NAN;
		rule_describe(def, row->rule, sizeof(row->rule));
		def->judge(def, &ctx, row);
		if (!row->measured[0])
			snprintf(row->measured, sizeof(row->measured), "-");
		join(row->conditions, sizeof(row->conditions), "kernel %s", kernel ? kernel : "unknown");
	}
}
