/* consistency_out.h - the run's cross-checks (verdict/consistency.h) as
 * the manifest's JSON, the end-of-run text, warnings and the report's
 * section. */
#ifndef FB_CONSISTENCY_OUT_H
#define FB_CONSISTENCY_OUT_H

#include <stdio.h>
#include <jansson.h>

#include "consistency.h"
#include "doc.h"

/* {"pairs": [...], "overhead": [...], "worker_restarts": N, ...} for the manifest. */
json_t *fb_consistency_json(const struct fb_consistency *c);
/* The end-of-run text: one line per pair, failures as warnings. */
void fb_consistency_print(const struct fb_consistency *c, FILE *out);
/* Append a {"name": "consistency", "message": ...} warning per pair that
 * disagrees, naming both figures. */
void fb_consistency_warnings(const struct fb_consistency *c, json_t *warnings);
/* The report's "Consistency" section. */
void fb_consistency_section(struct fb_doc *doc, const struct fb_consistency *c);

#endif
