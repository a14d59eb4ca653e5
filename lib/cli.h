/* cli.h - what a command says on stderr: one line per error, usage with exit 2. */
#ifndef FB_CLI_H
#define FB_CLI_H

/* One line "forkbench: <message>" on stderr; errno is kept. */
void fb_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A command's usage: with --help or -h (argv[1]) on stdout and 0, as every
 * command answers --help; else one line on stderr and 2 (bad usage). */
int fb_usage(int argc, char **argv, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
