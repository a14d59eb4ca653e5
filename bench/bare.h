/* bare.h - what forkbench-bench and fb-bare (bench/bare.c) agree on: the
 * most round trips one start of fb-bare times (its buffer's size; main.c
 * asks for at most this many at a time). */
#ifndef FB_BARE_H
#define FB_BARE_H

#define FB_BARE_MAX_ROUNDS 4096

#endif
