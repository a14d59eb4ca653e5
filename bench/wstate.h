/* wstate.h - a worker's own state, the part of every figure it gives that is
 * not the region: mappings, resident memory, page tables, threads and THP
 * coverage. Read after setup (the baseline) and after every batch; a worker
 * whose state moved is not used for another case (see pool.c). */
#ifndef FB_WSTATE_H
#define FB_WSTATE_H

#include <stddef.h>
#include <stdint.h>

struct fb_wstate {
	int64_t maps;          /* lines of /proc/self/maps (VMAs) */
	int64_t rss_anon_kib;  /* RssAnon: what fork must share and COW-protect */
	int64_t pte_kib;       /* VmPTE: what fork copies */
	int64_t threads;       /* Threads: a forking thread group */
	int64_t thp_kib;       /* AnonHugePages (PMD-mapped THP) */
};

/* Read this process's state. Returns 0 or -errno. */
int fb_wstate_read(struct fb_wstate *s);
/* 0 when now is the same state as base (see wstate.c for the tolerance),
 * else 1 with why saying which figure moved, e.g. "maps 26 -> 34". */
int fb_wstate_changed(const struct fb_wstate *base, const struct fb_wstate *now, char *why, size_t len);

#endif
