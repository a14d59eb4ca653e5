/* check_fork.c - what fork itself promises: two returns, the parent's pid
 * as the child's parent, the lecture's example, and what the child inherits
 * (fds with their offsets, signal dispositions, the blocked mask, every
 * mapping as it was) and what it does not (pending signals, other threads,
 * MADV_DONTFORK mappings). */
#define _GNU_SOURCE
#include "checks.h"

#include <errno.h>
#include <fcntl.h>
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
		return fb_fail(m, "fork returned " FB_GOT("%d times") " (" FB_EXPECTED("2 times") ")", atomic_load(&s->returns));
	if (s->in_child != 0 || s->in_parent != s->child_pid)
		return fb_fail(m, "fork returned " FB_GOT("%d in the child and %d in the parent") "; " FB_EXPECTED("0 in the child, "
			       "its pid %d in the parent"), (int)s->in_child, (int)s->in_parent, (int)s->child_pid);
	if (s->child_ppid != parent)
		return fb_fail(m, "getppid() in the child is " FB_GOT("%d") ", the parent's pid is " FB_EXPECTED("%d"),
			       (int)s->child_ppid, (int)parent);
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
		return fb_fail(m, "waitpid saw the child " FB_GOT("%s") ", expected " FB_EXPECTED("exited %d"),
			       fb_describe_status(status, how, sizeof(how)), expect);
	snprintf(line, sizeof(line), "I am your father!: your pid is %d\n", (int)pid);
	if (!strstr(out, "Nooooooooo!\n") || !strstr(out, line) || !strstr(out, "Child exit status: 99\n"))
		return fb_fail(m, "the output lacks a line of the child or the parent: " FB_GOT("'%.150s'") " (" FB_EXPECTED("the "
			       "child's and the parent's lines") ")", out);
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
		return fb_fail(m, "after the child wrote 5 bytes, the parent's offset is " FB_GOT("%lld") ", not " FB_EXPECTED("5"),
			       (long long)offset);
	if (write(fd, "parent", 6) != 6 || pread(fd, text, sizeof(text) - 1, 0) != 11 || strcmp(text, "childparent"))
		return fb_fail(m, "the file holds " FB_GOT("'%s'") ", not " FB_EXPECTED("'childparent'"), text);
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
	static const char *const seen[] = { "", "the SIGUSR1 handler " FB_GOT("was not inherited") " (" FB_EXPECTED("inherited") ")",
					    "SIG_IGN for SIGUSR2 " FB_GOT("was not inherited") " (" FB_EXPECTED("inherited") ")",
					    "the inherited SIGUSR1 handler " FB_GOT("did not run") " (" FB_EXPECTED("ran") ")" };
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
	static const char *const seen[] = { "", "SIGUSR1, pending in the parent, is " FB_GOT("pending in the child too")
					    " (" FB_EXPECTED("not pending in the child") ")",
					    "the child's signal mask " FB_GOT("lost the blocked SIGUSR1") " ("
					    FB_EXPECTED("SIGUSR1 blocked, as in the parent") ")" };
	sigset_t set, pending;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR1);
	if (sigpending(&pending) || !sigismember(&pending, SIGUSR1))
		return fb_fail(m, "a raised, blocked SIGUSR1 is " FB_GOT("not pending") " in the parent (" FB_EXPECTED("pending") ")");
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
		return fb_fail(m, "the parent has " FB_GOT("%d") " entries in /proc/self/task, expected " FB_EXPECTED("2"), parent_tasks);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 1)
		return fb_fail(m, "the child of a 2-thread parent has " FB_GOT("%d") " tasks (wait status 0x%x), expected " FB_EXPECTED("1"),
			       WIFEXITED(status) ? (int)(signed char)WEXITSTATUS(status) : -1, status);
	return FB_CHECK_PASS;
}

/* --- the address space survives fork ------------------------------------ */

/* One test mapping: how the parent makes it, and the rwx and p/s letters
 * /proc/PID/maps shows for it. */
struct vma_kind {
	const char *what;
	int prot, flags, advice;   /* advice 0: none */
	char perms[5];
};

static const struct vma_kind vma_kinds[] = {
	{ "read-only private", PROT_READ, MAP_PRIVATE, 0, "r--p" },
	{ "read-write private", PROT_READ | PROT_WRITE, MAP_PRIVATE, 0, "rw-p" },
	{ "PROT_NONE private", PROT_NONE, MAP_PRIVATE, 0, "---p" },
	{ "write-only private", PROT_WRITE, MAP_PRIVATE, 0, "-w-p" },
	{ "read-write shared", PROT_READ | PROT_WRITE, MAP_SHARED, 0, "rw-s" },
	{ "read-only shared", PROT_READ, MAP_SHARED, 0, "r--s" },
	{ "MADV_DONTFORK", PROT_READ | PROT_WRITE, MAP_PRIVATE, MADV_DONTFORK, "rw-p" },
	{ "MADV_WIPEONFORK", PROT_READ | PROT_WRITE, MAP_PRIVATE, MADV_WIPEONFORK, "rw-p" },
};
#define VMA_KINDS (sizeof(vma_kinds) / sizeof(vma_kinds[0]))
#define FILL_BYTE 0xa5

/* A VMA as /proc/PID/smaps shows it: its range, its letters, and whether
 * its VmFlags hold dc (VM_DONTCOPY) and wf (VM_WIPEONFORK). start 0: none. */
struct vma_seen {
	unsigned long start, end;
	char perms[5];
	char dontcopy, wipeonfork;
};

/* A process's view of its own maps: its VMAs, how many of them fork does
 * not copy (dc), and the VMA holding each test page. */
struct maps_view {
	int count, dontcopy;
	struct vma_seen page[VMA_KINDS];
	int wiped;   /* the child's only: its MADV_WIPEONFORK page reads as zeros */
};

struct maps_scan {
	struct maps_view *view;
	const char *base;
	size_t page_size;
	int current;   /* the test page in the VMA being read, or -1 */
};

/* Test page i sits at an odd page of the span, with unmapped holes on both
 * sides: no test VMA can merge with a neighbour of the same flags. */
static char *test_page(char *base, size_t page_size, size_t i)
{
	return base + (2 * i + 1) * page_size;
}

static int kind_with_advice(int advice)
{
	for (size_t i = 0; i < VMA_KINDS; i++)
		if (vma_kinds[i].advice == advice)
			return (int)i;
	return -1;
}

/* Map every test page over the span's PROT_NONE reservation and punch the
 * holes; write FILL_BYTE to the writable ones (so that DONTFORK and
 * WIPEONFORK apply to real pages). The index of the kind that could not be
 * made, errno saying why, or -1 when all are. */
static int map_test_pages(char *base, size_t page_size)
{
	for (size_t i = 0; i < VMA_KINDS; i++) {
		const struct vma_kind *k = &vma_kinds[i];
		char *p = test_page(base, page_size, i);
		if (mmap(p, page_size, k->prot, k->flags | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED ||
		    (k->advice && madvise(p, page_size, k->advice)))
			return (int)i;
		if (k->prot & PROT_WRITE)
			memset(p, FILL_BYTE, page_size);
		munmap(p - page_size, page_size);   /* the hole below it */
	}
	munmap(test_page(base, page_size, VMA_KINDS) - page_size, page_size);   /* the last hole */
	return -1;
}

static int test_page_in(const struct maps_scan *s, unsigned long start, unsigned long end)
{
	for (size_t i = 0; i < VMA_KINDS; i++) {
		unsigned long at = (unsigned long)test_page((char *)s->base, s->page_size, i);
		if (at >= start && at < end)
			return (int)i;
	}
	return -1;
}

/* One line of smaps: a VMA's header ("start-end perms ...": no smaps key
 * is hex digits then '-') or one of its "Key: value" lines. */
static void scan_line(const char *line, void *arg)
{
	struct maps_scan *s = arg;
	unsigned long start, end;
	char perms[5];

	if (sscanf(line, "%lx-%lx %4s", &start, &end, perms) == 3) {
		s->view->count++;
		s->current = test_page_in(s, start, end);
		if (s->current >= 0) {
			struct vma_seen *v = &s->view->page[s->current];
			v->start = start;
			v->end = end;
			memcpy(v->perms, perms, sizeof(v->perms));
		}
	} else if (strncmp(line, "VmFlags:", 8) == 0) {
		int dontcopy = strstr(line, " dc") != NULL, wipeonfork = strstr(line, " wf") != NULL;
		s->view->dontcopy += dontcopy;
		if (s->current >= 0) {
			s->view->page[s->current].dontcopy = (char)dontcopy;
			s->view->page[s->current].wipeonfork = (char)wipeonfork;
		}
	}
}

/* Call on_line for each line of path (cut at the line buffer's size).
 * read(2) into stack buffers, no stdio, no malloc: reading the maps must
 * not map anything. 0 or -errno. */
static int each_line(const char *path, void (*on_line)(const char *, void *), void *arg)
{
	char buf[4096], line[256];
	size_t used = 0;
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((got = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < got; i++) {
			if (buf[i] != '\n') {
				if (used < sizeof(line) - 1)
					line[used++] = buf[i];
				continue;
			}
			line[used] = '\0';
			on_line(line, arg);
			used = 0;
		}
	int err = got < 0 ? -errno : 0;
	close(fd);
	return err;
}

static int scan_maps(struct maps_view *view, char *base, size_t page_size)
{
	struct maps_scan s = { .view = view, .base = base, .page_size = page_size, .current = -1 };
	return each_line("/proc/self/smaps", scan_line, &s);
}

/* The child: its view of its maps, then of the MADV_WIPEONFORK page,
 * through the pipe in one write (below PIPE_BUF, so whole). */
static void report_vmas(char *base, size_t page_size, int fd)
{
	struct maps_view seen = { 0 };
	int err = scan_maps(&seen, base, page_size);
	const volatile char *wipe = test_page(base, page_size, (size_t)kind_with_advice(MADV_WIPEONFORK));

	seen.wiped = 1;
	for (size_t i = 0; i < page_size; i++)
		seen.wiped &= wipe[i] == 0;
	_exit(!err && write(fd, &seen, sizeof(seen)) == (ssize_t)sizeof(seen) ? 0 : 1);
}

static const char *describe_vma(const struct vma_seen *v, char *buf, size_t len)
{
	if (v->start)
		snprintf(buf, len, "%lx-%lx %s%s%s", v->start, v->end, v->perms, v->dontcopy ? " dc" : "",
			 v->wipeonfork ? " wf" : "");
	else
		snprintf(buf, len, "absent");
	return buf;
}

/* The parent's side, before fork: each test page is a VMA of its own with
 * the letters mmap was asked for, dc and wf exactly where madvise set them. */
static int check_parent_vmas(struct fb_vmsg *m, const struct maps_view *parent, char *base, size_t page_size)
{
	char seen[96];

	for (size_t i = 0; i < VMA_KINDS; i++) {
		const struct vma_kind *k = &vma_kinds[i];
		const struct vma_seen *v = &parent->page[i];
		unsigned long at = (unsigned long)test_page(base, page_size, i);
		if (v->start != at || v->end != at + page_size || strcmp(v->perms, k->perms) ||
		    v->dontcopy != (k->advice == MADV_DONTFORK) || v->wipeonfork != (k->advice == MADV_WIPEONFORK))
			return fb_fail(m, "the parent's %s page is " FB_GOT("%s") " in its smaps, expected " FB_EXPECTED("%lx-%lx %s%s"), k->what,
				       describe_vma(v, seen, sizeof(seen)), at, at + page_size, k->perms,
				       k->advice == MADV_DONTFORK ? " dc" : k->advice == MADV_WIPEONFORK ? " wf" : "");
	}
	return FB_CHECK_PASS;
}

/* The child's side: every test VMA but the DONTFORK one, at the same range
 * with the same letters; the DONTFORK one absent; the WIPEONFORK page zero
 * while the parent's keeps its bytes; and, as dup_mmap() copies every VMA
 * not marked VM_DONTCOPY one for one, the parent's count minus its dc VMAs. */
static int check_child_vmas(struct fb_vmsg *m, const struct maps_view *parent, const struct maps_view *child,
			    const char *parent_wipe_page)
{
	char in_parent[96], in_child[96];

	for (size_t i = 0; i < VMA_KINDS; i++) {
		const struct vma_seen *p = &parent->page[i], *c = &child->page[i];
		int dropped = vma_kinds[i].advice == MADV_DONTFORK;
		if (dropped ? c->start != 0 : (c->start != p->start || c->end != p->end || strcmp(c->perms, p->perms)))
			return fb_fail(m, "the child's %s page is " FB_GOT("%s") ", expected " FB_EXPECTED("%s") " (the parent's: %s)", vma_kinds[i].what,
				       describe_vma(c, in_child, sizeof(in_child)), dropped ? "absent" : "the same",
				       describe_vma(p, in_parent, sizeof(in_parent)));
	}
	if (!child->wiped || (unsigned char)parent_wipe_page[0] != FILL_BYTE)
		return fb_fail(m, "the MADV_WIPEONFORK page reads " FB_GOT("%s in the child") " (" FB_EXPECTED("zeros in the child") ") and "
			       "starts with " FB_GOT("0x%02x in the parent") " (" FB_EXPECTED("0x%02x in the parent") ")", child->wiped ? "zeros" : "non-zero bytes",
			       (unsigned char)parent_wipe_page[0], FILL_BYTE);
	if (child->count != parent->count - parent->dontcopy)
		return fb_fail(m, "the child has " FB_GOT("%d") " VMAs; the parent had %d at fork, %d of them dc (VM_DONTCOPY): "
			       "expected " FB_EXPECTED("%d"), child->count, parent->count, parent->dontcopy, parent->count - parent->dontcopy);
	return FB_CHECK_PASS;
}

/* fork, let the child report its view of the maps, reap it; 0 or a verdict. */
static int child_view(struct fb_vmsg *m, char *base, size_t page_size, struct maps_view *parent,
		      struct maps_view *child)
{
	int fds[2], status = 0;

	if (pipe2(fds, O_CLOEXEC))
		return fb_fail(m, "pipe: %s", strerror(errno));
	fflush(NULL);
	int err = scan_maps(parent, base, page_size);   /* at fork: nothing maps in between */
	pid_t pid = err ? -1 : fork();
	if (pid == 0) {
		close(fds[0]);
		report_vmas(base, page_size, fds[1]);
	}
	err = err ? err : pid < 0 ? -errno : 0;
	close(fds[1]);
	ssize_t got = err ? 0 : read(fds[0], child, sizeof(*child));   /* one write, below PIPE_BUF */
	if (pid > 0)
		fb_reap(pid, &status, 0);
	close(fds[0]);
	if (err)
		return fb_fail(m, "reading /proc/self/smaps or fork: %s", strerror(-err));
	if (got != (ssize_t)sizeof(*child) || !WIFEXITED(status) || WEXITSTATUS(status))
		return fb_fail(m, "the child could not report its maps (wait status 0x%x)", status);
	return FB_CHECK_PASS;
}

int fb_check_fork_keeps_vmas(struct fb_vmsg *m)
{
	size_t page_size = (size_t)sysconf(_SC_PAGESIZE), span = (2 * VMA_KINDS + 1) * page_size;
	struct maps_view parent = { 0 }, child = { 0 };
	char *base = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (base == MAP_FAILED)
		return fb_fail(m, "mmap of %zu bytes: %s", span, strerror(errno));
	int failed = map_test_pages(base, page_size), err = errno;
	int v = FB_CHECK_PASS;
	if (failed >= 0 && vma_kinds[failed].advice == MADV_WIPEONFORK && err == EINVAL)
		v = fb_skip(m, "MADV_WIPEONFORK is not supported (Linux 4.14+)");
	else if (failed >= 0)
		v = fb_fail(m, "mmap or madvise of the %s page: %s", vma_kinds[failed].what, strerror(err));
	if (v == FB_CHECK_PASS)
		v = child_view(m, base, page_size, &parent, &child);
	if (v == FB_CHECK_PASS)
		v = check_parent_vmas(m, &parent, base, page_size);
	if (v == FB_CHECK_PASS)
		v = check_child_vmas(m, &parent, &child,
				     test_page(base, page_size, (size_t)kind_with_advice(MADV_WIPEONFORK)));
	munmap(base, span);
	return v;
}
