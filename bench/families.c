/* families.c - the central list of benchmark families; adding a family is
 * one line here plus its bench/<family>.c. */
#include "family.h"

extern const struct fb_family fb_spawn_family;
extern const struct fb_family fb_cow_family;
extern const struct fb_family fb_threads_family;
extern const struct fb_family fb_calibrate_family;

const struct fb_family *const fb_families[] = {
	&fb_spawn_family,
	&fb_cow_family,
	&fb_threads_family,
	&fb_calibrate_family,
	NULL,
};
