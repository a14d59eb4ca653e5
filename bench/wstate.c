/* wstate.c - read and compare a worker's own state (see wstate.h). */
#define _GNU_SOURCE
#include "wstate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "region.h"

/* Resident anonymous memory may move by a few pages without changing what
 * fork copies in a measurable way (a deeper call chain touches another stack
 * page); 256 KiB is 64 pages, about 1% of a 0 MiB fork's work, and far below
 * what the threads family leaves behind (a cached 8 MiB stack whose touched
 * pages stay resident). Mappings, page tables and threads must match exactly. */
#define RSS_TOLERANCE_KIB 256

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
	int64_t rss_moved = now->rss_anon_kib - base->rss_anon_kib;

	if (now->maps != base->maps)
		return snprintf(why, len, "mappings %lld -> %lld", (long long)base->maps, (long long)now->maps), 1;
	if (now->threads != base->threads)
		return snprintf(why, len, "threads %lld -> %lld", (long long)base->threads,
				(long long)now->threads), 1;
	if (now->pte_kib != base->pte_kib)
		return snprintf(why, len, "VmPTE %lld -> %lld kB", (long long)base->pte_kib,
				(long long)now->pte_kib), 1;
	if (now->thp_kib != base->thp_kib)
		return snprintf(why, len, "AnonHugePages %lld -> %lld kB", (long long)base->thp_kib,
				(long long)now->thp_kib), 1;
	if (rss_moved > RSS_TOLERANCE_KIB || rss_moved < -RSS_TOLERANCE_KIB)
		return snprintf(why, len, "RssAnon %lld -> %lld kB", (long long)base->rss_anon_kib,
				(long long)now->rss_anon_kib), 1;
	return 0;
}
