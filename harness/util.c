/* util.c - small helpers of the forkbench driver (see util.h). */
#define _GNU_SOURCE
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <sched.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int fb_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* In the child, before exec: die with the parent, set up the descriptors,
 * exec; on failure write errno into report and leave. */
static void spawn_child(const char *const argv[], const struct fb_fd_action *actions, size_t n,
			int own_group, pid_t parent, int report)
{
	int err = 0;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(127);   /* the parent is already gone: nobody waits for us */
	for (size_t i = 0; i < n && !err; i++) {
		int fd = actions[i].path ? open(actions[i].path, actions[i].flags, 0644) : actions[i].from;
		if (fd < 0 || (fd != actions[i].fd && dup2(fd, actions[i].fd) < 0))
			err = errno;
		else if (actions[i].path && fd != actions[i].fd)
			close(fd);
	}
	if (!err && own_group && setpgid(0, 0))
		err = errno;
	if (!err) {
		execvp(argv[0], (char *const *)argv);
		err = errno;
	}
	if (write(report, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

/* The group of the own_group child started last and not yet waited for. */
static volatile pid_t running_group;

void fb_spawn_signal_running(int sig)
{
	if (running_group > 0)
		kill(-running_group, sig);
}

long fb_spawn(const char *const argv[], const struct fb_fd_action *actions, size_t nactions, int own_group)
{
	int report[2], err = 0;
	pid_t parent = getpid(), pid;

	if (pipe2(report, O_CLOEXEC))
		return -errno;
	fflush(NULL);   /* nothing buffered may be written twice */
	if ((pid = fork()) < 0) {
		err = errno;
		close(report[0]);
		close(report[1]);
		return -err;
	}
	if (pid == 0)
		spawn_child(argv, actions, nactions, own_group, parent, report[1]);
	close(report[1]);
	if (read(report[0], &err, sizeof(err)) != sizeof(err))
		err = 0;   /* the pipe closed on exec: it ran */
	close(report[0]);
	if (own_group) {
		setpgid(pid, pid);   /* both sides, so a signal to the group cannot miss it */
		running_group = pid;
	}
	if (err) {
		fb_wait(pid);
		return -err;
	}
	return pid;
}

void fb_spawn_done(long pid)
{
	if (running_group == pid)
		running_group = 0;
}

int fb_wait(long pid)
{
	int status = -1;
	while (waitpid((pid_t)pid, &status, 0) < 0 && errno == EINTR)
		;
	fb_spawn_done(pid);
	return status;
}

int fb_command_line(const char *const argv[], char *buf, size_t len)
{
	int out[2], status = -1;

	buf[0] = '\0';
	if (pipe2(out, O_CLOEXEC))
		return -1;
	const struct fb_fd_action actions[] = { { 1, NULL, 0, out[1] }, { 2, "/dev/null", O_WRONLY, -1 } };
	long pid = fb_spawn(argv, actions, 2, 0);
	int err = pid < 0;
	close(out[1]);
	if (!err) {
		FILE *f = fdopen(out[0], "r");
		if (f && fgets(buf, (int)len, f))
			buf[strcspn(buf, "\n")] = '\0';
		while (f && fgetc(f) != EOF)
			; /* drain, so the child never blocks on a full pipe */
		f ? fclose(f) : close(out[0]);
		status = fb_wait(pid);
	} else {
		close(out[0]);
	}
	return !err && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int fb_write_json_atomic(const char *path, json_t *json)
{
	char *text = json_dumps(json, JSON_INDENT(2) | JSON_SORT_KEYS);
	int err;

	if (!text)
		return -ENOMEM;
	err = fb_write_file_atomic(path, text, strlen(text));
	free(text);
	return err;
}

/* Copy text to out, replacing NaN, -nan, Infinity... outside strings by
 * null. out must hold 2 * len + 1 bytes ("NaN" -> "null" grows). */
static void nan_to_null(const char *text, size_t len, char *out)
{
	static const char *const tokens[] = { "-Infinity", "Infinity", "-NaN", "-nan", "NaN", "nan" };
	int in_string = 0;

	for (size_t i = 0; i < len;) {
		char c = text[i];
		if (in_string || c == '"') {
			if (c == '\\' && in_string && i + 1 < len)
				*out++ = text[i++];
			else if (c == '"')
				in_string = !in_string;
			*out++ = text[i++];
			continue;
		}
		size_t t = 0, tlen = 0;
		for (; t < sizeof(tokens) / sizeof(tokens[0]); t++)
			if (strncmp(text + i, tokens[t], tlen = strlen(tokens[t])) == 0)
				break;
		if (t < sizeof(tokens) / sizeof(tokens[0])) {
			memcpy(out, "null", 4);
			out += 4;
			i += tlen;
		} else {
			*out++ = text[i++];
		}
	}
	*out = '\0';
}

json_t *fb_json_load_lenient(const char *path, json_error_t *jerr)
{
	FILE *f = fopen(path, "r");
	char *text = NULL, *clean = NULL;
	size_t len = 0;
	json_t *json = NULL;

	if (!f) {
		snprintf(jerr->text, sizeof(jerr->text), "cannot open: %s", strerror(errno));
		jerr->line = 0;
		return NULL;
	}
	FILE *mem = open_memstream(&text, &len);
	for (int c; mem && (c = getc(f)) != EOF;)
		putc(c, mem);
	fclose(f);
	if (mem)
		fclose(mem);
	if (text && (clean = malloc(2 * len + 1))) {
		nan_to_null(text, len, clean);
		json = json_loads(clean, 0, jerr);
	} else {
		snprintf(jerr->text, sizeof(jerr->text), "out of memory");
	}
	free(text);
	free(clean);
	return json;
}

int fb_write_file_atomic(const char *path, const char *data, size_t len)
{
	char tmp[PATH_MAX];
	int fd, err = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return -errno;
	for (size_t done = 0; done < len && !err;) {
		ssize_t put = write(fd, data + done, len - done);
		if (put < 0 && errno != EINTR)
			err = -errno;
		done += put > 0 ? (size_t)put : 0;
	}
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int fb_membuf_open(struct fb_membuf *buf)
{
	buf->data = NULL;
	buf->len = 0;
	buf->f = open_memstream(&buf->data, &buf->len);
	return buf->f ? 0 : -errno;
}

int fb_membuf_commit(struct fb_membuf *buf, const char *path)
{
	int err = fclose(buf->f) ? -EIO : 0;

	if (!err)
		err = fb_write_file_atomic(path, buf->data, buf->len);
	free(buf->data);
	buf->data = NULL;
	return err;
}

int fb_mkdir(const char *path)
{
	char parent[PATH_MAX];

	if (mkdir(path, 0755) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT || snprintf(parent, sizeof(parent), "%s", path) >= (int)sizeof(parent))
		return -errno;
	char *slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return -ENOENT;
	*slash = '\0';
	int err = fb_mkdir(parent);   /* like mkdir -p: results/baselines/NAME on a fresh clone */
	return err ? err : (mkdir(path, 0755) && errno != EEXIST ? -errno : 0);
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *p)
{
	static const unsigned char lead_min[] = { 0, 0, 0xc2, 0xe0, 0xf0 };
	size_t n = p[0] < 0x80 ? 1 : p[0] < 0xc2 ? 0 : p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : p[0] < 0xf5 ? 4 : 0;
	unsigned long cp = n > 1 ? p[0] & (0x7f >> n) : p[0];

	if (n == 0 || p[0] < lead_min[n])
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

char *fb_utf8_valid(const char *text)
{
	size_t len = strlen(text), o = 0;
	char *out = malloc(len * 3 + 1);   /* each bad byte may become 3 */

	for (const unsigned char *p = (const unsigned char *)text; out && *p;) {
		size_t n = utf8_sequence(p);
		if (n) {
			memcpy(out + o, p, n);
			o += n;
			p += n;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);   /* U+FFFD */
			o += 3;
			p++;
		}
	}
	if (out)
		out[o] = '\0';
	return out;
}

void fb_xml_escape(const char *raw, FILE *out)
{
	char *valid = fb_utf8_valid(raw);

	for (const char *text = valid ? valid : ""; *text; text++) {
		switch (*text) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		default:
			if ((unsigned char)*text < 0x20 && *text != '\t' && *text != '\n' && *text != '\r')
				fputs("\xef\xbf\xbd", out);
			else
				fputc(*text, out);
		}
	}
	free(valid);
}

double fb_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)ftw;
	return (type == FTW_DP ? rmdir(path) : unlink(path)) && errno != ENOENT ? -errno : 0;
}

int fb_remove_tree(const char *path)
{
	int err = nftw(path, remove_entry, 32, FTW_DEPTH | FTW_PHYS);
	return err > 0 ? 0 : err < 0 && errno != ENOENT ? -errno : err;
}

void fb_error(const char *fmt, ...)
{
	int saved = errno;   /* callers print errno's text after us */
	va_list ap;

	fflush(stdout);
	fputs("forkbench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	errno = saved;
}

void fb_self_dir(char *buf, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	self[n > 0 ? n : 0] = '\0';
	snprintf(buf, len, "%s", dirname(self));
}

const char *fb_fmt_ns(double ns, char *buf, size_t len)
{
	if (isnan(ns))
		snprintf(buf, len, "-");
	else if (ns < 1e3)
		snprintf(buf, len, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.1f us", ns / 1e3);
	else
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	return buf;
}

char *fb_slurp(const char *path, size_t max_bytes)
{
	char *text = calloc(1, max_bytes + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t have = 0;
	ssize_t got;

	while (text && fd >= 0 && have < max_bytes && (got = read(fd, text + have, max_bytes - have)) > 0)
		have += (size_t)got;
	if (fd >= 0)
		close(fd);
	return text ? text : strdup("");
}

int fb_usage(int argc, char **argv, const char *fmt, ...)
{
	int help = argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
	va_list ap;

	fputs(help ? "usage: " : "forkbench: usage: ", help ? stdout : stderr);
	va_start(ap, fmt);
	vfprintf(help ? stdout : stderr, fmt, ap);
	va_end(ap);
	fputc('\n', help ? stdout : stderr);
	return help ? 0 : 2;
}

int fb_json_make_strict(const char *path)
{
	json_error_t jerr;
	json_t *json = fb_json_load_lenient(path, &jerr);

	if (!json)
		return -EINVAL;
	char *text = json_dumps(json, JSON_INDENT(2));   /* key order as written */
	json_decref(json);
	if (!text)
		return -ENOMEM;
	int err = fb_write_file_atomic(path, text, strlen(text));
	free(text);
	return err;
}

int fb_cpu_last(const void *set, size_t setsize)
{
	int last = -1;

	for (int c = 0; c < (int)(setsize * 8); c++)
		if (CPU_ISSET_S(c, setsize, (const cpu_set_t *)set))
			last = c;
	return last;
}
