/* stringify.h - a macro's value as a string literal, so that a number
 * spelled once in a #define can also appear inside text (a usage line, an
 * option's default): FB_STRINGIFY(FB_BARE_MAX_ROUNDS) is "4096". */
#ifndef FB_STRINGIFY_H
#define FB_STRINGIFY_H

#define FB_STRINGIFY_(x) #x
#define FB_STRINGIFY(x) FB_STRINGIFY_(x)

#endif
