/* output.c - the checks' results as TAP version 13 (plan from the number of
 * selected table rows, never a hand count) and as JUnit XML. Formatting
 * only: the runner decides the verdicts. */
#include "validate.h"

#include <stdarg.h>

#include "util.h"

static void tap_printf(struct fb_vrun *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void tap_printf(struct fb_vrun *run, const char *fmt, ...)
{
	for (size_t i = 0; i < sizeof(run->tap) / sizeof(run->tap[0]); i++) {
		va_list ap;
		if (!run->tap[i])
			continue;
		va_start(ap, fmt);
		vfprintf(run->tap[i], fmt, ap);
		va_end(ap);
		fflush(run->tap[i]);   /* a terminal sees each check as it finishes */
	}
}

void fb_tap_begin(struct fb_vrun *run)
{
	tap_printf(run, "TAP version 13\n1..%zu\n", run->count);
}

void fb_tap_result(struct fb_vrun *run, size_t index)
{
	const struct fb_vresult *r = &run->results[index];

	if (r->verdict == FB_CHECK_PASS)
		tap_printf(run, "ok %zu - %s\n", index + 1, r->check->name);
	else if (r->verdict == FB_CHECK_SKIP)
		tap_printf(run, "ok %zu - %s # SKIP %s\n", index + 1, r->check->name, r->msg.text);
	else
		tap_printf(run, "not ok %zu - %s\n# %s\n", index + 1, r->check->name, r->msg.text);
}

static void count(const struct fb_vrun *run, size_t *passed, size_t *failed, size_t *skipped)
{
	*passed = *failed = *skipped = 0;
	for (size_t i = 0; i < run->count; i++) {
		int v = run->results[i].verdict;
		*passed += v == FB_CHECK_PASS;
		*failed += v == FB_CHECK_FAIL;
		*skipped += v == FB_CHECK_SKIP;
	}
}

void fb_tap_totals(struct fb_vrun *run)
{
	size_t passed, failed, skipped;

	count(run, &passed, &failed, &skipped);
	tap_printf(run, "# %zu passed, %zu failed, %zu skipped\n", passed, failed, skipped);
}

/* One testcase per check: a failure carries what was seen, a skip why. */
void fb_junit_write(const struct fb_vrun *run, FILE *out)
{
	size_t passed, failed, skipped;
	double total_s = 0;

	count(run, &passed, &failed, &skipped);
	for (size_t i = 0; i < run->count; i++)
		total_s += run->results[i].seconds;
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
		"<testsuite name=\"forkbench validate\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		"skipped=\"%zu\" time=\"%.3f\">\n", run->count, failed, skipped, total_s);
	for (size_t i = 0; i < run->count; i++) {
		const struct fb_vresult *r = &run->results[i];
		fputs("  <testcase classname=\"forkbench.validate\" name=\"", out);
		fb_xml_escape(r->check->name, out);
		fprintf(out, "\" time=\"%.3f\">", r->seconds);
		if (r->verdict != FB_CHECK_PASS) {
			fputs(r->verdict == FB_CHECK_SKIP ? "<skipped message=\"" : "<failure message=\"", out);
			fb_xml_escape(r->msg.text, out);
			fputs("\"/>", out);
		}
		fputs("</testcase>\n", out);
	}
	fputs("</testsuite>\n</testsuites>\n", out);
}
