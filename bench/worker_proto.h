/* worker_proto.h - the pipe protocol between the benchmark binary (pool.c)
 * and the lean worker (worker.c) that holds the memory and runs the ops.
 * Started as `fb-worker SIZE_BYTES MODE` with requests on fd 0 and replies on
 * fd 1; both ends are the same build, so structs travel as raw bytes. */
#ifndef FB_WORKER_PROTO_H
#define FB_WORKER_PROTO_H

#include <stdint.h>

#include "family.h"
#include "wstate.h"

/* Samples per request: keeps a reply within a few pipe buffers. */
#define FB_WORKER_BATCH 64

/* Sent once, after the region is created and touched. */
struct fb_worker_hello {
	int32_t status;              /* 0, or -errno when the region failed */
	char reason[FB_REASON_LEN];
	uint64_t resident_bytes;     /* region residency (mincore) */
	uint64_t thp_bytes;          /* region AnonHugePages */
	int64_t maps;                /* the worker's own baseline: mappings, */
	int64_t rss_kib;             /* resident set and page tables, with */
	int64_t pte_kib;             /* the region in place */
	struct fb_wstate base;       /* the state every batch is checked against */
};

struct fb_worker_request {
	uint32_t family;             /* index into fb_families */
	uint32_t kase;               /* index into that family's cases */
	uint32_t n;                  /* iterations, at most FB_WORKER_BATCH */
	int64_t axis_value;          /* the point on the case's own axis, or 0 */
};

/* Followed by n struct fb_sample when status is 0. */
struct fb_worker_reply {
	int32_t status;              /* an op's return value */
	uint32_t n;
	char reason[FB_REASON_LEN];
	int32_t state_err;           /* 0, or -errno when state could not be read */
	struct fb_wstate state;      /* the worker's state after the batch */
};

#endif
