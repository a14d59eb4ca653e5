/* jsonio.c - see jsonio.h. */
#define _GNU_SOURCE
#include "jsonio.h"
#include "files.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fb_write_json_atomic(const char *path, json_t *json)
{
	char *text = json_dumps(json, JSON_INDENT(2) | JSON_SORT_KEYS);
	int err;

	if (!text)
		return -ENOMEM;
	err = fb_write_file_atomic(path, text, strlen(text));
	free(text);
	return err;
}

/* Copy text to out, replacing NaN, -nan, Infinity... outside strings by
 * null. out must hold 2 * len + 1 bytes ("NaN" -> "null" grows). */
static void nan_to_null(const char *text, size_t len, char *out)
{
	static const char *const tokens[] = { "-Infinity", "Infinity", "-NaN", "-nan", "NaN", "nan" };
	int in_string = 0;

	for (size_t i = 0; i < len;) {
		char c = text[i];
		if (in_string || c == '"') {
			if (c == '\\' && in_string && i + 1 < len)
				*out++ = text[i++];
			else if (c == '"')
				in_string = !in_string;
			*out++ = text[i++];
			continue;
		}
		size_t t = 0, tlen = 0;
		for (; t < sizeof(tokens) / sizeof(tokens[0]); t++)
			if (strncmp(text + i, tokens[t], tlen = strlen(tokens[t])) == 0)
				break;
		if (t < sizeof(tokens) / sizeof(tokens[0])) {
			memcpy(out, "null", 4);
			out += 4;
			i += tlen;
		} else {
			*out++ = text[i++];
		}
	}
	*out = '\0';
}

json_t *fb_json_load_lenient(const char *path, json_error_t *jerr)
{
	FILE *f = fopen(path, "r");
	char *text = NULL, *clean = NULL;
	size_t len = 0;
	json_t *json = NULL;

	if (!f) {
		snprintf(jerr->text, sizeof(jerr->text), "cannot open: %s", strerror(errno));
		jerr->line = 0;
		return NULL;
	}
	FILE *mem = open_memstream(&text, &len);
	for (int c; mem && (c = getc(f)) != EOF;)
		putc(c, mem);
	fclose(f);
	if (mem)
		fclose(mem);
	if (text && (clean = malloc(2 * len + 1))) {
		nan_to_null(text, len, clean);
		json = json_loads(clean, 0, jerr);
	} else {
		snprintf(jerr->text, sizeof(jerr->text), "out of memory");
	}
	free(text);
	free(clean);
	return json;
}

int fb_json_make_strict(const char *path)
{
	json_error_t jerr;
	json_t *json = fb_json_load_lenient(path, &jerr);

	if (!json)
		return -EINVAL;
	char *text = json_dumps(json, JSON_INDENT(2));   /* key order as written */
	json_decref(json);
	if (!text)
		return -ENOMEM;
	int err = fb_write_file_atomic(path, text, strlen(text));
	free(text);
	return err;
}
