/* counters.c - the counters harness/ reads, defined from counters.h's list. */
#include "counters.h"

#define FB_COUNTER_DEFINE(name, from) const char fb_ctr_##name[] = #name;
FB_COUNTER_READS(FB_COUNTER_DEFINE)

#define FB_COUNTER_ROW(name, from) { fb_ctr_##name, from },
const struct fb_counter_read fb_counter_reads[] = { FB_COUNTER_READS(FB_COUNTER_ROW) };
const size_t fb_ncounter_reads = sizeof(fb_counter_reads) / sizeof(fb_counter_reads[0]);
