/* main.c - forkbench: the driver. `forkbench COMMAND [options]`. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "cli.h"

static int version(void)
{
	printf("forkbench %s\n", FB_VERSION);
	return 0;
}

static int usage(FILE *out)
{
	fprintf(out, "usage: forkbench COMMAND [options]   (COMMAND --help for its options)\n");
	for (size_t i = 0; i < fb_ncommands; i++)
		fprintf(out, "  %-10s %s\n", fb_commands[i].name, fb_commands[i].help);
	return out == stdout ? 0 : 2;
}

/* Every command answers -h/--help and -V/--version, wherever they are
 * before a "--": the version here, the help by the command itself, asked
 * the one way each understands (its name and "--help" alone). */
static int dispatch(const struct fb_command *cmd, int argc, char **argv)
{
	char help[] = "--help", *help_argv[] = { argv[0], help, NULL };

	switch (fb_cli_asks(argc, argv)) {
	case FB_ASK_VERSION:
		return version();
	case FB_ASK_HELP:
		return cmd->run(2, help_argv);
	default:
		return cmd->run(argc, argv);
	}
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);   /* fork hygiene: nothing buffered twice */
	if (argc < 2)
		return usage(stderr);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0)
		return usage(stdout);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
		return version();
	for (size_t i = 0; i < fb_ncommands; i++)
		if (strcmp(argv[1], fb_commands[i].name) == 0)
			return dispatch(&fb_commands[i], argc - 1, argv + 1);
	fb_error("unknown command '%s' (try forkbench --help)", argv[1]);
	return 2;
}
