/* wstate.c - read and compare a worker's own state (see wstate.h). */
#define _GNU_SOURCE
#include "wstate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "region.h"

/* Resident anonymous memory may move by a few pages without changing what
 * fork copies in a measurable way (a deeper call chain touches another stack
 * page, malloc keeps a freed block in its heap): 256 KiB (64 pages), or
 * 1/256 of the resident set for a large region (a 1 GiB cow worker kept 264
 * KiB of heap after a case: 0.03% of what fork copies). Page tables get the
 * same 1/256 (4 KiB of 2092 at 1 GiB; none at 0 MiB, where one page-table
 * page is 10% of the total). Both are far below what the threads family
 * leaves (cached stacks: new mappings, 16-20 KiB of page tables on 40).
 * Mappings and threads must match exactly. */
#define RSS_TOLERANCE_KIB 256
#define RELATIVE_TOLERANCE 256

static int moved(int64_t base, int64_t now, int64_t floor_kib)
{
	int64_t allowed = base / RELATIVE_TOLERANCE > floor_kib ? base / RELATIVE_TOLERANCE : floor_kib;
	return now - base > allowed || base - now > allowed;
}

/* "Field:   N kB" of /proc/self/smaps_rollup (AnonHugePages), in KiB. */
static int rollup_kib(const char *field, int64_t *kib)
{
	FILE *f = fopen("/proc/self/smaps_rollup", "r");
	char line[256];
	size_t len = strlen(field);
	long long value;

	if (!f)
		return -errno;
	*kib = 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, len) == 0 && line[len] == ':' &&
		    sscanf(line + len + 1, "%lld", &value) == 1)
			*kib = value;
	fclose(f);
	return 0;
}

int fb_wstate_read(struct fb_wstate *s)
{
	long rss = 0, pte = 0, maps;
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];

	memset(s, 0, sizeof(*s));
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %lld", (long long *)&s->threads) == 1)
			break;
	fclose(f);
	if (fb_status_kib(0, "RssAnon", &rss) || fb_status_kib(0, "VmPTE", &pte))
		return -EIO;
	if ((maps = fb_count_mappings(0)) < 0)
		return (int)maps;
	s->maps = maps;
	s->rss_anon_kib = rss;
	s->pte_kib = pte;
	return rollup_kib("AnonHugePages", &s->thp_kib);
}

int fb_wstate_changed(const struct fb_wstate *base, const struct fb_wstate *now, char *why, size_t len)
{
	if (now->maps != base->maps)
		return snprintf(why, len, "mappings %lld -> %lld", (long long)base->maps, (long long)now->maps), 1;
	if (now->threads != base->threads)
		return snprintf(why, len, "threads %lld -> %lld", (long long)base->threads,
				(long long)now->threads), 1;
	if (moved(base->pte_kib, now->pte_kib, 0))
		return snprintf(why, len, "VmPTE %lld -> %lld kB", (long long)base->pte_kib,
				(long long)now->pte_kib), 1;
	if (now->thp_kib != base->thp_kib)
		return snprintf(why, len, "AnonHugePages %lld -> %lld kB", (long long)base->thp_kib,
				(long long)now->thp_kib), 1;
	if (moved(base->rss_anon_kib, now->rss_anon_kib, RSS_TOLERANCE_KIB))
		return snprintf(why, len, "RssAnon %lld -> %lld kB", (long long)base->rss_anon_kib,
				(long long)now->rss_anon_kib), 1;
	return 0;
}
