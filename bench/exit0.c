/* exit0.c - the exec target of the spawn family: exits 0 at once. Built twice,
 * static and dynamic, so exec cost can be told apart from dynamic loading.
 * With a file descriptor number as argv[1] it writes two CLOCK_MONOTONIC
 * stamps there in one 16-byte write: its start (the "child start" of exec
 * forms) and its exit (just before the write and the return: where the
 * parent's exit_ns begins, so the write itself is part of exit_ns). */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	int64_t stamps[2]; /* start, exit: the layout of spawn.c's struct stamp */
	int fd;

	if (argc < 2)
		return 0;
	stamps[0] = now_ns();
	fd = atoi(argv[1]);
	stamps[1] = now_ns();
	return write(fd, stamps, sizeof(stamps)) == sizeof(stamps) ? 0 : 1;
}
