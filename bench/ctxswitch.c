/* ctxswitch.c - making a context for the hand-written switch (see ctxswitch.h). */
#include "ctxswitch.h"

#include <stdint.h>
#include <string.h>

#ifdef __x86_64__
void fb_ctx_trampoline(void);

/* The new stack, from the top: a zero slot (the trampoline's fake return
 * address), the trampoline as fb_ctx_switch's return address, then the six
 * registers it pops: rbp, rbx, r12 = fn, r13 = arg, r14, r15. */
void *fb_ctx_make(void *stack, size_t size, void (*fn)(void *), void *arg)
{
	uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
	uint64_t *sp = (uint64_t *)top - 8;

	memset(sp, 0, 8 * sizeof(*sp));
	sp[0] = 0;                               /* r15 */
	sp[1] = 0;                               /* r14 */
	sp[2] = (uint64_t)(uintptr_t)arg;        /* r13 */
	sp[3] = (uint64_t)(uintptr_t)fn;         /* r12 */
	sp[4] = 0;                               /* rbx */
	sp[5] = 0;                               /* rbp */
	sp[6] = (uint64_t)(uintptr_t)fb_ctx_trampoline;
	return sp;
}

int fb_ctx_supported(void)
{
	return 1;
}
#else
void *fb_ctx_make(void *stack, size_t size, void (*fn)(void *), void *arg)
{
	(void)stack, (void)size, (void)fn, (void)arg;
	return NULL;
}

void fb_ctx_switch(void **save_sp, void *load_sp)
{
	(void)save_sp, (void)load_sp;
}

int fb_ctx_supported(void)
{
	return 0;
}
#endif
