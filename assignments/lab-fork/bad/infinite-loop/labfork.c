/* labfork.c - known-bad lab-fork submission: an infinite loop (an unsigned
 * counter that never goes below zero). Expected: build and usage pass, the
 * 16 MiB run is killed by the CPU or wall-clock limit, its tests fail. */
#include <stdio.h>

int main(int argc, char **argv)
{
	(void)argv;
	if (argc != 2) {
		fprintf(stderr, "usage: labfork SIZE_MIB\n");
		return 2;
	}
	volatile unsigned long spins = 0;
	for (unsigned i = 10; i >= 0; i--)   /* always true: i is unsigned */
		spins++;
	printf("fork_us %lu\n", spins);
	return 0;
}
