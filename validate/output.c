/* output.c - the checks' results as TAP version 13 (plan from the number of
 * selected table rows, never a hand count) and as JUnit XML. Formatting
 * only: the runner decides the verdicts. */
#include "validate.h"

#include <stdarg.h>

#include "text.h"

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

/* text as a one-line single-quoted YAML scalar: ' doubled, line breaks
 * and other control characters as spaces. */
static void yaml_quote(const char *text, char *out, size_t len)
{
	size_t o = 0;

	out[o++] = '\'';
	for (; *text && o + 3 < len; text++) {
		if (*text == '\'')
			out[o++] = '\'';
		out[o++] = (unsigned char)*text < ' ' ? ' ' : *text;
	}
	out[o++] = '\'';
	out[o] = '\0';
}

/* A failed check: TAP 13's YAML block right after the test line (what prove
 * -v and CI TAP readers show): got is the value the check saw, expected the
 * one it required (fb_vmsg; no data block where it failed before measuring
 * anything). Then the message as a comment line, which the report reads. */
static void tap_failure(struct fb_vrun *run, size_t index, const struct fb_vresult *r)
{
	char message[2 * FB_VMSG_LEN + 4], got[2 * FB_VVALUE_LEN + 4], expected[2 * FB_VVALUE_LEN + 4];
	char data[sizeof(got) + sizeof(expected) + 64] = "";

	yaml_quote(r->msg.text, message, sizeof(message));
	yaml_quote(r->msg.got, got, sizeof(got));
	yaml_quote(r->msg.expected, expected, sizeof(expected));
	if (r->msg.got[0] || r->msg.expected[0])
		snprintf(data, sizeof(data), "  data:\n%s%s%s%s%s%s", r->msg.got[0] ? "    got: " : "",
			 r->msg.got[0] ? got : "", r->msg.got[0] ? "\n" : "", r->msg.expected[0] ? "    expected: " : "",
			 r->msg.expected[0] ? expected : "", r->msg.expected[0] ? "\n" : "");
	tap_printf(run, "not ok %zu - %s\n  ---\n  message: %s\n  severity: fail\n%s  duration_ms: %.1f\n  ...\n# %s\n",
		   index + 1, r->check->name, message, data, r->seconds * 1e3, r->msg.text);
}

void fb_tap_result(struct fb_vrun *run, size_t index)
{
	const struct fb_vresult *r = &run->results[index];

	if (r->verdict == FB_CHECK_PASS)
		tap_printf(run, "ok %zu - %s\n", index + 1, r->check->name);
	else if (r->verdict == FB_CHECK_SKIP)
		tap_printf(run, "ok %zu - %s # SKIP %s\n", index + 1, r->check->name, r->msg.text);
	else
		tap_failure(run, index, r);
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

/* A failure's values, where the check gave them: "(got: X; expected: Y)". */
static void junit_values(const struct fb_vmsg *m, FILE *out)
{
	if (!m->got[0] && !m->expected[0])
		return;
	fputs(" (", out);
	if (m->got[0]) {
		fputs("got: ", out);
		fb_xml_escape(m->got, out);
	}
	fputs(m->got[0] && m->expected[0] ? "; " : "", out);
	if (m->expected[0]) {
		fputs("expected: ", out);
		fb_xml_escape(m->expected, out);
	}
	fputc(')', out);
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
		if (r->verdict == FB_CHECK_SKIP) {
			fputs("<skipped message=\"", out);
			fb_xml_escape(r->msg.text, out);
			fputs("\"/>", out);
		} else if (r->verdict == FB_CHECK_FAIL) {
			/* the body too: CI pages (GitLab) show it, not the attribute */
			fputs("<failure message=\"", out);
			fb_xml_escape(r->msg.text, out);
			fputs("\">", out);
			fb_xml_escape(r->check->name, out);
			fputs(" did not hold: ", out);
			fb_xml_escape(r->msg.text, out);
			junit_values(&r->msg, out);
			fputs("</failure>", out);
		}
		fputs("</testcase>\n", out);
	}
	fputs("</testsuite>\n</testsuites>\n", out);
}
