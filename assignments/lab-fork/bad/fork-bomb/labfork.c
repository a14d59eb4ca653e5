/* labfork.c - known-bad lab-fork submission: a fork bomb. Handles usage like
 * the reference, then every process forks forever. Expected: build and usage
 * pass, every test of the 16 MiB run fails (killed at the wall-clock limit);
 * the sandbox bounds the processes (pids cgroup, RLIMIT_NPROC) and kills all. */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	(void)argv;
	if (argc != 2) {
		fprintf(stderr, "usage: labfork SIZE_MIB\n");
		return 2;
	}
	for (;;)
		fork();
}
