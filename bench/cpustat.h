/* cpustat.h - the machine's CPU time from /proc/stat, to tell how much of a
 * stretch of wall time the hypervisor stole (steal) or interrupts took (irq,
 * softirq): time in which a benchmark's figure grew for reasons of its own.
 * Shared by forkbench-bench (per repetition) and the driver (whole run). */
#ifndef FB_CPUSTAT_H
#define FB_CPUSTAT_H

#include <stdint.h>

struct fb_cpustat {
	uint64_t total;     /* all fields of the "cpu" line, in USER_HZ ticks */
	uint64_t steal;
	uint64_t irq;       /* irq + softirq */
};

/* Read the aggregate "cpu" line. Returns 0 or -errno. */
int fb_cpustat_read(struct fb_cpustat *s);
/* Percent of the CPU time between a and b that was stolen (or went to
 * interrupts); 0 when no tick passed. */
double fb_cpustat_steal_pct(const struct fb_cpustat *a, const struct fb_cpustat *b);
double fb_cpustat_irq_pct(const struct fb_cpustat *a, const struct fb_cpustat *b);

#endif
