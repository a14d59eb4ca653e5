/* bare.c - fb-bare: the floor under the spawn figures. The leanest static C
 * fork (or vfork) + _exit + waitpid loop, in a process of its own that holds
 * nothing else: no region, no pipe protocol while it loops, no C++ runtime.
 * `fb-bare fork|vfork N` times N round trips with CLOCK_MONOTONIC and then
 * writes them to stdout as N int64 nanosecond counts. forkbench-bench runs it
 * as calibrate/bare_fork and calibrate/bare_vfork, interleaved with the
 * suite, so a report can say how far above the floor its fork figure is. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bare.h"
#include "stackpage.h"
#include "stringify.h"

/* Touched before the loop, so the loop's own writes do not grow what fork
 * copies while it runs. */
static int64_t round_ns[FB_BARE_MAX_ROUNDS];

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One round trip each, timed: -1 when the child could not be started or
 * did not exit 0. One function per primitive, not a function pointer, and
 * no loop state live across the call: vfork's child borrows this frame. */
__attribute__((noinline)) static int64_t fork_once(void)
{
	int status;
	FB_STACK_TO_PAGE_ROOM();
	int64_t t0 = now_ns();
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
		return -1;
	return now_ns() - t0;
}

__attribute__((noinline)) static int64_t vfork_once(void)
{
	int status;
	FB_STACK_TO_PAGE_ROOM();
	int64_t t0 = now_ns();
	pid_t pid = vfork();
	if (pid == 0)
		_exit(0);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
		return -1;
	return now_ns() - t0;
}

static int loop(int64_t (*once)(void), long n)
{
	for (long i = 0; i < n; i++)
		if ((round_ns[i] = once()) < 0)
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc == 4 ? strtol(argv[2], NULL, 10) : 0;
	int is_fork = argc == 4 && strcmp(argv[1], "fork") == 0;

	if (n < 1 || n > FB_BARE_MAX_ROUNDS || (!is_fork && strcmp(argv[1], "vfork"))) {
		static const char usage[] = "usage: fb-bare fork|vfork N PARENT_PID (N 1.." FB_STRINGIFY(FB_BARE_MAX_ROUNDS)
					    "; run by forkbench-bench)\n";
		return write(2, usage, sizeof(usage) - 1) < 0 ? 2 : 2;
	}
	/* Die with forkbench-bench, whatever kills it (and leave at once if it
	 * died before the prctl: our parent is then another process). */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != (pid_t)strtol(argv[3], NULL, 10))
		return 1;
	memset(round_ns, 0, sizeof(round_ns));
	if (loop(is_fork ? fork_once : vfork_once, n) != 0)
		return 1;
	size_t left = (size_t)n * sizeof(round_ns[0]);
	for (const char *p = (const char *)round_ns; left;) {
		ssize_t done = write(1, p, left);
		if (done <= 0)
			return 1;
		p += done;
		left -= (size_t)done;
	}
	return 0;
}
