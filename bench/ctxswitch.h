/* ctxswitch.h - a minimal user-level context switch (x86-64 assembly in
 * ctxswitch_x86_64.S): it saves and restores only the callee-saved
 * registers and the stack pointer, with no system call, which is why it is
 * 10-100x cheaper than swapcontext (which also saves the signal mask with
 * rt_sigprocmask) and than a kernel thread switch. Not saved: the SSE
 * control word MXCSR and the x87 control word, which forkbench never
 * changes. Elsewhere than x86-64, fb_ctx_supported() is 0. */
#ifndef FB_CTXSWITCH_H
#define FB_CTXSWITCH_H

#include <stddef.h>

/* Save this context's stack pointer into *save_sp and continue on load_sp
 * (a context made by fb_ctx_make or saved by an earlier switch). */
void fb_ctx_switch(void **save_sp, void *load_sp);
/* A new context on [stack, stack + size) that starts fn(arg); fn must never
 * return: it leaves by switching away. Returns its stack pointer. */
void *fb_ctx_make(void *stack, size_t size, void (*fn)(void *), void *arg);
int fb_ctx_supported(void);

#endif
