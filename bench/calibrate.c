/* calibrate.c - the calibration family: loops that measure the machine
 * rather than forkbench. syscall and touch let `forkbench compare
 * --normalize` express a figure relative to the machine's speed; bare_fork
 * and bare_vfork (run in fb-bare, bench/bare.c) are the floor under the
 * spawn figures, so a run states its own overhead. */
#define _GNU_SOURCE
#include "family.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SYSCALLS_PER_ITERATION 1000
#define TOUCH_BYTES ((size_t)4 << 20)

/* The raw getppid syscall: the cheapest round trip into the kernel (glibc
 * caches nothing for it, and the raw form bypasses any wrapper). */
static int calibrate_syscall(struct fb_env *env, struct fb_sample *out, size_t n)
{
	(void)env;
	for (size_t i = 0; i < n; i++) {
		int64_t t0 = fb_now_ns();
		for (int k = 0; k < SYSCALLS_PER_ITERATION; k++)
			syscall(SYS_getppid);
		out[i].time_ns = (double)(fb_now_ns() - t0);
		out[i].values[0] = out[i].time_ns / SYSCALLS_PER_ITERATION;
	}
	return 0;
}

/* Fault in 4 MiB of fresh anonymous memory page by page, then unmap it:
 * page allocation and zeroing, the work behind every COW and first-touch
 * fault. */
static int calibrate_touch(struct fb_env *env, struct fb_sample *out, size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	for (size_t i = 0; i < n; i++) {
		int64_t t0 = fb_now_ns();
		char *mem = mmap(NULL, TOUCH_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED) {
			snprintf(env->reason, sizeof(env->reason), "mmap: %s", strerror(errno));
			return FB_NO_RESOURCE;
		}
		madvise(mem, TOUCH_BYTES, MADV_NOHUGEPAGE);
		for (size_t off = 0; off < TOUCH_BYTES; off += page)
			((volatile char *)mem)[off] = 1;
		munmap(mem, TOUCH_BYTES);
		out[i].time_ns = (double)(fb_now_ns() - t0);
		out[i].values[0] = out[i].time_ns / (double)(TOUCH_BYTES / page);
	}
	return 0;
}

static const char *const syscall_values[] = { "ns_per_syscall", NULL };
static const char *const touch_values[] = { "ns_per_page", NULL };

static const struct fb_case calibrate_cases[] = {
	/* kernel entry and exit cost: scales with the CPU and mitigations */
	{ .name = "syscall", .run = calibrate_syscall, .value_names = syscall_values, .what = "1000 getppid syscalls",
	  .per = "syscall", .per_count = SYSCALLS_PER_ITERATION },
	/* page allocation and zeroing: scales with memory bandwidth and paging */
	{ .name = "touch", .run = calibrate_touch, .value_names = touch_values, .what = "fault in 4 MiB of fresh memory",
	  .per = "page (4 KiB)", .per_count = TOUCH_BYTES / 4096 },
	/* the floor under spawn/fork and spawn/vfork at 0 MiB: the same round
	 * trip from the leanest static process, no worker, no pipe protocol */
	{ .name = "bare_fork", .what = "fork + _exit + waitpid in fb-bare", .bare_loop = "fork", .per = "round trip" },
	{ .name = "bare_vfork", .what = "vfork + _exit + waitpid in fb-bare", .bare_loop = "vfork", .per = "round trip" },
};

const struct fb_family fb_calibrate_family = {
	.name = "calibrate", .cases = calibrate_cases, .ncases = sizeof(calibrate_cases) / sizeof(calibrate_cases[0]),
};
