/* labfork.c - known-bad lab-fork submission: does not compile (a missing
 * semicolon and an undeclared name). Expected: score 0, every test says the
 * build failed. */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("fork_us %f\n", fork_latency_us(argc, argv))
	return 0;
}
