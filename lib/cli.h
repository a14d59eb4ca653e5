/* cli.h - what a command says on stderr: one line per error, usage with exit 2. */
#ifndef FB_CLI_H
#define FB_CLI_H

/* One line "forkbench: <message>" on stderr; errno is kept. */
void fb_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A command's usage: with --help or -h (argv[1]) on stdout and 0, as every
 * command answers --help; else one line on stderr and 2 (bad usage). */
int fb_usage(int argc, char **argv, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* What a command's arguments ask of forkbench itself, whatever the command:
 * -h/--help or -V/--version anywhere before a "--" (the first of them
 * counts, as with getopt, which finds options wherever they are). */
enum fb_cli_ask { FB_ASK_NOTHING, FB_ASK_HELP, FB_ASK_VERSION };
enum fb_cli_ask fb_cli_asks(int argc, char **argv);

#endif
