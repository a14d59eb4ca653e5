/* benchkey.c - a benchmark's name, written and read in one place (see
 * benchkey.h). */
#include "benchkey.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *fb_key_format(const struct fb_bench_key *key, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s/mem_mib:%ld/mode:%s", key->family, key->kase, key->mem_mib, key->mode);
	return buf;
}

/* "%.*s" of at most n bytes of text into a field of len bytes. */
static void copy_part(char *field, size_t len, const char *text, size_t n)
{
	snprintf(field, len, "%.*s", (int)(n < len ? n : len - 1), text);
}

/* The case may hold '/', so it ends at the last "/mem_mib:". What can be
 * read is kept even from a malformed name (an old or hand-made bench.json
 * still lists its rows): the family up to the first '/', 0 MiB, 4k. */
int fb_key_parse(const char *name, struct fb_bench_key *key)
{
	const char *first = strchr(name, '/'), *mem = NULL, *at = name, *end = NULL;

	memset(key, 0, sizeof(*key));
	while ((at = strstr(at, "/mem_mib:")))
		mem = at++;
	copy_part(key->family, sizeof(key->family), name, first ? (size_t)(first - name) : strlen(name));
	if (first && mem && mem > first)
		copy_part(key->kase, sizeof(key->kase), first + 1, (size_t)(mem - first - 1));
	if (mem)
		key->mem_mib = strtol(mem + 9, (char **)&end, 10);
	int numeric = end && end != mem + 9 && key->mem_mib >= 0;
	const char *mode = numeric && strncmp(end, "/mode:", 6) == 0 ? end + 6 : NULL;
	size_t mode_len = mode ? strcspn(mode, "/") : 0;
	copy_part(key->mode, sizeof(key->mode), mode_len ? mode : "4k", mode_len ? mode_len : 2);
	if (!numeric)
		key->mem_mib = 0;
	return first && mem > first && key->kase[0] && numeric && mode_len && mode_len < sizeof(key->mode) &&
	       (size_t)(first - name) < sizeof(key->family) && (size_t)(mem - first - 1) < sizeof(key->kase) ? 0 : -1;
}

int fb_key_equal(const struct fb_bench_key *a, const struct fb_bench_key *b)
{
	return a->mem_mib == b->mem_mib && strcmp(a->family, b->family) == 0 && strcmp(a->kase, b->kase) == 0 &&
	       strcmp(a->mode, b->mode) == 0;
}

void fb_key_set_case(struct fb_bench_key *key, const char *base, const char *axis, long value)
{
	if (axis)
		snprintf(key->kase, sizeof(key->kase), "%s/%s:%ld", base, axis, value);
	else
		snprintf(key->kase, sizeof(key->kase), "%s", base);
}

int fb_key_axis(const struct fb_bench_key *key, char *base, size_t base_len, char *axis, size_t axis_len,
		long *value)
{
	const char *slash = strrchr(key->kase, '/');
	const char *colon = slash ? strchr(slash, ':') : NULL;
	char *end = NULL;
	long v = colon ? strtol(colon + 1, &end, 10) : 0;

	*value = 0;
	if (!colon || colon == slash + 1 || !end || end == colon + 1 || *end || v <= 0 ||
	    strspn(slash + 1, "abcdefghijklmnopqrstuvwxyz_") != (size_t)(colon - slash - 1)) {
		snprintf(base, base_len, "%s", key->kase);
		if (axis_len)
			axis[0] = '\0';
		return 0;
	}
	copy_part(base, base_len, key->kase, (size_t)(slash - key->kase));
	copy_part(axis, axis_len, slash + 1, (size_t)(colon - slash - 1));
	*value = v;
	return 1;
}

int fb_key_filter(const struct fb_bench_key *keys, size_t n, char *buf, size_t len)
{
	char name[FB_KEY_NAME_MAX];
	size_t used = (size_t)snprintf(buf, len, "^(");

	for (size_t i = 0; i < n && used < len; i++) {
		int seen = 0;
		for (size_t j = 0; j < i; j++)
			seen |= fb_key_equal(&keys[i], &keys[j]);
		if (!seen)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used > 2 ? "|" : "",
						 fb_key_format(&keys[i], name, sizeof(name)));
	}
	if (used < len)
		used += (size_t)snprintf(buf + used, len - used, ")/");
	return used < len ? 0 : -1;
}
