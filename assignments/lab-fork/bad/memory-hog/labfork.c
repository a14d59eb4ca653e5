/* labfork.c - known-bad lab-fork submission: a memory hog that keeps
 * allocating and touching 64 MiB blocks and aborts when malloc fails.
 * Expected: build and usage pass, the 16 MiB run dies (RLIMIT_AS makes malloc
 * fail; SIGABRT), its tests fail, the grader is unharmed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	(void)argv;
	if (argc != 2) {
		fprintf(stderr, "usage: labfork SIZE_MIB\n");
		return 2;
	}
	for (;;) {
		char *block = malloc((size_t)64 << 20);
		if (!block) {
			fprintf(stderr, "out of memory\n");
			abort();
		}
		memset(block, 1, (size_t)64 << 20);
	}
}
