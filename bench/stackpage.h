/* stackpage.h - put the stack pointer at the same place in a page before a
 * fork, in every process. A fork child's first writes to its stack are COW
 * faults, one per stack page it writes; where ASLR put the stack decides
 * whether the child's few hundred bytes of frames (glibc's fork, the call
 * that stamps and exits) stay in one page or straddle two. Measured in the
 * worker: 7 faults per child in some processes, 8 in others, a 0 MiB fork
 * round trip apart by about 2 us (5%) from one worker to the next. */
#ifndef FB_STACKPAGE_H
#define FB_STACKPAGE_H

#include <stdint.h>

/* The stack pointer this many bytes above a page boundary: room for the
 * child's frames below it within the same page. */
#define FB_STACK_ROOM 2048

/* Move this function's stack pointer down to FB_STACK_ROOM past a page
 * boundary (alloca, freed when the function returns). A macro because
 * alloca works on the caller's frame. */
#define FB_STACK_TO_PAGE_ROOM()                                                        \
	do {                                                                           \
		uintptr_t sp_ = (uintptr_t)__builtin_frame_address(0);                 \
		char *pad_ = __builtin_alloca(((sp_ & 4095) + 4096 - FB_STACK_ROOM) & 4095); \
		__asm__ volatile("" : : "r"(pad_) : "memory");                        \
	} while (0)

#endif
