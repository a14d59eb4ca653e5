/* test_region.c - the parent's memory is resident at the requested size in
 * both page modes; THP mode records the real coverage read from smaps. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "region.h"
#include "sizes.h"

static void check_size(size_t mib, enum fb_page_mode mode)
{
	struct fb_region r;
	char name[96];
	long rss_before = 0, rss_after = 0;

	fb_status_kib(0, "VmRSS", &rss_before);
	int err = fb_region_create(&r, mib << 20, mode);
	fb_status_kib(0, "VmRSS", &rss_after);
	snprintf(name, sizeof(name), "%zu MiB %s: fully resident (mincore)", mib, fb_page_mode_name(mode));
	CHECK(err == 0 && r.resident_bytes == mib << 20, name, "err %d, resident %zu of %zu bytes",
	      err, r.resident_bytes, mib << 20);
	snprintf(name, sizeof(name), "%zu MiB %s: VmRSS grew by the region", mib, fb_page_mode_name(mode));
	CHECK(rss_after - rss_before >= (long)(mib << 10) * 9 / 10, name, "VmRSS grew %ld KiB", rss_after - rss_before);
	snprintf(name, sizeof(name), "%zu MiB %s: THP coverage within the region", mib, fb_page_mode_name(mode));
	CHECK(r.thp_bytes <= r.size_bytes && (mode == FB_PAGES_THP || r.thp_bytes == 0), name,
	      "thp_bytes %zu of %zu", r.thp_bytes, r.size_bytes);
	if (mode == FB_PAGES_THP && !fb_thp_unavailable_reason()) {
		snprintf(name, sizeof(name), "%zu MiB thp: base is 2 MiB aligned and coverage recorded", mib);
		CHECK(((uintptr_t)r.base & (FB_HUGE_BYTES - 1)) == 0 && r.thp_bytes % FB_HUGE_BYTES == 0, name,
		      "base %p thp_bytes %zu", (void *)r.base, r.thp_bytes);
		printf("# %zu MiB thp coverage: %zu of %zu bytes\n", mib, r.thp_bytes, r.size_bytes);
	}
	fb_region_destroy(&r);
}

int main(void)
{
	struct fb_sizes sizes;
	char err[256];

	setvbuf(stdout, NULL, _IOLBF, 0);
	check_size(16, FB_PAGES_4K);
	check_size(64, FB_PAGES_4K);
	if (fb_thp_unavailable_reason()) {
		SKIP("thp mode", fb_thp_unavailable_reason());
	} else {
		check_size(16, FB_PAGES_THP);
		check_size(64, FB_PAGES_THP);
	}
	struct fb_region empty;
	CHECK(fb_region_create(&empty, 0, FB_PAGES_4K) == 0 && empty.base == NULL, "0 MiB is an empty region", "base %p", (void *)empty.base);

	fb_sizes_default(&sizes, -1);
	CHECK(sizes.count == 6 && sizes.mib[5] == 1024, "default sweep ends at 1024 MiB", "count %zu", sizes.count);
	fb_sizes_default(&sizes, 100);
	CHECK(sizes.count == 5 && sizes.mib[3] == 64 && sizes.mib[4] == 100, "--max-mem 100 gives 0,1,16,64,100",
	      "count %zu last %zu", sizes.count, sizes.mib[sizes.count - 1]);
	CHECK(fb_sizes_parse("0,x", &sizes, err, sizeof(err)) == -1 && strstr(err, "'x'"), "bad size named",
	      "err '%s'", err);
	CHECK(fb_sizes_parse("1,1", &sizes, err, sizeof(err)) == -1, "duplicate size refused", "accepted");
	fb_sizes_parse("1000000", &sizes, err, sizeof(err));
	CHECK(fb_sizes_check_memory(&sizes, err, sizeof(err)) == -1 && strstr(err, "MemAvailable"),
	      "1 TB refused against MemAvailable", "err '%s'", err);
	return check_done();
}
