/* ctxswitch_x86_64.S - fb_ctx_switch and the start trampoline (see
 * ctxswitch.h). System V x86-64: rbx, rbp, r12-r15 are callee-saved, so a
 * switch that happens inside a call need only keep those and rsp. */
#ifdef __x86_64__
	.text

/* void fb_ctx_switch(void **save_sp, void *load_sp) */
	.globl fb_ctx_switch
	.type fb_ctx_switch, @function
fb_ctx_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size fb_ctx_switch, .-fb_ctx_switch

/* First return of a new context lands here with fn in r12 and arg in r13
 * (placed by fb_ctx_make); align the stack for the call as the ABI wants. */
	.globl fb_ctx_trampoline
	.type fb_ctx_trampoline, @function
fb_ctx_trampoline:
	movq %r13, %rdi
	andq $-16, %rsp
	callq *%r12
	ud2
	.size fb_ctx_trampoline, .-fb_ctx_trampoline
#endif
	.section .note.GNU-stack, "", @progbits
