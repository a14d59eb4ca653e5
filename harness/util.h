/* util.h - small helpers of the forkbench driver: files, commands, JSON. */
#ifndef FB_UTIL_H
#define FB_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

/* First line of a file without its newline into buf; 0 or -errno. */
int fb_read_line(const char *path, char *buf, size_t len);
/* Run argv (no shell) and capture the first line of its stdout; 0 when it
 * exited 0, else -1. The child is always reaped. */
int fb_command_line(const char *const argv[], char *buf, size_t len);
/* Write JSON to dir/name through a temp file and rename: a reader never
 * sees half a file. 0 or -errno. */
int fb_write_json_atomic(const char *path, json_t *json);
/* Load a JSON file that may hold the bare NaN / Infinity tokens Google
 * Benchmark writes (its cv aggregate of a constant-zero counter is NaN),
 * which strict JSON and jansson reject: they are read as null. NULL with
 * jerr filled on failure. */
json_t *fb_json_load_lenient(const char *path, json_error_t *jerr);
/* Write len bytes to path through a temp file and rename. 0 or -errno. */
int fb_write_file_atomic(const char *path, const char *data, size_t len);
/* A text buffer to fill with stdio and then write atomically. */
struct fb_membuf {
	FILE *f;
	char *data;
	size_t len;
};
int fb_membuf_open(struct fb_membuf *buf);
/* Close the stream and write the text to path atomically; frees the text. */
int fb_membuf_commit(struct fb_membuf *buf, const char *path);
/* The first max_bytes of a file as a NUL-terminated string ("" when it
 * cannot be read); the caller frees it. */
char *fb_slurp(const char *path, size_t max_bytes);
/* mkdir -p: content when the folder exists, makes missing parents. 0 or -errno. */
int fb_mkdir(const char *path);
/* A copy of text (malloc'd; NULL when memory runs out) that is valid
 * UTF-8: valid sequences kept, every byte of an invalid one (stray
 * continuation, overlong form, surrogate, above U+10FFFF, cut short)
 * replaced by U+FFFD. Control characters are left to the writer: JSON
 * escapes them, fb_xml_escape replaces them. */
char *fb_utf8_valid(const char *text);
/* text as valid UTF-8 with <, >, & and " escaped and the control
 * characters XML 1.0 cannot hold (all below 0x20 but tab, newline and
 * carriage return) replaced by U+FFFD, for HTML and XML. */
void fb_xml_escape(const char *text, FILE *out);
/* "850 ns", "12.3 us", "4.56 ms": three significant figures or so; "-"
 * for NaN. Returns buf. */
const char *fb_fmt_ns(double ns, char *buf, size_t len);
/* One file descriptor of a child set up before exec: fd opened from path
 * with flags (mode 0644), or, with path NULL, a copy of our descriptor from. */
struct fb_fd_action {
	int fd;
	const char *path;
	int flags;
	int from;
};

/* Start argv (PATH searched) with the actions applied, tied to us: it gets
 * SIGKILL when we die (PR_SET_PDEATHSIG, set before exec and checked
 * against a parent that died first), so nothing forkbench starts outlives
 * it, even after a SIGKILL. own_group: in a process group of its own, for
 * the caller to signal as a whole. The pid, or -errno (the exec's own error
 * when the program could not be run). */
long fb_spawn(const char *const argv[], const struct fb_fd_action *actions, size_t nactions, int own_group);
/* Send sig to the process group of the child fb_spawn started with
 * own_group that is being waited for now, if any. Async-signal-safe. */
void fb_spawn_signal_running(int sig);
/* A child of fb_spawn reaped by the caller's own waitpid: forget it. */
void fb_spawn_done(long pid);
/* waitpid that retries on EINTR; the wait status, or -1 (then forgotten
 * as by fb_spawn_done). */
int fb_wait(long pid);

/* CLOCK_MONOTONIC in seconds: for timeouts and elapsed times. */
double fb_now_s(void);
/* rm -rf path without following links (nftw, no shell). 0 or -errno of the
 * first entry that could not be removed. */
int fb_remove_tree(const char *path);

/* One line "forkbench: <message>" on stderr; errno is kept. */
void fb_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The folder holding this executable (its build folder). */
void fb_self_dir(char *buf, size_t len);

/* Rewrite a JSON file so that strict parsers read it: NaN and Infinity
 * (which Google Benchmark writes for the CV of a constant counter) become
 * null, keys stay in their order. 0 or -errno. */
int fb_json_make_strict(const char *path);

/* The highest-numbered CPU in a cpu_set_t of setsize bytes (CPU_ISSET_S),
 * or -1 when it holds none: the one CPU of the one-cpu placement. */
int fb_cpu_last(const void *set, size_t setsize);

/* A command's usage: with --help or -h (argv[1]) on stdout and 0, as every
 * command answers --help; else one line on stderr and 2 (bad usage). */
int fb_usage(int argc, char **argv, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
