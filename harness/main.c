/* main.c - forkbench: the driver. `forkbench COMMAND [options]`. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "cli.h"

static int usage(FILE *out)
{
	fprintf(out, "usage: forkbench COMMAND [options]   (COMMAND --help for its options)\n");
	for (size_t i = 0; i < fb_ncommands; i++)
		fprintf(out, "  %-10s %s\n", fb_commands[i].name, fb_commands[i].help);
	return out == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);   /* fork hygiene: nothing buffered twice */
	if (argc < 2)
		return usage(stderr);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0)
		return usage(stdout);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
		return printf("forkbench %s\n", FB_VERSION), 0;
	for (size_t i = 0; i < fb_ncommands; i++)
		if (strcmp(argv[1], fb_commands[i].name) == 0)
			return fb_commands[i].run(argc - 1, argv + 1);
	fb_error("unknown command '%s' (try forkbench --help)", argv[1]);
	return 2;
}
