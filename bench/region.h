/* region.h - the resident memory a forking process holds, in 4 KiB or
 * transparent-huge-page mode, with its residency and THP coverage read back
 * from the kernel rather than assumed. */
#ifndef FB_REGION_H
#define FB_REGION_H

#include <stddef.h>
#include <time.h>

enum fb_page_mode { FB_PAGES_4K, FB_PAGES_THP };
#define FB_PAGE_MODES 2   /* how many there are */

/* A base page (x86-64's 4 KiB) and a transparent huge page (one PMD entry). */
#define FB_PAGE_BYTES ((size_t)4096)
#define FB_HUGE_BYTES ((size_t)2 << 20)

struct fb_region {
	char *base;               /* first byte, 2 MiB aligned in THP mode; NULL if empty */
	size_t size_bytes;        /* requested size */
	enum fb_page_mode mode;
	size_t resident_bytes;    /* from mincore() after touching */
	size_t thp_bytes;         /* AnonHugePages of the region's VMA (smaps) */
	void *map_base;           /* what mmap returned (for munmap) */
	size_t map_bytes;
};

/* Map size_bytes of anonymous private memory, advise it (MADV_NOHUGEPAGE or
 * MADV_HUGEPAGE), touch every page, then measure. size 0 gives an empty
 * region. Returns 0 or -errno. */
int fb_region_create(struct fb_region *r, size_t size_bytes, enum fb_page_mode mode);
/* Re-read resident_bytes and thp_bytes. Returns 0 or -errno. */
int fb_region_measure(struct fb_region *r);
void fb_region_destroy(struct fb_region *r);

const char *fb_page_mode_name(enum fb_page_mode mode);   /* "4k" / "thp" */
/* The mode named name: 0, or -1 when no mode has that name. */
int fb_page_mode_parse(const char *name, enum fb_page_mode *mode);
/* NULL when THP can be used through MADV_HUGEPAGE, else why not. */
const char *fb_thp_unavailable_reason(void);

/* A "Field:   N kB" value from /proc/<pid>/status (pid 0 = self), in KiB.
 * Returns 0 or -errno (-ENOENT when the field is absent). */
int fb_status_kib(int pid, const char *field, long *kib);
/* Number of lines in /proc/<pid>/maps (pid 0 = self), or -errno. */
long fb_count_mappings(int pid);
/* MemAvailable from /proc/meminfo in bytes, or 0 when unreadable. */
size_t fb_mem_available_bytes(void);

#endif
