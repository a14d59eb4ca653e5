/* sizes.h - the memory-size axis: the default sweep, parsing of a MiB list,
 * and the one rule for what is too large (more than half of MemAvailable),
 * shared by the forkbench driver and the benchmark binary. */
#ifndef FB_SIZES_H
#define FB_SIZES_H

#include <stddef.h>

#define FB_MAX_SIZES 16

struct fb_sizes {
	size_t mib[FB_MAX_SIZES];
	size_t count;
};

/* The default sweep (default_mib in sizes.c), without sizes above max_mib
 * (and with max_mib itself added when it is not in the list); max_mib < 0
 * means no limit. */
void fb_sizes_default(struct fb_sizes *sizes, long max_mib);
/* Parse "0,1,16" (MiB, ascending or not, no duplicates). Returns 0, or -1
 * with err saying what is wrong. */
int fb_sizes_parse(const char *list, struct fb_sizes *sizes, char *err, size_t err_len);
/* Add mib to sizes: 0, or -1 with err (listed twice, too many sizes). */
int fb_sizes_add(struct fb_sizes *sizes, long mib, char *err, size_t err_len);
/* Parse one non-negative MiB count. Returns 0 or -1 with err. */
int fb_mib_parse(const char *text, long *mib, char *err, size_t err_len);
/* 0 when every size fits in half of MemAvailable; else -1 with err naming
 * the size and the limit. */
int fb_sizes_check_memory(const struct fb_sizes *sizes, char *err, size_t err_len);
/* "0,1,16" into buf. */
void fb_sizes_format(const struct fb_sizes *sizes, char *buf, size_t len);

/* Per-family limits on the sweep, "cow:64" or "cow:64,threads:0": a family's
 * cases run only at sizes up to its limit (the profiles keep the costliest
 * family, cow, from taking most of a run on a machine whose page faults are
 * slow). "none" or "": no limit. */
#define FB_MAX_FAMILY_CAPS 8
struct fb_family_caps {
	char family[FB_MAX_FAMILY_CAPS][32];
	long max_mib[FB_MAX_FAMILY_CAPS];
	size_t count;
};
/* 0, or -1 with err (an unknown family, a size that is not a MiB count). */
int fb_family_caps_parse(const char *text, struct fb_family_caps *caps, char *err, size_t err_len);
/* "cow:64,storm:64" into buf, or "none" when there is no limit. */
void fb_family_caps_format(const struct fb_family_caps *caps, char *buf, size_t len);
/* The largest size family may run at; -1 when it has no limit. */
long fb_family_cap(const struct fb_family_caps *caps, const char *family);

#endif
