/* labfork.c - known-bad lab-fork submission: crashes with SIGSEGV (writes
 * through a NULL buffer pointer). Expected: build and usage pass, the 16 MiB
 * run is killed by SIGSEGV, its tests fail. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: labfork SIZE_MIB\n");
		return 2;
	}
	volatile char *mem = NULL;   /* forgot the mmap */
	long mib = atol(argv[1]);
	for (long off = 0; off < (mib << 20); off += 4096)
		mem[off] = 1;
	printf("fork_us 1.0\n");
	return 0;
}
