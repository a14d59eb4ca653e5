/* vutil.c - small helpers the semantic checks share: verdict messages,
 * /proc/PID/stat parsing, bounded polling and reaping. */
#define _GNU_SOURCE
#include "validate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Append the marked segment starting at *at (after its opening byte) up to
 * the closing byte end to value, "; "-separated; *at moves past it. The
 * segment's text stays in the message too (copied to *out). */
static void take_value(const char **at, char end, char *value, size_t len, char **out, const char *out_end)
{
	size_t used = strlen(value);

	if (used && used + 2 < len)
		used += (size_t)snprintf(value + used, len - used, "; ");
	for (; **at && **at != end; (*at)++) {
		if (used + 1 < len)
			value[used++] = **at;
		if (*out < out_end)
			*(*out)++ = **at;
	}
	value[used] = '\0';
	if (**at)
		(*at)++;
}

/* The message formatted, its FB_GOT/FB_EXPECTED marks taken out into
 * m->got and m->expected. */
static int verdict(struct fb_vmsg *m, int v, const char *fmt, va_list ap)
{
	char marked[FB_VMSG_LEN + 64];
	char *out = m->text, *out_end = m->text + sizeof(m->text) - 1;

	vsnprintf(marked, sizeof(marked), fmt, ap);
	m->got[0] = m->expected[0] = '\0';
	for (const char *at = marked; *at;) {
		if (*at == '\x01' || *at == '\x03') {
			int got = *at++ == '\x01';
			take_value(&at, got ? '\x02' : '\x04', got ? m->got : m->expected, FB_VVALUE_LEN, &out, out_end);
		} else if (out < out_end) {
			*out++ = *at++;
		} else {
			at++;
		}
	}
	*out = '\0';
	return v;
}

int fb_fail(struct fb_vmsg *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int v = verdict(m, FB_CHECK_FAIL, fmt, ap);
	va_end(ap);
	return v;
}

int fb_skip(struct fb_vmsg *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int v = verdict(m, FB_CHECK_SKIP, fmt, ap);
	va_end(ap);
	return v;
}

/* Plain read(2) into a stack buffer: the checks call this between a fork
 * and an assertion, where stdio's allocation would only add noise. */
int fb_proc_stat(pid_t pid, struct fb_pstat *out)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t len = read(fd, buf, sizeof(buf) - 1);
	int err = len < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	buf[len] = '\0';
	char *open_paren = strchr(buf, '('), *close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren)
		return -EINVAL;
	size_t comm_len = (size_t)(close_paren - open_paren - 1);
	if (comm_len >= sizeof(out->comm))
		comm_len = sizeof(out->comm) - 1;
	memcpy(out->comm, open_paren + 1, comm_len);
	out->comm[comm_len] = '\0';
	/* state ppid pgrp session tty_nr tpgid flags: fields 3 to 9 */
	if (sscanf(close_paren + 1, " %c %d %*d %*d %*d %*d %lu", &out->state, &out->ppid, &out->flags) != 3)
		return -EINVAL;
	return 0;
}

int fb_wait_state(pid_t pid, char want, int timeout_ms, char *seen)
{
	struct fb_pstat st = { .state = '?' };
	int err = 0;

	for (int waited_ms = 0; waited_ms <= timeout_ms; waited_ms += 2) {
		if ((err = fb_proc_stat(pid, &st)) < 0)
			break;
		if (st.state == want)
			break;
		fb_sleep_ms(2);
	}
	*seen = st.state;
	return err ? err : st.state == want ? 0 : -ETIMEDOUT;
}

pid_t fb_reap(pid_t pid, int *status, int options)
{
	pid_t got;
	while ((got = waitpid(pid, status, options)) < 0 && errno == EINTR)
		;
	return got < 0 ? -errno : got;
}

void *fb_shared_page(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

int fb_count_tasks(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int tasks = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)))
		tasks += e->d_name[0] != '.';
	closedir(d);
	return tasks;
}

void fb_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

const char *fb_describe_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
	else if (WIFSTOPPED(status))
		snprintf(buf, len, "stopped by signal %d", WSTOPSIG(status));
	else
		snprintf(buf, len, "wait status 0x%x", status);
	return buf;
}
