/* syscheck.h - named warnings about conditions that make figures noisy or
 * unrepresentative, in the spirit of `pyperf system show`: warnings, never
 * failures. Computed from a manifest's environment only, so a report can
 * recompute them from the run folder. */
#ifndef FB_SYSCHECK_H
#define FB_SYSCHECK_H

#include <jansson.h>

/* An array of {"name": ..., "message": ...}, possibly empty. */
json_t *fb_syscheck(const json_t *environment);

#endif
