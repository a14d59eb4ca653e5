/* check_fork.c - what fork itself promises: two returns, the parent's pid
 * as the child's parent, the lecture's example, and what the child inherits
 * (fds with their offsets, signal dispositions, the blocked mask) and what
 * it does not (pending signals, other threads). */
#define _GNU_SOURCE
#include "checks.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* What each side saw, in a page both keep after fork. */
struct fork_returns {
	atomic_int returns;
	pid_t in_parent, in_child;   /* what fork() returned on each side */
	pid_t child_pid, child_ppid; /* getpid() and getppid() in the child */
};

int fb_check_fork_returns_twice(struct fb_vmsg *m)
{
	struct fork_returns *s = fb_shared_page();
	pid_t parent = getpid();
	int status;

	if (!s)
		return fb_fail(m, "mmap of a shared page: %s", strerror(errno));
	fflush(NULL);
	pid_t ret = fork();
	if (ret < 0)
		return fb_fail(m, "fork: %s", strerror(errno));
	atomic_fetch_add(&s->returns, 1);
	if (getpid() != parent) {   /* decide by identity, not by the value tested */
		s->in_child = ret;
		s->child_pid = getpid();
		s->child_ppid = getppid();
		_exit(0);
	}
	s->in_parent = ret;
	fb_reap(ret, &status, 0);
	if (atomic_load(&s->returns) != 2)
		return fb_fail(m, "fork returned %d times", atomic_load(&s->returns));
	if (s->in_child != 0 || s->in_parent != s->child_pid)
		return fb_fail(m, "fork returned %d in the child and %d in the parent; the child's pid is %d",
			       (int)s->in_child, (int)s->in_parent, (int)s->child_pid);
	if (s->child_ppid != parent)
		return fb_fail(m, "getppid() in the child is %d, the parent's pid is %d", (int)s->child_ppid, (int)parent);
	return FB_CHECK_PASS;
}

/* Test-only knob: FORKBENCH_VALIDATE_EXPECT_EXIT makes the lecture check
 * expect another exit status, so that the tests can watch a check fail and
 * say what it saw. Nothing but tests/test_validate.c sets it. */
static int expected_exit_status(void)
{
	const char *knob = getenv("FORKBENCH_VALIDATE_EXPECT_EXIT");
	return knob && *knob ? atoi(knob) : 99;
}

/* The lecture's code, with stdout captured through a pipe (the child
 * sleeps 100 ms, not 1 s, to keep the suite quick). */
static pid_t lecture_example(int *wstatus)
{
	pid_t pid;

	fflush(NULL);
	switch (pid = fork()) {
	case -1:
		return -1;
	case 0: /* pid = 0: new born child process */
		fb_sleep_ms(100);
		printf("Nooooooooo!\n");
		fflush(stdout);
		_exit(99);
	default: /* pid = pid of child: parent process */
		printf("I am your father!: your pid is %d\n", pid);
		break;
	}
	if (fb_reap(pid, wstatus, 0) != pid)
		return -1;
	printf("Child exit status: %d\n", WEXITSTATUS(*wstatus));
	fflush(stdout);
	return pid;
}

int fb_check_fork_lecture_example(struct fb_vmsg *m)
{
	char out[512] = "", line[96], how[96];
	int fds[2], status = 0, expect = expected_exit_status();

	if (pipe(fds) || dup2(fds[1], STDOUT_FILENO) < 0)
		return fb_fail(m, "pipe: %s", strerror(errno));
	close(fds[1]);
	pid_t pid = lecture_example(&status);
	close(STDOUT_FILENO);   /* the last write end: read() below sees EOF */
	if (pid < 0)
		return fb_fail(m, "fork or waitpid: %s", strerror(errno));
	ssize_t got;
	for (size_t len = 0; len < sizeof(out) - 1; len += (size_t)got)
		if ((got = read(fds[0], out + len, sizeof(out) - 1 - len)) <= 0)
			break;
	close(fds[0]);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != expect)
		return fb_fail(m, "expected the child to exit with status %d; waitpid saw it %s", expect,
			       fb_describe_status(status, how, sizeof(how)));
	snprintf(line, sizeof(line), "I am your father!: your pid is %d\n", (int)pid);
	if (!strstr(out, "Nooooooooo!\n") || !strstr(out, line) || !strstr(out, "Child exit status: 99\n"))
		return fb_fail(m, "the output lacks a line of the child or the parent: '%.300s'", out);
	return FB_CHECK_PASS;
}

int fb_check_fork_shares_file_offset(struct fb_vmsg *m)
{
	char text[16] = "";
	int status;
	int fd = memfd_create("fb-offset", MFD_CLOEXEC);

	if (fd < 0)
		return fb_fail(m, "memfd_create: %s", strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		_exit(write(fd, "child", 5) == 5 ? 0 : 1);
	if (pid < 0 || fb_reap(pid, &status, 0) != pid)
		return fb_fail(m, "fork or waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return fb_fail(m, "the child could not write to the inherited fd");
	off_t offset = lseek(fd, 0, SEEK_CUR);
	if (offset != 5)
		return fb_fail(m, "after the child wrote 5 bytes, the parent's offset is %lld, not 5", (long long)offset);
	if (write(fd, "parent", 6) != 6 || pread(fd, text, sizeof(text) - 1, 0) != 11 || strcmp(text, "childparent"))
		return fb_fail(m, "the file holds '%s', not 'childparent'", text);
	return FB_CHECK_PASS;
}

static volatile sig_atomic_t handled_signal;

static void on_signal(int sig)
{
	handled_signal = sig;
}

/* The child's exit status: 0 as expected, else which part differed. */
/* Fork a child that runs child() and leaves with its result: 0 when it saw
 * what the check expects, else an index into seen[] saying what it saw
 * instead. The child is always reaped. */
static int fork_child_verdict(struct fb_vmsg *m, int (*child)(void), const char *const *seen, size_t nseen)
{
	int status;

	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		_exit(child());
	if (pid < 0 || fb_reap(pid, &status, 0) != pid)
		return fb_fail(m, "fork or waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) >= (int)nseen)
		return fb_fail(m, "the child ended with wait status 0x%x", status);
	return WEXITSTATUS(status) ? fb_fail(m, "%s", seen[WEXITSTATUS(status)]) : FB_CHECK_PASS;
}

static int child_dispositions(void)
{
	struct sigaction usr1, usr2;

	sigaction(SIGUSR1, NULL, &usr1);
	sigaction(SIGUSR2, NULL, &usr2);
	if (usr1.sa_handler != on_signal)
		return 1;
	if (usr2.sa_handler != SIG_IGN)
		return 2;
	raise(SIGUSR2);   /* ignored: we live on */
	raise(SIGUSR1);
	return handled_signal == SIGUSR1 ? 0 : 3;
}

int fb_check_fork_inherits_dispositions(struct fb_vmsg *m)
{
	static const char *const seen[] = { "", "the SIGUSR1 handler was not inherited",
					    "SIG_IGN for SIGUSR2 was not inherited",
					    "the inherited SIGUSR1 handler did not run" };
	struct sigaction sa = { .sa_handler = on_signal };

	if (sigaction(SIGUSR1, &sa, NULL) || signal(SIGUSR2, SIG_IGN) == SIG_ERR)
		return fb_fail(m, "sigaction: %s", strerror(errno));
	return fork_child_verdict(m, child_dispositions, seen, sizeof(seen) / sizeof(seen[0]));
}

static int child_pending(void)
{
	sigset_t pending, mask;

	sigpending(&pending);
	sigprocmask(SIG_BLOCK, NULL, &mask);
	if (sigismember(&pending, SIGUSR1))
		return 1;
	return sigismember(&mask, SIGUSR1) ? 0 : 2;
}

int fb_check_fork_drops_pending_signals(struct fb_vmsg *m)
{
	static const char *const seen[] = { "", "SIGUSR1, pending in the parent, is pending in the child too",
					    "the child's signal mask lost the blocked SIGUSR1" };
	sigset_t set, pending;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR1);
	if (sigpending(&pending) || !sigismember(&pending, SIGUSR1))
		return fb_fail(m, "a raised, blocked SIGUSR1 is not pending in the parent");
	return fork_child_verdict(m, child_pending, seen, sizeof(seen) / sizeof(seen[0]));
}

static void *block_on_pipe(void *arg)
{
	char byte;
	return (void *)(long)read(*(int *)arg, &byte, 1);   /* until EOF */
}

int fb_check_fork_copies_calling_thread_only(struct fb_vmsg *m)
{
	int fds[2], status = 0;
	pthread_t thread;

	if (pipe(fds) || (errno = pthread_create(&thread, NULL, block_on_pipe, &fds[0])))
		return fb_fail(m, "pipe or pthread_create: %s", strerror(errno));
	int parent_tasks = fb_count_tasks();
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		_exit(fb_count_tasks());
	close(fds[1]);   /* the thread sees EOF and returns */
	pthread_join(thread, NULL);
	if (pid < 0 || fb_reap(pid, &status, 0) != pid)
		return fb_fail(m, "fork or waitpid: %s", strerror(errno));
	if (parent_tasks != 2)
		return fb_fail(m, "the parent has %d entries in /proc/self/task, expected 2", parent_tasks);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 1)
		return fb_fail(m, "the child of a 2-thread parent has %d tasks (wait status 0x%x), expected 1",
			       WIFEXITED(status) ? (int)(signed char)WEXITSTATUS(status) : -1, status);
	return FB_CHECK_PASS;
}
