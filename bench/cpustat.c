/* cpustat.c - CPU time shares from /proc/stat (see cpustat.h). */
#include "cpustat.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int fb_cpustat_read(struct fb_cpustat *s)
{
	unsigned long long v[10] = { 0 };
	char line[512];
	FILE *f = fopen("/proc/stat", "r");
	int got;

	memset(s, 0, sizeof(*s));
	if (!f)
		return -errno;
	got = fgets(line, sizeof(line), f) ? sscanf(line, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
						   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
						   &v[8], &v[9]) : 0;
	fclose(f);
	if (got < 8)
		return -EIO;
	/* user nice system idle iowait irq softirq steal [guest guest_nice]:
	 * guest time is already counted in user, so it is left out. */
	for (int i = 0; i < 8; i++)
		s->total += v[i];
	s->irq = v[5] + v[6];
	s->steal = v[7];
	return 0;
}

static double share_pct(uint64_t part_a, uint64_t part_b, const struct fb_cpustat *a, const struct fb_cpustat *b)
{
	uint64_t total = b->total - a->total;
	return total ? 100.0 * (double)(part_b - part_a) / (double)total : 0;
}

double fb_cpustat_steal_pct(const struct fb_cpustat *a, const struct fb_cpustat *b)
{
	return share_pct(a->steal, b->steal, a, b);
}

double fb_cpustat_irq_pct(const struct fb_cpustat *a, const struct fb_cpustat *b)
{
	return share_pct(a->irq, b->irq, a, b);
}
