/* cli.c - see cli.h. */
#define _GNU_SOURCE
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void fb_error(const char *fmt, ...)
{
	int saved = errno;   /* callers print errno's text after us */
	va_list ap;

	fflush(stdout);
	fputs("forkbench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	errno = saved;
}

int fb_usage(int argc, char **argv, const char *fmt, ...)
{
	int help = argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
	va_list ap;

	fputs(help ? "usage: " : "forkbench: usage: ", help ? stdout : stderr);
	va_start(ap, fmt);
	vfprintf(help ? stdout : stderr, fmt, ap);
	va_end(ap);
	fputc('\n', help ? stdout : stderr);
	return help ? 0 : 2;
}

enum fb_cli_ask fb_cli_asks(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return FB_ASK_HELP;
		if (strcmp(argv[i], "-V") == 0 || strcmp(argv[i], "--version") == 0)
			return FB_ASK_VERSION;
	}
	return FB_ASK_NOTHING;
}
