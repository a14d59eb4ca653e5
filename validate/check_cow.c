/* check_cow.c - copy-on-write as a program sees it: private memory stays
 * private in both directions after fork, MADV_DONTFORK and MADV_WIPEONFORK
 * do what they say, and a write to a shared 4 KiB page costs exactly one
 * fault (counted like the cow benchmarks count it). */
#define _GNU_SOURCE
#include "checks.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cowcore.h"
#include "faults.h"
#include "region.h"

#define PAGE_BYTES 4096UL
#define PAGES 16
#define PARENT_BYTE 'P'
#define CHILD_BYTE 'C'

/* PAGES private pages in 4 KiB mode, every byte PARENT_BYTE. */
static char *parent_pages(void)
{
	char *p = mmap(NULL, PAGES * PAGE_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	madvise(p, PAGES * PAGE_BYTES, MADV_NOHUGEPAGE);
	memset(p, PARENT_BYTE, PAGES * PAGE_BYTES);
	return p;
}

/* Index of the first page whose first byte is not want, or -1. */
static int first_page_not(const char *p, char want)
{
	for (int i = 0; i < PAGES; i++)
		if (((const volatile char *)p)[i * PAGE_BYTES] != want)
			return i;
	return -1;
}

/* fork, run child_part in the child (its return is the exit status), and
 * reap; the child's exit status, or -1 when it did not exit. */
static int fork_child(int (*child_part)(char *, int), char *p, int fd)
{
	int status;

	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		_exit(child_part(p, fd));
	if (pid < 0 || fb_reap(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int child_writes(char *p, int fd)
{
	(void)fd;
	memset(p, CHILD_BYTE, PAGES * PAGE_BYTES);
	return first_page_not(p, CHILD_BYTE) < 0 ? 0 : 1;
}

int fb_check_cow_child_write_private(struct fb_vmsg *m)
{
	char *p = parent_pages();

	if (!p)
		return fb_fail(m, "mmap: %s", strerror(errno));
	int code = fork_child(child_writes, p, -1);
	int bad = first_page_not(p, PARENT_BYTE);
	if (code != 0)
		return fb_fail(m, "the child could not write its copy (status %d)", code);
	if (bad >= 0)
		return fb_fail(m, "after the child wrote '%c' everywhere, the parent's page %d reads " FB_GOT("'%c'") " ("
			       FB_EXPECTED("'%c', as before fork") ")", CHILD_BYTE, bad, p[bad * PAGE_BYTES], PARENT_BYTE);
	return FB_CHECK_PASS;
}

/* Wait until the parent has written (EOF on fd), then look. The pages are
 * not touched before, so they are still shared when the parent writes. */
static int child_watches(char *p, int fd)
{
	char byte;
	if (read(fd, &byte, 1) < 0)
		return 2;
	return first_page_not(p, PARENT_BYTE) < 0 ? 0 : 1;
}

int fb_check_cow_parent_write_private(struct fb_vmsg *m)
{
	static const char *const seen[] = { "", "the child " FB_GOT("sees the parent's writes made after fork")
					    " (" FB_EXPECTED("its pages as at fork") ")",
					    "the child could not wait for the parent" };
	char *p = parent_pages();
	int go[2], status;

	if (!p || pipe(go))
		return fb_fail(m, "mmap or pipe: %s", strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(go[1]);
		_exit(child_watches(p, go[0]));
	}
	close(go[0]);
	memset(p, CHILD_BYTE, PAGES * PAGE_BYTES);   /* the parent writes, the child watches */
	close(go[1]);
	if (pid < 0 || fb_reap(pid, &status, 0) != pid)
		return fb_fail(m, "fork or waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) > 2)
		return fb_fail(m, "the child ended with wait status 0x%x", status);
	return WEXITSTATUS(status) ? fb_fail(m, "%s", seen[WEXITSTATUS(status)]) : FB_CHECK_PASS;
}

/* Absent: mincore on a range with no mapping fails with ENOMEM. */
static int child_probes_absent(char *p, int fd)
{
	unsigned char vec[PAGES];
	(void)fd;
	return mincore(p, PAGES * PAGE_BYTES, vec) < 0 && errno == ENOMEM ? 0 : 1;
}

int fb_check_madv_dontfork(struct fb_vmsg *m)
{
	char *p = parent_pages();

	if (!p || madvise(p, PAGES * PAGE_BYTES, MADV_DONTFORK))
		return fb_fail(m, "mmap or madvise(MADV_DONTFORK): %s", strerror(errno));
	int code = fork_child(child_probes_absent, p, -1);
	if (code != 0)
		return fb_fail(m, "the region is " FB_GOT("mapped in the child") " (mincore did not fail with ENOMEM; status %d; "
			       FB_EXPECTED("not mapped in the child") ")", code);
	if (first_page_not(p, PARENT_BYTE) >= 0)
		return fb_fail(m, "the parent's region " FB_GOT("changed") " (" FB_EXPECTED("unchanged") ")");
	return FB_CHECK_PASS;
}

static int child_sees_zeros(char *p, int fd)
{
	(void)fd;
	for (size_t i = 0; i < PAGES * PAGE_BYTES; i++)
		if (p[i])
			return 1;
	return 0;
}

int fb_check_madv_wipeonfork(struct fb_vmsg *m)
{
	char *p = parent_pages();

	if (!p)
		return fb_fail(m, "mmap: %s", strerror(errno));
	if (madvise(p, PAGES * PAGE_BYTES, MADV_WIPEONFORK))
		return errno == EINVAL ? fb_skip(m, "MADV_WIPEONFORK is not supported (Linux 4.14+)")
				       : fb_fail(m, "madvise(MADV_WIPEONFORK): %s", strerror(errno));
	int code = fork_child(child_sees_zeros, p, -1);
	if (code != 0)
		return fb_fail(m, "the child's copy is " FB_GOT("not all zero") " (status %d; " FB_EXPECTED("all zero") ")", code);
	int bad = first_page_not(p, PARENT_BYTE);
	if (bad >= 0)
		return fb_fail(m, "the parent's page %d changed to " FB_GOT("'%c'") " (" FB_EXPECTED("unchanged") ")", bad,
			       p[bad * PAGE_BYTES]);
	return FB_CHECK_PASS;
}

#define FAULT_PAGES 64

struct fault_result {
	long pages_written, faults_perf, faults_rusage;
	int source_perf;
};

/* The child's side, as cow.c's measure(): a dry run first takes the faults
 * of the child's own first stack and code touches after fork (those pages
 * are COW-shared too), so the window holds the loop's faults only. */
static void count_write_faults(struct fb_region *r, struct fault_result *out)
{
	struct fb_faults f;
	struct fb_fault_counts c;
	long pages = 0;

	fb_faults_open(&f);
	for (int dry = 1; dry >= 0; dry--) {
		fb_faults_start(&f);
		pages = fb_cow_write_pages(r->base, dry ? 0 : r->size_bytes, PAGE_BYTES);
		fb_faults_stop(&f, &c);
	}
	fb_faults_close(&f);
	out->pages_written = pages;
	out->faults_perf = c.perf;
	out->faults_rusage = c.rusage;
	out->source_perf = c.source_perf;
}

int fb_check_cow_fault_per_page(struct fb_vmsg *m)
{
	struct fb_region r;
	struct fault_result *res = fb_shared_page();
	int status, err = fb_region_create(&r, FAULT_PAGES * PAGE_BYTES, FB_PAGES_4K);

	if (err || !res)
		return fb_fail(m, "region or shared page: %s", strerror(err ? -err : errno));
	if (r.resident_bytes != r.size_bytes)
		return fb_fail(m, "only " FB_GOT("%zu") " of " FB_EXPECTED("%zu") " bytes are resident before fork",
			       r.resident_bytes, r.size_bytes);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		count_write_faults(&r, res);
		_exit(0);
	}
	if (pid < 0 || fb_reap(pid, &status, 0) != pid || status)
		return fb_fail(m, "fork, waitpid or the child failed: %s", strerror(errno));
	long faults = res->source_perf ? res->faults_perf : res->faults_rusage;
	if (res->pages_written != FAULT_PAGES || faults != FAULT_PAGES)
		return fb_fail(m, "writing " FB_EXPECTED("%ld") " of %d shared 4 KiB pages took " FB_GOT("%ld") " faults (perf %ld, "
			       "getrusage %ld)", res->pages_written, FAULT_PAGES, faults, res->faults_perf, res->faults_rusage);
	fb_region_destroy(&r);
	return FB_CHECK_PASS;
}
