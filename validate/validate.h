/* validate.h - `forkbench validate`: semantic checks of fork, COW, vfork,
 * clone, exec, process states and kernel threads. Each check is a row of
 * one table (checks.c); each runs in its own forked child and process group
 * with a timeout (runner.c) and is reported as TAP 13 and JUnit (output.c). */
#ifndef FB_VALIDATE_H
#define FB_VALIDATE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* A check's verdict is its child's exit status; anything else (another
 * status, a signal, the timeout) is a failure the runner describes. */
enum fb_check_verdict { FB_CHECK_PASS = 0, FB_CHECK_FAIL = 1, FB_CHECK_SKIP = 2 };

#define FB_VMSG_LEN 400
#define FB_VVALUE_LEN 160

/* What a check saw (on failure) or why it could not run (on skip); on a
 * failure also the value it saw and the one it required, for TAP's YAML
 * got/expected ("" where the check failed before it measured anything,
 * e.g. an mmap that failed). The child hands the whole struct to the runner
 * in one pipe write (well below PIPE_BUF, so never torn). */
struct fb_vmsg {
	char text[FB_VMSG_LEN];
	char got[FB_VVALUE_LEN];
	char expected[FB_VVALUE_LEN];
};

/* Mark the value seen and the value required inside fb_fail's message, so
 * that the sentence and the values are written once, side by side:
 *   fb_fail(m, "the parent's offset is " FB_GOT("%lld") ", not " FB_EXPECTED("5"), off)
 * gives the text "the parent's offset is 7, not 5", got "7", expected "5".
 * Several marks of one kind are joined with "; ". (Control bytes: they
 * survive printf and no message holds them otherwise.) */
#define FB_GOT(fmt) "\x01" fmt "\x02"
#define FB_EXPECTED(fmt) "\x03" fmt "\x04"

/* A check runs in a throwaway child: it may change signal dispositions,
 * limits or the subreaper flag freely. Returns an fb_verdict, with m filled
 * for FB_CHECK_FAIL and FB_CHECK_SKIP. */
typedef int (*fb_check_fn)(struct fb_vmsg *m);

struct fb_check {
	const char *name;
	fb_check_fn run;
};

extern const struct fb_check fb_checks[];
extern const size_t fb_nchecks;

/* Fill m and return FB_CHECK_FAIL / FB_CHECK_SKIP, for `return fb_fail(...)`. */
int fb_fail(struct fb_vmsg *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int fb_skip(struct fb_vmsg *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* --- helpers for the checks (vutil.c) ----------------------------------- */

/* The fields of /proc/PID/stat a check looks at. */
struct fb_pstat {
	char comm[64];
	char state;
	int ppid;
	unsigned long flags;
};

/* Parse /proc/PID/stat; the fields after the command are read from its
 * LAST ')' since the command itself may hold ')' and spaces. 0 or -errno
 * (-ENOENT once the process is reaped). */
int fb_proc_stat(pid_t pid, struct fb_pstat *out);
/* Poll until PID's state is want, for at most timeout_ms; 0 when seen,
 * else -ETIMEDOUT (or -errno) with the last state seen in *seen. */
int fb_wait_state(pid_t pid, char want, int timeout_ms, char *seen);
/* waitpid that retries on EINTR; the pid or -errno. */
pid_t fb_reap(pid_t pid, int *status, int options);
/* One page of MAP_SHARED anonymous memory (survives fork shared), zeroed;
 * NULL on failure. */
void *fb_shared_page(void);
/* Entries of /proc/self/task: the calling process's threads, or -errno. */
int fb_count_tasks(void);
/* Sleep for ms milliseconds. */
void fb_sleep_ms(int ms);
/* Describe a wait status: "exited 3", "killed by signal 9", ... */
const char *fb_describe_status(int status, char *buf, size_t len);

/* --- runner and output (runner.c, output.c) ----------------------------- */

struct fb_vresult {
	const struct fb_check *check;
	int verdict;
	double seconds;
	struct fb_vmsg msg;
};

#define FB_MAX_CHECKS 64

struct fb_vrun {
	const struct fb_check *checks[FB_MAX_CHECKS];  /* the selected rows, in table order */
	size_t count;
	struct fb_vresult results[FB_MAX_CHECKS];
	int timeout_s;
	FILE *tap[2];                       /* where TAP lines go as checks finish */
};

/* Run every selected check; TAP lines are written as each one finishes.
 * Returns the number of failed checks, or -EINTR when interrupted (the
 * running check's group is killed and reaped first). */
int fb_validate_run(struct fb_vrun *run);
void fb_tap_begin(struct fb_vrun *run);
void fb_tap_result(struct fb_vrun *run, size_t index);
void fb_tap_totals(struct fb_vrun *run);
void fb_junit_write(const struct fb_vrun *run, FILE *out);

#endif
