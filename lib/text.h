/* text.h - text for people and parsers: valid UTF-8, XML escaping, durations. */
#ifndef FB_TEXT_H
#define FB_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* A copy of text (malloc'd; NULL when memory runs out) that is valid
 * UTF-8: valid sequences kept, every byte of an invalid one (stray
 * continuation, overlong form, surrogate, above U+10FFFF, cut short)
 * replaced by U+FFFD. Control characters are left to the writer: JSON
 * escapes them, fb_xml_escape replaces them. */
char *fb_utf8_valid(const char *text);
/* text as valid UTF-8 with <, >, & and " escaped and the control
 * characters XML 1.0 cannot hold (all below 0x20 but tab, newline and
 * carriage return) replaced by U+FFFD, for HTML and XML. */
void fb_xml_escape(const char *text, FILE *out);
/* "850 ns", "12.3 us", "4.56 ms": three significant figures or so; "-"
 * for NaN. Returns buf. */
const char *fb_fmt_ns(double ns, char *buf, size_t len);

#endif
