/* faults.c - minor-fault counting around code (see faults.h). */
#define _GNU_SOURCE
#include "faults.h"

#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* thp_split_pmd from /proc/vmstat; read with plain syscalls into a stack
 * buffer so that the reading itself takes no fault on fresh memory. */
static long vmstat_split_pmd(void)
{
	char buf[8192];
	long value = 0;
	int fd = open("/proc/vmstat", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	ssize_t len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[len > 0 ? len : 0] = '\0';
	const char *at = strstr(buf, "\nthp_split_pmd ");
	if (at)
		sscanf(at + 15, "%ld", &value);
	return value;
}

static long minflt(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

void fb_faults_open(struct fb_faults *f)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_PAGE_FAULTS_MIN;
	attr.disabled = 1;
	/* User-mode faults are what the write loops take; excluding the kernel
	 * also keeps the counter allowed at perf_event_paranoid 2. */
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	f->perf_fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	f->rusage_start = f->split_start = 0;
}

void fb_faults_start(struct fb_faults *f)
{
	f->split_start = vmstat_split_pmd();
	f->rusage_start = minflt();
	if (f->perf_fd >= 0) {
		ioctl(f->perf_fd, PERF_EVENT_IOC_RESET, 0);
		ioctl(f->perf_fd, PERF_EVENT_IOC_ENABLE, 0);
	}
}

void fb_faults_stop(struct fb_faults *f, struct fb_fault_counts *out)
{
	uint64_t count = 0;

	if (f->perf_fd >= 0)
		ioctl(f->perf_fd, PERF_EVENT_IOC_DISABLE, 0);
	out->rusage = minflt() - f->rusage_start;
	out->thp_split_pmd = vmstat_split_pmd() - f->split_start;
	out->source_perf = f->perf_fd >= 0 && read(f->perf_fd, &count, sizeof(count)) == sizeof(count);
	out->perf = out->source_perf ? (long)count : -1;
}

void fb_faults_close(struct fb_faults *f)
{
	if (f->perf_fd >= 0)
		close(f->perf_fd);
	f->perf_fd = -1;
}

long fb_faults_best(const struct fb_fault_counts *c)
{
	return c->source_perf ? c->perf : c->rusage;
}
