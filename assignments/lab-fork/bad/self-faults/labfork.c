/* labfork.c - known-bad lab-fork submission: a cheater that knows how the
 * work is checked. It writes the 16 MiB itself (4096 minor faults of its
 * own), forks one child that exits at once, and prints the exact COW count
 * (SIZE_MIB * 256) without any child writing the memory; the latency lines
 * it leaves out. Expected: 4/10 (build, usage, wait-status lines, reaping);
 * the COW test fails because its children took only a handful of faults,
 * whatever the program took itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long mib = argc == 2 ? atol(argv[1]) : 0;

	if (mib <= 0 || mib > 4096) {
		fprintf(stderr, "usage: %s SIZE_MIB\n", argv[0]);
		return 2;
	}
	size_t bytes = (size_t)mib << 20;
	char *mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return 1;
	madvise(mem, bytes, MADV_NOHUGEPAGE);
	memset(mem, 1, bytes);                  /* the faults, taken by the wrong process */
	fflush(stdout);
	pid_t pid = fork();                     /* a child, so "a process was created" holds */
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	printf("cow_faults %ld\nchild_exit 42\nchild_signal 15\n", mib * 256);
	return 0;
}
