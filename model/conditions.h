/* conditions.h - the machine conditions that move fork figures (DAMON,
 * khugepaged, KSM, swap and zswap, NUMA balancing, SMT, the kernel command
 * line, CPU affinity, cgroup cpu and memory limits), captured for the
 * manifest's environment.conditions and judged by syscheck.c. */
#ifndef FB_CONDITIONS_H
#define FB_CONDITIONS_H

#include <jansson.h>

/* A new object; never fails (unreadable items are null). */
json_t *fb_conditions_json(void);
/* A setting's text as JSON: an integer where it is one, else the string. */
json_t *fb_condition_value(const char *text);

#endif
