/* faults.h - count the minor page faults of the calling task around a
 * piece of code: perf_event_open's PERF_COUNT_SW_PAGE_FAULTS_MIN (this task
 * only, enabled just around the code) and getrusage's ru_minflt, plus the
 * system-wide thp_split_pmd of /proc/vmstat. Both counters are bumped at the
 * same place in the kernel's fault handler, but faults the kernel takes on
 * the task's behalf (get_user_pages) reach ru_minflt only. */
#ifndef FB_FAULTS_H
#define FB_FAULTS_H

struct fb_faults {
	int perf_fd;             /* -1: perf_event_open was denied, getrusage counts */
	long rusage_start;
	long split_start;
};

struct fb_fault_counts {
	long perf;               /* -1 when perf_event_open was denied */
	long rusage;
	long thp_split_pmd;      /* system-wide: other processes may add to it */
	int source_perf;         /* 1: perf counted; 0: getrusage only */
};

/* Open a disabled counter for the calling task. Never fails: without perf
 * (perf_event_paranoid, seccomp), only getrusage counts. */
void fb_faults_open(struct fb_faults *f);
/* Reset and enable around the code to measure. Inline-able and fault-free:
 * no allocation, no first touch of anything. */
void fb_faults_start(struct fb_faults *f);
void fb_faults_stop(struct fb_faults *f, struct fb_fault_counts *out);
void fb_faults_close(struct fb_faults *f);
/* The count to report: perf's when it counted, else getrusage's. */
long fb_faults_best(const struct fb_fault_counts *c);

#endif
