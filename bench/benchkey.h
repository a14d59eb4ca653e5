/* benchkey.h - a benchmark's identity: family, case, memory size and page
 * mode. Its name in bench.json, "family/case/mem_mib:N/mode:M" (the case
 * may itself hold '/'), is written and read here alone: bench/main.c names
 * the benchmarks with fb_key_format, the harness reads them back with
 * fb_key_parse, and every table that points at a benchmark (ratios, plots,
 * claims, consistency rules, calibration, the grader's references) holds
 * keys, checked against the families' registry by fb_key_registered. */
#ifndef FB_BENCHKEY_H
#define FB_BENCHKEY_H

#include <stddef.h>
#include <stdint.h>

struct fb_bench_key {
	char family[32];   /* "spawn", "cow", "threads", "calibrate" */
	char kase[64];     /* the case row's name: "fork", "child_write_all" */
	long mem_mib;      /* resident memory of the worker */
	char mode[8];      /* "4k" or "thp" */
};

#define FB_KEY(fam, name, mib, pages) { .family = fam, .kase = name, .mem_mib = mib, .mode = pages }
/* A key at 0 MiB with 4 KiB pages: the point most tables name. */
#define FB_KEY0(fam, name) FB_KEY(fam, name, 0, "4k")
/* Longest name fb_key_format writes, with its NUL. */
#define FB_KEY_NAME_MAX 160

/* "family/case/mem_mib:N/mode:M" into buf; returns buf. */
const char *fb_key_format(const struct fb_bench_key *key, char *buf, size_t len);
/* The key of such a name (a Google Benchmark suffix such as "/manual_time"
 * after the mode is ignored). 0, or -1 when name is not of that form. */
int fb_key_parse(const char *name, struct fb_bench_key *key);
int fb_key_equal(const struct fb_bench_key *a, const struct fb_bench_key *b);
/* A case on an axis of its own (family.h's struct fb_axis) is named
 * "case/axis:N" in key->kase: set it from its parts (axis NULL: the case
 * alone), and split it back. fb_key_axis returns 1 and fills base, axis and
 * value when the case's last part is "axis:N"; else 0, base = the case. */
void fb_key_set_case(struct fb_bench_key *key, const char *base, const char *axis, long value);
int fb_key_axis(const struct fb_bench_key *key, char *base, size_t base_len, char *axis, size_t axis_len,
		long *value);
/* A --benchmark_filter regex that selects exactly these n benchmarks
 * (names hold no regex characters but '/', ':' and '_'). 0, or -1 when it
 * does not fit in len. */
int fb_key_filter(const struct fb_bench_key *keys, size_t n, char *buf, size_t len);
/* Does a registered case run at this point (family and case exist, the
 * size and mode are on its axes)? 1 or 0 (bench/families.c). */
int fb_key_registered(const struct fb_bench_key *key);
/* Where a registered key's case sits in fb_families (family.h): the
 * family's and case's indexes and the value on the case's own axis (0
 * without one), as a worker request names them. 0, or -1 when the key is
 * not registered (bench/families.c). */
int fb_key_locate(const struct fb_bench_key *key, unsigned *family, unsigned *kase, int64_t *axis_value);
/* The own axis of the key's case (family.h), when the key is registered
 * and names a value on it; else NULL (bench/families.c). */
struct fb_axis;
const struct fb_axis *fb_key_case_axis(const struct fb_bench_key *key);
/* What one iteration of the key's case is (struct fb_case's per and
 * per_count): "iteration" and 1 for a key that names no case. */
void fb_key_case_per(const struct fb_bench_key *key, const char **per, unsigned *count);

#endif
