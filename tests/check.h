/* check.h - a tiny TAP producer for forkbench's C tests. Each test program
 * prints "ok N - name", "not ok N - name" (with a "# " line saying what was
 * seen) or "ok N - name # SKIP reason", then the plan "1..N" at the end;
 * tests/run.sh adds the counts up. Checks assert behaviour and data, never
 * speed. */
#ifndef FB_CHECK_H
#define FB_CHECK_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int check_count;
static int check_failed;
static int check_skipped;

static inline void check_vreport(int ok, const char *name, const char *fmt, va_list ap)
{
	check_count++;
	printf("%sok %d - %s\n", ok ? "" : "not ", check_count, name);
	if (!ok) {
		check_failed++;
		printf("# ");
		vprintf(fmt, ap);
		printf("\n");
	}
	fflush(stdout);
}

/* CHECK(cond, name, fmt, ...): one test point; fmt says what was seen when
 * cond is false. Returns cond so callers can stop early. */
static inline int check_impl(int ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline int check_impl(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	check_vreport(ok, name, fmt, ap);
	va_end(ap);
	return ok;
}
#define CHECK(cond, name, ...) check_impl(!!(cond), (name), __VA_ARGS__)

/* SKIP(name, reason): a test point that could not run here, and why. */
static inline void check_skip(const char *name, const char *reason)
{
	check_count++;
	check_skipped++;
	printf("ok %d - %s # SKIP %s\n", check_count, name, reason);
	fflush(stdout);
}
#define SKIP(name, reason) check_skip((name), (reason))

/* BROKEN(name, fmt, ...): the setup a group of points needs failed (LTP's
 * TBROK): one failing point that says what, never a silent gap. Use it in
 * the else branch of every `if (setup ok) { CHECK... }`. */
#define BROKEN(name, ...) check_impl(0, (name), __VA_ARGS__)

/* A closing point: at least min points of this program ran (were not
 * skipped), so a program whose cases all skip is a failure, not a pass. */
static inline void check_min_ran(int min)
{
	int ran = check_count - check_skipped;
	char name[96];
	snprintf(name, sizeof(name), "at least %d test points ran, not skipped", min);
	check_impl(ran >= min, name, "%d ran, %d skipped", ran, check_skipped);
}

/* Print the plan; the exit status says whether every point passed. */
static inline int check_done(void)
{
	printf("1..%d\n", check_count);
	return check_failed ? 1 : 0;
}

#endif
