/* files.h - files read and written whole: a first line, a slurp, atomic writes (temp file + rename), mkdir -p, rm -rf. */
#ifndef FB_FILES_H
#define FB_FILES_H

#include <stddef.h>
#include <stdio.h>

/* First line of a file without its newline into buf; 0 or -errno. */
int fb_read_line(const char *path, char *buf, size_t len);
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
/* rm -rf path without following links (nftw, no shell). 0 or -errno of the
 * first entry that could not be removed. */
int fb_remove_tree(const char *path);

#endif
