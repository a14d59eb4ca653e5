/* units.h - a figure in the unit of its operation: time per one of what
 * the case counts (bench/family.h's per and per_count: "us per round
 * trip", "ns per switch", "ms per burst of 1024 threads"), at a scale
 * chosen once per row from its smallest figure, so a row reads in one
 * unit and a sub-microsecond figure never prints as 0.0. */
#ifndef FB_UNITS_H
#define FB_UNITS_H

#include <stddef.h>

#include "benchkey.h"

struct fb_unit {
	const char *per;        /* "round trip", "switch", ... */
	unsigned count;         /* of those in one iteration */
	double ns;              /* ns in one unit: 1, 1e3 or 1e6 */
	const char *symbol;     /* "ns", "us", "ms" */
};

/* The unit for key's rows whose smallest time per iteration is
 * smallest_ns (NAN: us). */
void fb_unit_for(const struct fb_bench_key *key, double smallest_ns, struct fb_unit *u);
/* A time per iteration (ns) in u. */
double fb_unit_value(const struct fb_unit *u, double ns_per_iteration);
/* "us per round trip" into buf. */
const char *fb_unit_label(const struct fb_unit *u, char *buf, size_t len);

#endif
