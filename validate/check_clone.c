/* check_clone.c - clone's sharing flags each share exactly what they name:
 * CLONE_VM memory, CLONE_FILES the fd table, CLONE_SIGHAND the signal
 * dispositions (and not without them); CLONE_THREAD makes a thread of the
 * same process. glibc's clone() wrapper runs fn on the given stack and ends
 * the task with the exit syscall (this task only) when fn returns. */
#define _GNU_SOURCE
#include "checks.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define STACK_BYTES (256 * 1024)

/* clone(fn, flags | SIGCHLD) and reap it: its exit status, or -errno. */
static int clone_and_reap(int (*fn)(void *), int flags, void *arg)
{
	char *stack = mmap(NULL, STACK_BYTES, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	int status, err = 0;

	if (stack == MAP_FAILED)
		return -errno;
	fflush(NULL);
	pid_t pid = clone(fn, stack + STACK_BYTES, flags | SIGCHLD, arg);
	if (pid < 0 || fb_reap(pid, &status, 0) < 0)
		err = -errno;
	munmap(stack, STACK_BYTES);   /* the child is gone: its stack is free */
	if (err)
		return err;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -ECHILD;
}

static int write_42(void *arg)
{
	*(volatile int *)arg = 42;
	return 0;
}

/* The word the parent reads after a child wrote 42 to it, or -errno. */
static int word_after_child_write(int flags)
{
	static volatile int word;   /* private: shared only through CLONE_VM */
	word = 1;
	int err = clone_and_reap(write_42, flags, (void *)&word);
	return err ? (err < 0 ? err : -ECHILD) : word;
}

int fb_check_clone_vm_shares_memory(struct fb_vmsg *m)
{
	int with = word_after_child_write(CLONE_VM), without = word_after_child_write(0);

	if (with < 0 || without < 0)
		return fb_fail(m, "clone: %s", strerror(-(with < 0 ? with : without)));
	if (with != 42 || without != 1)
		return fb_fail(m, "after the child wrote 42 the parent reads " FB_GOT("%d with CLONE_VM, %d without")
			       " (" FB_EXPECTED("42 with CLONE_VM, 1 without") ")", with, without);
	return FB_CHECK_PASS;
}

/* The child opens a fd and returns its number (small: fits the status). */
static int open_one(void *arg)
{
	(void)arg;
	return open("/dev/null", O_RDONLY);
}

int fb_check_clone_files_shares_fds(struct fb_vmsg *m)
{
	int shared_fd = clone_and_reap(open_one, CLONE_FILES, NULL);
	int shared_seen = shared_fd >= 0 && fcntl(shared_fd, F_GETFD) >= 0;
	int copied_fd = clone_and_reap(open_one, 0, NULL);
	int copied_seen = copied_fd >= 0 && fcntl(copied_fd, F_GETFD) >= 0;

	if (shared_fd < 0 || copied_fd < 0)
		return fb_fail(m, "clone or open in the child: %s", strerror(-(shared_fd < 0 ? shared_fd : copied_fd)));
	if (!shared_seen || copied_seen)
		return fb_fail(m, "the child's new fd is " FB_GOT("%s in the parent with CLONE_FILES and %s without")
			       " (" FB_EXPECTED("open with, absent without") ")",
			       shared_seen ? "open" : "absent", copied_seen ? "open" : "absent");
	return FB_CHECK_PASS;
}

static int ignore_signal(void *arg)
{
	signal(*(int *)arg, SIG_IGN);
	return 0;
}

/* The parent's disposition of sig after a CLONE_VM child ignored it. */
static int disposition_after_child(int sig, int flags, void **handler)
{
	struct sigaction sa;
	int err = clone_and_reap(ignore_signal, CLONE_VM | flags, &sig);

	sigaction(sig, NULL, &sa);
	*handler = (void *)sa.sa_handler;
	return err;
}

int fb_check_clone_sighand_shares_dispositions(struct fb_vmsg *m)
{
	void *shared, *own;
	int err = disposition_after_child(SIGUSR1, CLONE_SIGHAND, &shared);

	if (err || (err = disposition_after_child(SIGUSR2, 0, &own)))
		return fb_fail(m, "clone: %s", strerror(err < 0 ? -err : ECHILD));
	if (shared != (void *)SIG_IGN || own != (void *)SIG_DFL)
		return fb_fail(m, "after the child set SIG_IGN, the parent's disposition is " FB_GOT("%s with CLONE_SIGHAND "
			       "and %s without") " (" FB_EXPECTED("SIG_IGN with, not SIG_IGN without") ")", shared == (void *)SIG_IGN ? "SIG_IGN" : "not SIG_IGN",
			       own == (void *)SIG_IGN ? "SIG_IGN" : "not SIG_DFL");
	return FB_CHECK_PASS;
}

struct thread_probe {
	volatile pid_t tgid, tid;
	volatile int release;
};

/* Runs without its own TLS (no CLONE_SETTLS): raw syscalls only. A
 * failing syscall() would set errno in the parent's TLS, which the parent
 * does not read meanwhile. */
static int thread_body(void *arg)
{
	struct thread_probe *t = arg;

	t->tgid = (pid_t)syscall(SYS_getpid);
	t->tid = (pid_t)syscall(SYS_gettid);
	while (!t->release)
		syscall(SYS_futex, &t->release, FUTEX_WAIT, 0, NULL, NULL, 0);
	return 0;
}

/* Start the thread and wait (bounded) until it has said who it is. */
static pid_t start_thread(struct thread_probe *t, char *stack, volatile pid_t *ctid)
{
	const int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			  CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
	pid_t tid = clone(thread_body, stack + STACK_BYTES, flags, t, (pid_t *)ctid, NULL, (pid_t *)ctid);

	for (int waited_ms = 0; tid > 0 && !t->tid && waited_ms < 5000; waited_ms++)
		fb_sleep_ms(1);
	return tid;
}

int fb_check_clone_thread_same_process(struct fb_vmsg *m)
{
	static struct thread_probe t;
	static volatile pid_t ctid;
	char path[64], *stack = mmap(NULL, STACK_BYTES, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	struct stat st;

	if (stack == MAP_FAILED)
		return fb_fail(m, "mmap: %s", strerror(errno));
	pid_t tid = start_thread(&t, stack, &ctid);
	if (tid < 0)
		return fb_fail(m, "clone(CLONE_THREAD): %s", strerror(errno));
	snprintf(path, sizeof(path), "/proc/self/task/%d", (int)t.tid);
	int listed = t.tid > 0 && stat(path, &st) == 0;
	t.release = 1;
	syscall(SYS_futex, &t.release, FUTEX_WAKE, 1, NULL, NULL, 0);
	for (pid_t seen; (seen = ctid) != 0;)   /* CLONE_CHILD_CLEARTID: the join */
		syscall(SYS_futex, &ctid, FUTEX_WAIT, seen, NULL, NULL, 0);
	munmap(stack, STACK_BYTES);
	if (t.tgid != getpid() || t.tid != tid || t.tid == gettid() || !listed)
		return fb_fail(m, "thread: " FB_GOT("getpid %d (process %d), gettid %d (clone returned %d, caller %d), "
			       "%s in /proc/self/task") " (" FB_EXPECTED("getpid the process's, gettid clone's, listed") ")", (int)t.tgid, (int)getpid(), (int)t.tid, (int)tid,
			       (int)gettid(), listed ? "listed" : "not listed");
	return FB_CHECK_PASS;
}
