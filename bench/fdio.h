/* fdio.h - whole reads and writes on pipes, retried on EINTR and short
 * transfers: the worker protocol's transport on both ends. */
#ifndef FB_FDIO_H
#define FB_FDIO_H

#include <stddef.h>

/* 0, -EPIPE when the other end closed, or -errno. */
int fb_read_full(int fd, void *buf, size_t len);
int fb_write_full(int fd, const void *buf, size_t len);

#endif
