/* test_utf8.c - text that reaches results.json, JUnit and HTML stays
 * UTF-8: valid sequences (gcc's quotes, accents, emoji) are kept, each byte
 * of an invalid one becomes U+FFFD, JSON escapes control characters and
 * XML replaces the ones it cannot hold. */
#define _GNU_SOURCE
#include <jansson.h>
#include <string.h>

#include "check.h"
#include "text.h"

#define FFFD "\xef\xbf\xbd"

static void check_valid(const char *in, const char *expect, const char *what)
{
	char *out = fb_utf8_valid(in);
	CHECK(out && strcmp(out, expect) == 0, what, "got '%s'", out ? out : "(null)");
	free(out);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	check_valid("\xe2\x80\x98main\xe2\x80\x99 caf\xc3\xa9 \xf0\x9f\x90\xa7", "\xe2\x80\x98main\xe2\x80\x99 caf\xc3\xa9 \xf0\x9f\x90\xa7",
		    "gcc's quotes, an accent and an emoji are kept");
	check_valid("a\xff\xfe" "b", "a" FFFD FFFD "b", "stray bytes 0xff 0xfe: one U+FFFD each");
	check_valid("\xc0\xaf", FFFD FFFD, "an overlong '/' is refused");
	check_valid("\xed\xa0\x80", FFFD FFFD FFFD, "a UTF-16 surrogate is refused");
	check_valid("x\xe2\x80", "x" FFFD FFFD, "a sequence cut short at the end");
	check_valid("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD, "beyond U+10FFFF is refused");

	char *valid = fb_utf8_valid("tab\tbell\x07 \xe2\x80\x98q\xe2\x80\x99 \xff");
	json_t *s = json_string(valid);
	char *dumped = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
	CHECK(dumped && strstr(dumped, "\\u0007") && strstr(dumped, "\xe2\x80\x98q\xe2\x80\x99") && strstr(dumped, FFFD),
	      "JSON: control characters escaped, UTF-8 kept, invalid bytes as U+FFFD", "%s", dumped ? dumped : "(null)");
	free(dumped);
	json_decref(s);
	free(valid);

	char *xml = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&xml, &len);
	fb_xml_escape("<a b=\"1\">&\x01\xe2\x80\x98x\xe2\x80\x99\xff\n", f);
	fclose(f);
	CHECK(strcmp(xml, "&lt;a b=&quot;1&quot;&gt;&amp;" FFFD "\xe2\x80\x98x\xe2\x80\x99" FFFD "\n") == 0,
	      "XML: markup escaped, a control character and an invalid byte as U+FFFD, UTF-8 kept", "%s", xml);
	free(xml);
	return check_done();
}
