/* outcome.h - how a benchmark that gave no figure says why: its
 * error_message in bench.json starts with one of these prefixes. Written
 * by bench/main.c and bench/gbench.cc, read by harness/results.c into
 * enum fb_outcome (style rule 6: FAIL, SKIP with a reason, NO-RESOURCE).
 * Plain macros: included from C and C++. */
#ifndef FB_OUTCOME_H
#define FB_OUTCOME_H

/* A feature or privilege is missing: "skipped: THP is disabled". */
#define FB_PREFIX_SKIPPED "skipped: "
/* EAGAIN/ENOMEM, the machine's limits: "no-resource: fork: ...". */
#define FB_PREFIX_NO_RESOURCE "no-resource: "
/* The kernel (or the benchmark) misbehaved: "failed (strerror): what".
 * Any message without one of the two prefixes above reads as a failure. */
#define FB_PREFIX_FAILED "failed "

#endif
