/* commands.h - forkbench's subcommands; each takes argv from its own name. */
#ifndef FB_COMMANDS_H
#define FB_COMMANDS_H

int fb_cmd_run(int argc, char **argv);
int fb_cmd_report(int argc, char **argv);

#endif
