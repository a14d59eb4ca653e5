/* claims_out.h - the claims judged (verdict/claims.h) as claims.json, as
 * the report's section and as `forkbench claims`. */
#ifndef FB_CLAIMS_OUT_H
#define FB_CLAIMS_OUT_H

#include <jansson.h>

#include "claims.h"
#include "doc.h"
#include "results.h"

/* {"schema_version":2, "run_id", "claims":[{id, claim, measured, value,
 * unit, benchmark, conditions, verdict, rule, status, interval, bound,
 * command}...]}; a new reference. Version 2: verdicts may be "borderline",
 * and "not measured" also covers a size the run did not reach. */
json_t *fb_claims_json(const struct fb_claims *claims, const char *run_id);
/* Load run_dir's manifest.json and bench.json (unless res is given: the
 * run's results as loaded already), judge, write run_dir/claims.json
 * atomically; out (may be NULL) receives the rows. 0, or -1 after one line
 * on stderr naming the file at fault. */
int fb_claims_write(const char *run_dir, const struct fb_results *res, struct fb_claims *out);
/* The report's "Lecture claims" section: the rows judged already (claims),
 * or judged here from the run's data when claims is NULL (so a re-rendering
 * gives the same bytes as claims.json's figures). */
void fb_claims_section(struct fb_doc *doc, const json_t *manifest, const struct fb_results *res,
		       const struct fb_claims *claims);
int fb_cmd_claims(int argc, char **argv);

#endif
