/* findings.h - what a reader came for, before any reference table: the
 * headline figures (fork, vfork, clone, posix_spawn, exec at 0 MiB and at
 * the largest size in both page modes, each with its 95% interval and its
 * ratio to the bare loop; cost per GiB, a COW fault, thread against
 * process, a context switch), the lecture claims' verdicts one line each,
 * then what needs attention (pairs that disagree, or agree within their
 * tolerance with their intervals apart, overhead above target, failed
 * rows, the machine's conditions). The end-of-run summary prints it first,
 * and the report opens with it. */
#ifndef FB_FINDINGS_H
#define FB_FINDINGS_H

#include <stdio.h>
#include <jansson.h>

#include "claims.h"
#include "consistency.h"
#include "doc.h"
#include "phase_checks.h"
#include "results.h"

struct fb_findings {
	const struct fb_results *res;
	const struct fb_consistency *cons;       /* NULL: not evaluated */
	const struct fb_claims *claims;          /* NULL: not judged */
	const struct fb_phase_judgement *phases; /* NULL: none */
	const json_t *warnings;                  /* the run's conditions, or NULL */
};

void fb_findings_print(const struct fb_findings *f, FILE *out);
void fb_findings_section(struct fb_doc *doc, const struct fb_findings *f);

#endif
