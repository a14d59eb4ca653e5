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
/* text with <, >, & and " escaped, for HTML and XML. */
void fb_xml_escape(const char *text, FILE *out);
/* "850 ns", "12.3 us", "4.56 ms": three significant figures or so; "-"
 * for NaN. Returns buf. */
const char *fb_fmt_ns(double ns, char *buf, size_t len);
/* One line "forkbench: <message>" on stderr. */
void fb_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The folder holding this executable (its build folder). */
void fb_self_dir(char *buf, size_t len);

#endif
