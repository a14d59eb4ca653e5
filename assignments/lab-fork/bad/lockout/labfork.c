/* labfork.c - known-bad lab-fork submission: the reference, but every run
 * first takes the search permission off its own folder (chmod . 000), so
 * that no later step could enter it: the build's folder is the runs'
 * working folder. The grader sets the folder's mode again before each step,
 * so it scores 10/10 like the reference (before that fix every later step
 * failed to start and the grading ended with exit status 1). */
#define _GNU_SOURCE
#include <spawn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 100
#define PAGE_BYTES 4096

extern char **environ;

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Mean round trip of create + child exit + waitpid, in microseconds. */
static double fork_us(int use_vfork)
{
	double start = now_us();
	for (int i = 0; i < ROUNDS; i++) {
		pid_t pid = use_vfork ? vfork() : fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0 || waitpid(pid, NULL, 0) != pid)
			return -1;
	}
	return (now_us() - start) / ROUNDS;
}

static double posix_spawn_us(void)
{
	char *const argv[] = { "true", NULL };
	double start = now_us();
	for (int i = 0; i < ROUNDS; i++) {
		pid_t pid;
		if (posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ) ||
		    waitpid(pid, NULL, 0) != pid)
			return -1;
	}
	return (now_us() - start) / ROUNDS;
}

/* The child writes every page and reports its minor faults through a pipe. */
static long cow_faults(char *mem, size_t bytes)
{
	int fds[2];
	long faults = -1;
	if (pipe(fds))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		struct rusage before, after;
		getrusage(RUSAGE_SELF, &before);
		for (size_t off = 0; off < bytes; off += PAGE_BYTES)
			mem[off] = 2;
		getrusage(RUSAGE_SELF, &after);
		long n = after.ru_minflt - before.ru_minflt;
		_exit(write(fds[1], &n, sizeof(n)) == sizeof(n) ? 0 : 1);
	}
	close(fds[1]);
	if (pid > 0 && read(fds[0], &faults, sizeof(faults)) != sizeof(faults))
		faults = -1;
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return faults;
}

/* Decode a child's wait status with the macros, never by hand. */
static void wait_statuses(void)
{
	int status;
	pid_t pid = fork();
	if (pid == 0)
		_exit(42);
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		printf("child_exit %d\n", WEXITSTATUS(status));
	pid = fork();
	if (pid == 0) {
		raise(SIGTERM);
		_exit(0);
	}
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFSIGNALED(status))
		printf("child_signal %d\n", WTERMSIG(status));
}

int main(int argc, char **argv)
{
	if (chmod(".", 0))   /* locks the folder for whoever comes next */
		return 3;
	char *end;
	long mib = argc == 2 ? strtol(argv[1], &end, 10) : -1;
	if (argc != 2 || *end || mib < 0 || mib > 4096) {
		fprintf(stderr, "usage: labfork SIZE_MIB\n");
		return 2;
	}
	size_t bytes = (size_t)mib << 20;
	char *mem = bytes ? mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) : NULL;
	if (mem == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	if (bytes) {
		madvise(mem, bytes, MADV_NOHUGEPAGE);   /* one fault per 4 KiB page */
		memset(mem, 1, bytes);                  /* resident: fork copies its page tables */
	}
	setvbuf(stdout, NULL, _IOLBF, 0);       /* nothing buffered twice across fork */
	printf("fork_us %.1f\n", fork_us(0));
	printf("vfork_us %.1f\n", fork_us(1));
	printf("posix_spawn_us %.1f\n", posix_spawn_us());
	printf("cow_faults %ld\n", cow_faults(mem, bytes));
	wait_statuses();
	return 0;
}
