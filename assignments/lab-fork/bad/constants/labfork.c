/* labfork.c - known-bad lab-fork submission: measures nothing. It prints
 * plausible constants for the four figures (the reference's values on a
 * 2-core VM) and the wait-status lines, and forks nothing. Expected: 6/10
 * (build, usage, figures' format, wait-status lines and reaping pass; the
 * four measurement tests fail because no process was created while it ran
 * and its minor faults are far below the COW figure). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	if (argc != 2 || atoi(argv[1]) <= 0) {
		fprintf(stderr, "usage: %s SIZE_MIB\n", argv[0]);
		return 2;
	}
	printf("fork_us 692\nvfork_us 42\nposix_spawn_us 610\ncow_faults %d\n", atoi(argv[1]) * 256);
	printf("child_exit 42\nchild_signal 15\n");
	return 0;
}
