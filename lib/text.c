/* text.c - see text.h. */
#define _GNU_SOURCE
#include "text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p (1-4), or 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *p)
{
	static const unsigned char lead_min[] = { 0, 0, 0xc2, 0xe0, 0xf0 };
	size_t n = p[0] < 0x80 ? 1 : p[0] < 0xc2 ? 0 : p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : p[0] < 0xf5 ? 4 : 0;
	unsigned long cp = n > 1 ? p[0] & (0x7f >> n) : p[0];

	if (n == 0 || p[0] < lead_min[n])
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

char *fb_utf8_valid(const char *text)
{
	size_t len = strlen(text), o = 0;
	char *out = malloc(len * 3 + 1);   /* each bad byte may become 3 */

	for (const unsigned char *p = (const unsigned char *)text; out && *p;) {
		size_t n = utf8_sequence(p);
		if (n) {
			memcpy(out + o, p, n);
			o += n;
			p += n;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);   /* U+FFFD */
			o += 3;
			p++;
		}
	}
	if (out)
		out[o] = '\0';
	return out;
}

void fb_xml_escape(const char *raw, FILE *out)
{
	char *valid = fb_utf8_valid(raw);

	for (const char *text = valid ? valid : ""; *text; text++) {
		switch (*text) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		default:
			if ((unsigned char)*text < 0x20 && *text != '\t' && *text != '\n' && *text != '\r')
				fputs("\xef\xbf\xbd", out);
			else
				fputc(*text, out);
		}
	}
	free(valid);
}

const char *fb_fmt_ns(double ns, char *buf, size_t len)
{
	if (isnan(ns))
		snprintf(buf, len, "-");
	else if (ns < 1e3)
		snprintf(buf, len, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.1f us", ns / 1e3);
	else
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	return buf;
}
