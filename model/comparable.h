/* comparable.h - are two runs comparable? The conditions of both run folders'
 * manifests side by side: those that make another machine (CPU model, cores,
 * hypervisor, kernel, memory) and those that make another run of the same
 * machine (THP settings, page modes, profile, repetitions, placement...).
 * compare refuses runs of different machines unless told otherwise. */
#ifndef FB_COMPARABLE_H
#define FB_COMPARABLE_H

#include <stddef.h>
#include <jansson.h>

#define FB_MAX_CONDITION_DIFFS 24

struct fb_condition_diff {
	const char *label;         /* "CPU model" */
	char base[128], new_run[128];
	int machine;               /* the condition makes another machine */
};

struct fb_conditions_diff {
	struct fb_condition_diff items[FB_MAX_CONDITION_DIFFS];
	size_t count;
	size_t machine;            /* how many of them make another machine */
	size_t speed;              /* how many move the bare loops' level (drift.h) */
	int known;                 /* both manifests were there to compare */
};

/* The conditions in which base and new_run (manifests, either may be NULL
 * for a bare bench.json) differ. */
void fb_conditions_compare(const json_t *base, const json_t *new_run, struct fb_conditions_diff *out);
/* "CPU model 'A' vs 'B'; kernel ..." of the machine-making differences. */
void fb_conditions_machine_text(const struct fb_conditions_diff *d, char *buf, size_t len);

#endif
