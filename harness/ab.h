/* ab.h - `forkbench ab`: both sides of an A/B comparison measured on this
 * machine in one session, interleaved, then compared (see ab.c). */
#ifndef FB_AB_H
#define FB_AB_H

int fb_cmd_ab(int argc, char **argv);

#endif
