/* exit0.c - the exec target of the spawn family: exits 0 at once. Built twice,
 * static and dynamic, so exec cost can be told apart from dynamic loading.
 * With a file descriptor number as argv[1] it first writes its start time
 * (CLOCK_MONOTONIC ns, 8 bytes) there: the "child start" of exec forms. */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec ts;
	int64_t start_ns;

	if (argc < 2)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	start_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	return write(atoi(argv[1]), &start_ns, sizeof(start_ns)) == sizeof(start_ns) ? 0 : 1;
}
