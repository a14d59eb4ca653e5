/* fuzz_json.c - a libFuzzer target for the JSON loading path: each input
 * is read as a bench.json (the results loader, then everything downstream
 * of it: summary, consistency, compare against itself) and as a manifest
 * (fb_manifest_check). Built by `make fuzz` with clang, AddressSanitizer
 * and UBSan; tests/fuzz/corpus and tests/fuzz/manifests are its seeds. */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "downstream.h"
#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	char path[64], err[1024];
	struct fb_results res;
	json_error_t jerr;
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (!null)
		null = fopen("/dev/null", "w");
	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (fb_results_load(path, &res, err, sizeof(err)) == 0) {
		fb_fuzz_downstream(&res, &res, null);
		fb_results_free(&res);
	}
	json_t *m = json_loadb((const char *)data, size, 0, &jerr);
	if (m)
		fb_manifest_check(m, 1, err, sizeof(err));
	json_decref(m);
	close(fd);
	return 0;
}
