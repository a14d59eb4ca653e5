/* region.c - resident memory for a forking process, 4 KiB or THP pages,
 * with residency (mincore) and THP coverage (smaps) read back. */
#define _GNU_SOURCE
#include "region.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

/* The page modes' names: in benchmark names, --modes and the worker's argv. */
static const char *const page_mode_names[FB_PAGE_MODES] = { [FB_PAGES_4K] = "4k", [FB_PAGES_THP] = "thp" };

const char *fb_page_mode_name(enum fb_page_mode mode)
{
	return page_mode_names[mode == FB_PAGES_THP];
}

int fb_page_mode_parse(const char *name, enum fb_page_mode *mode)
{
	for (int m = 0; m < FB_PAGE_MODES; m++)
		if (strcmp(name, page_mode_names[m]) == 0)
			return *mode = (enum fb_page_mode)m, 0;
	return -1;
}

const char *fb_thp_unavailable_reason(void)
{
	static char reason[160];
	char line[128] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");

	if (!f)
		return "kernel has no transparent huge pages (no /sys/kernel/mm/transparent_hugepage)";
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	if (strstr(line, "[never]")) {
		snprintf(reason, sizeof(reason), "THP disabled: transparent_hugepage/enabled is '%.100s'", line);
		return reason;
	}
	if (prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) == 1)
		return "THP disabled for this process (prctl PR_SET_THP_DISABLE)";
	return NULL;
}

/* Map exactly [base, base + size) with base 2 MiB aligned: over-allocate by
 * 2 MiB and trim, so the VMA can hold PMD-mapped huge pages from its start. */
static int map_aligned(struct fb_region *r, size_t size)
{
	size_t over = size + FB_HUGE_BYTES;
	char *raw = mmap(NULL, over, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return -errno;
	char *base = (char *)(((uintptr_t)raw + FB_HUGE_BYTES - 1) & ~(FB_HUGE_BYTES - 1));
	size_t head = (size_t)(base - raw), tail = over - head - size;
	if (head)
		munmap(raw, head);
	if (tail)
		munmap(base + size, tail);
	r->map_base = r->base = base;
	r->map_bytes = size;
	return 0;
}

int fb_region_create(struct fb_region *r, size_t size_bytes, enum fb_page_mode mode)
{
	long page = sysconf(_SC_PAGESIZE);
	int err;

	memset(r, 0, sizeof(*r));
	r->mode = mode;
	r->size_bytes = size_bytes;
	if (size_bytes == 0)
		return 0;
	err = map_aligned(r, size_bytes);
	if (err)
		return err;
	if (madvise(r->base, size_bytes, mode == FB_PAGES_THP ? MADV_HUGEPAGE : MADV_NOHUGEPAGE)) {
		err = -errno;
		fb_region_destroy(r);
		return err;
	}
	/* Touch every 4 KiB page, also in THP mode: where the kernel falls back
	 * to small pages, touching one byte per 2 MiB would leave most of the
	 * region unpopulated and fork would have less to copy than claimed. */
	for (size_t off = 0; off < size_bytes; off += (size_t)page)
		r->base[off] = (char)(off / (size_t)page + 1);
	return fb_region_measure(r);
}

static int measure_resident(struct fb_region *r)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t pages = (r->size_bytes + (size_t)page - 1) / (size_t)page;
	unsigned char *vec = malloc(pages);
	if (!vec)
		return -ENOMEM;
	if (mincore(r->base, r->size_bytes, vec)) {
		int err = -errno;
		free(vec);
		return err;
	}
	size_t resident = 0;
	for (size_t i = 0; i < pages; i++)
		resident += vec[i] & 1;
	free(vec);
	r->resident_bytes = resident * (size_t)page;
	return 0;
}

/* AnonHugePages of every VMA overlapping the region. It counts PMD-mapped
 * THP only, which is what decides how fork copies the region. */
static int measure_thp(struct fb_region *r)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[256];
	uintptr_t lo = (uintptr_t)r->base, hi = lo + r->size_bytes;
	int inside = 0;
	size_t kib_total = 0, kib;
	unsigned long start, end;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 && strchr(line, '-') < strchr(line, ' '))
			inside = start < hi && end > lo;
		else if (inside && sscanf(line, "AnonHugePages: %zu kB", &kib) == 1)
			kib_total += kib;
	}
	fclose(f);
	r->thp_bytes = kib_total * 1024;
	return 0;
}

int fb_region_measure(struct fb_region *r)
{
	int err;

	r->resident_bytes = r->thp_bytes = 0;
	if (r->size_bytes == 0)
		return 0;
	err = measure_resident(r);
	return err ? err : measure_thp(r);
}

void fb_region_destroy(struct fb_region *r)
{
	if (r->map_base)
		munmap(r->map_base, r->map_bytes);
	memset(r, 0, sizeof(*r));
}

static FILE *open_proc(int pid, const char *file)
{
	char path[64];
	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	else
		snprintf(path, sizeof(path), "/proc/self/%s", file);
	return fopen(path, "r");
}

int fb_status_kib(int pid, const char *field, long *kib)
{
	FILE *f = open_proc(pid, "status");
	char line[256];
	size_t len = strlen(field);
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, field, len) == 0 && line[len] == ':') {
			*kib = strtol(line + len + 1, NULL, 10);
			err = 0;
			break;
		}
	}
	fclose(f);
	return err;
}

long fb_count_mappings(int pid)
{
	FILE *f = open_proc(pid, "maps");
	long lines = 0;
	int c;

	if (!f)
		return -errno;
	while ((c = getc(f)) != EOF)
		lines += c == '\n';
	fclose(f);
	return lines;
}

size_t fb_mem_available_bytes(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	size_t kib = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %zu kB", &kib) == 1)
			break;
	fclose(f);
	return kib * 1024;
}
