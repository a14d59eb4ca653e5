/* sizes.c - the memory-size axis (see sizes.h). */
#include "sizes.h"
#include "family.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "region.h"

/* The default sweep, the one place it is spelled (the help texts are made from it). */
static const size_t default_mib[] = { 0, 1, 16, 64, 256, 1024 };

void fb_sizes_default(struct fb_sizes *sizes, long max_mib)
{
	memset(sizes, 0, sizeof(*sizes));
	for (size_t i = 0; i < sizeof(default_mib) / sizeof(default_mib[0]); i++)
		if (max_mib < 0 || default_mib[i] <= (size_t)max_mib)
			sizes->mib[sizes->count++] = default_mib[i];
	if (max_mib >= 0 && sizes->mib[sizes->count - 1] != (size_t)max_mib)
		sizes->mib[sizes->count++] = (size_t)max_mib;
}

int fb_mib_parse(const char *text, long *mib, char *err, size_t err_len)
{
	char *end;

	errno = 0;
	long value = strtol(text, &end, 10);
	if (errno || end == text || *end || value < 0 || value > (1L << 30)) {
		snprintf(err, err_len, "'%s' is not a size in MiB (a whole number >= 0)", text);
		return -1;
	}
	*mib = value;
	return 0;
}

int fb_sizes_add(struct fb_sizes *sizes, long mib, char *err, size_t err_len)
{
	for (size_t i = 0; i < sizes->count; i++)
		if (sizes->mib[i] == (size_t)mib)
			return snprintf(err, err_len, "size %ld MiB is listed twice", mib), -1;
	if (sizes->count == FB_MAX_SIZES)
		return snprintf(err, err_len, "more than %d sizes", FB_MAX_SIZES), -1;
	sizes->mib[sizes->count++] = (size_t)mib;
	return 0;
}

int fb_sizes_parse(const char *list, struct fb_sizes *sizes, char *err, size_t err_len)
{
	char copy[256], *save = NULL;
	long mib;

	memset(sizes, 0, sizeof(*sizes));
	snprintf(copy, sizeof(copy), "%s", list);
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (fb_mib_parse(tok, &mib, err, err_len) || fb_sizes_add(sizes, mib, err, err_len))
			return -1;
	if (sizes->count == 0)
		return snprintf(err, err_len, "no size in '%s'", list), -1;
	return 0;
}

int fb_sizes_check_memory(const struct fb_sizes *sizes, char *err, size_t err_len)
{
	size_t limit_mib = fb_mem_available_bytes() / 2 >> 20;

	for (size_t i = 0; i < sizes->count; i++) {
		if (sizes->mib[i] > limit_mib) {
			snprintf(err, err_len, "memory size %zu MiB is larger than half of MemAvailable "
				 "(%zu MiB here); choose a smaller MAX_MEM / --max-mem", sizes->mib[i], limit_mib);
			return -1;
		}
	}
	return 0;
}

void fb_sizes_format(const struct fb_sizes *sizes, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizes->count && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%zu", i ? "," : "", sizes->mib[i]);
}

static int family_known(const char *name)
{
	for (size_t f = 0; fb_families[f]; f++)
		if (strcmp(fb_families[f]->name, name) == 0)
			return 1;
	return 0;
}

int fb_family_caps_parse(const char *text, struct fb_family_caps *caps, char *err, size_t err_len)
{
	char copy[256], *save = NULL;

	memset(caps, 0, sizeof(*caps));
	if (!text || !text[0] || strcmp(text, "none") == 0)
		return 0;
	snprintf(copy, sizeof(copy), "%s", text);
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		long mib;
		if (!colon || caps->count == FB_MAX_FAMILY_CAPS)
			return snprintf(err, err_len, "family limits are FAMILY:MIB[,...] (at most %d) or none, not '%s'",
					FB_MAX_FAMILY_CAPS, text), -1;
		*colon = '\0';
		if (!family_known(tok))
			return snprintf(err, err_len, "no benchmark family '%s' (family limit '%s')", tok, text), -1;
		if (fb_mib_parse(colon + 1, &mib, err, err_len))
			return -1;
		snprintf(caps->family[caps->count], sizeof(caps->family[0]), "%s", tok);
		caps->max_mib[caps->count++] = mib;
	}
	return 0;
}

void fb_family_caps_format(const struct fb_family_caps *caps, char *buf, size_t len)
{
	size_t used = 0;

	snprintf(buf, len, "none");
	for (size_t i = 0; i < caps->count && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s:%ld", i ? "," : "", caps->family[i], caps->max_mib[i]);
}

long fb_family_cap(const struct fb_family_caps *caps, const char *family)
{
	for (size_t i = 0; i < caps->count; i++)
		if (strcmp(caps->family[i], family) == 0)
			return caps->max_mib[i];
	return -1;
}
