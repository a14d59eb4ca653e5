/* cowcore.h - the COW family's write loop, shared with the semantic checks
 * (validate/) so that both count faults around the very same code. */
#ifndef FB_COWCORE_H
#define FB_COWCORE_H

#include <stddef.h>

/* Store one byte every stride bytes of [base, base + bytes); the number of
 * stores. Built without sanitizers and never inlined (see cow.c): the loop
 * must take exactly one fault per page it writes and nothing else. */
long fb_cow_write_pages(char *base, size_t bytes, size_t stride);

#endif
