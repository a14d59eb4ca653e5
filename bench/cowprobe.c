/* cowprobe.c - fb-cow-probe SIZE_MIB CASE: run one COW case once in a
 * fresh 4 KiB-page region and print the suite's own counts as
 * "faults_perf faults_rusage faults_expected". scripts/cow-perf-check.sh
 * runs it under `perf stat -e minor-faults` to cross-check those counts
 * with a tool that shares none of our code. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "family.h"

extern const struct fb_family fb_cow_family;

static const struct fb_case *find_case(const char *name)
{
	for (size_t k = 0; k < fb_cow_family.ncases; k++)
		if (strcmp(fb_cow_family.cases[k].name, name) == 0)
			return &fb_cow_family.cases[k];
	return NULL;
}

/* The value named name in one sample, or -1. */
static double value(const struct fb_case *k, const struct fb_sample *s, const char *name)
{
	for (size_t v = 0; k->value_names[v]; v++)
		if (strcmp(k->value_names[v], name) == 0)
			return s->values[v];
	return -1;
}

int main(int argc, char **argv)
{
	static struct fb_env env;
	struct fb_region region;
	struct fb_sample sample;
	const struct fb_case *k = argc == 3 ? find_case(argv[2]) : NULL;
	long mib = argc == 3 ? strtol(argv[1], NULL, 10) : 0;

	if (!k || mib <= 0 || k->run == NULL || strcmp(k->name, "naive_copy") == 0) {
		fprintf(stderr, "usage: fb-cow-probe SIZE_MIB CASE (a cow case such as child_write_all)\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (fb_region_create(&region, (size_t)mib << 20, FB_PAGES_4K)) {
		fprintf(stderr, "fb-cow-probe: cannot create a %ld MiB region\n", mib);
		return 1;
	}
	env.region = &region;
	env.param = k->param;
	env.data = k->data;
	memset(&sample, 0, sizeof(sample));
	int err = k->run(&env, &sample, 1);
	if (err) {
		fprintf(stderr, "fb-cow-probe: %s: %s\n", k->name, env.reason);
		return 1;
	}
	printf("%.0f %.0f %.0f\n", value(k, &sample, "faults_perf"), value(k, &sample, "faults_rusage"),
	       value(k, &sample, "faults_expected"));
	fb_region_destroy(&region);
	return 0;
}
