/* families.c - the central list of benchmark families; adding a family is
 * one line here plus its bench/<family>.c. And whether a key names one of
 * their cases (fb_key_registered, benchkey.h). */
#include <string.h>

#include "benchkey.h"
#include "family.h"

extern const struct fb_family fb_spawn_family;
extern const struct fb_family fb_cow_family;
extern const struct fb_family fb_threads_family;
extern const struct fb_family fb_calibrate_family;
extern const struct fb_family fb_shape_family;
extern const struct fb_family fb_switch_family;
extern const struct fb_family fb_storm_family;

const struct fb_family *const fb_families[] = {
	&fb_spawn_family,
	&fb_cow_family,
	&fb_threads_family,
	&fb_calibrate_family,
	&fb_shape_family,
	&fb_switch_family,
	&fb_storm_family,
	NULL,
};

static const struct fb_case *find_case(const char *family, const char *name)
{
	for (size_t f = 0; fb_families[f]; f++)
		if (strcmp(fb_families[f]->name, family) == 0)
			for (size_t c = 0; c < fb_families[f]->ncases; c++)
				if (strcmp(fb_families[f]->cases[c].name, name) == 0)
					return &fb_families[f]->cases[c];
	return NULL;
}

/* The key's case, with its own axis's value among the axis's values. */
static const struct fb_case *find_point(const struct fb_bench_key *key)
{
	char base[sizeof(key->kase)], axis[32];
	long value;
	const struct fb_case *c = find_case(key->family, key->kase);

	if (c)
		return c->axis ? NULL : c;
	if (!fb_key_axis(key, base, sizeof(base), axis, sizeof(axis), &value) ||
	    !(c = find_case(key->family, base)) || !c->axis || strcmp(c->axis->name, axis) != 0)
		return NULL;
	for (size_t v = 0; v < FB_AXIS_MAX_VALUES && c->axis->values[v]; v++)
		if (c->axis->values[v] == value)
			return c;
	return NULL;
}

int fb_key_registered(const struct fb_bench_key *key)
{
	const struct fb_case *c = find_point(key);
	enum fb_page_mode mode;

	if (!c || fb_page_mode_parse(key->mode, &mode))
		return 0;
	if (mode == FB_PAGES_THP && !(c->axes & FB_AXIS_MODE))
		return 0;
	if (key->mem_mib == 0)
		return !(c->axes & FB_AXIS_NO_ZERO);
	return (c->axes & FB_AXIS_MEM) != 0;
}

int fb_key_locate(const struct fb_bench_key *key, unsigned *family, unsigned *kase, int64_t *axis_value)
{
	const struct fb_case *c = fb_key_registered(key) ? find_point(key) : NULL;
	char base[sizeof(key->kase)], axis[32];
	long value = 0;

	if (!c)
		return -1;
	for (unsigned f = 0; fb_families[f]; f++)
		if (c >= fb_families[f]->cases && c < fb_families[f]->cases + fb_families[f]->ncases) {
			*family = f;
			*kase = (unsigned)(c - fb_families[f]->cases);
		}
	*axis_value = c->axis && fb_key_axis(key, base, sizeof(base), axis, sizeof(axis), &value) ? value : 0;
	return 0;
}

const struct fb_axis *fb_key_case_axis(const struct fb_bench_key *key)
{
	const struct fb_case *c = fb_key_registered(key) ? find_point(key) : NULL;
	return c ? c->axis : NULL;
}

void fb_key_case_per(const struct fb_bench_key *key, const char **per, unsigned *count)
{
	const struct fb_case *c = fb_key_registered(key) ? find_point(key) : NULL;
	*per = c && c->per ? c->per : "iteration";
	*count = c && c->per_count ? c->per_count : 1;
}
