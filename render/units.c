/* units.c - figures in the unit of their operation (see units.h). */
#include "units.h"

#include <math.h>
#include <stdio.h>

void fb_unit_for(const struct fb_bench_key *key, double smallest_ns, struct fb_unit *u)
{
	fb_key_case_per(key, &u->per, &u->count);
	double per_op = smallest_ns / u->count;
	/* below 10 of the next unit stays in this one: 2.9 us reads 2908 ns,
	 * 1.5 ms reads 1494.6 us, so one decimal keeps every digit that counts */
	if (!isnan(per_op) && per_op < 1e4) {
		u->ns = 1;
		u->symbol = "ns";
	} else if (isnan(per_op) || per_op < 1e7) {
		u->ns = 1e3;
		u->symbol = "us";
	} else {
		u->ns = 1e6;
		u->symbol = "ms";
	}
}

double fb_unit_value(const struct fb_unit *u, double ns_per_iteration)
{
	return ns_per_iteration / u->count / u->ns;
}

const char *fb_unit_label(const struct fb_unit *u, char *buf, size_t len)
{
	snprintf(buf, len, "%s per %s", u->symbol, u->per);
	return buf;
}
