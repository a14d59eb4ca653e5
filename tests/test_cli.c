/* test_cli.c - forkbench's command line as hyperfine's: every command of the
 * table (harness/commands.c, walked here so that a new command is covered)
 * answers -h/--help with its usage and -V/--version with forkbench's version
 * line (stdout, exit 0, nothing on stderr), takes what follows "--" as
 * arguments, and each command that opens run folders says a folder that is
 * not there, or is not a run folder, in words: one line, exit 2. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "commands.h"
#include "files.h"
#include "testutil.h"

#define MAX_ARGS 22   /* run_forkbench_in's limit */

static char build[PATH_MAX], tmp[] = "/tmp/fb-test-cli-XXXXXX";
static char out_path[PATH_MAX + 16], err_path[PATH_MAX + 16];

/* What one call printed. */
struct said {
	int rc;
	char *out, *err;   /* "" when the file could not be read */
	int err_lines;
};

static void said_free(struct said *s)
{
	free(s->out);
	free(s->err);
}

/* build/forkbench args (NULL-terminated), its output read back. */
static struct said forkbench(const char *const *args)
{
	struct said s = { .rc = run_forkbench_in(build, args, out_path, err_path) };

	s.out = fb_slurp(out_path, 1 << 20);
	s.err = fb_slurp(err_path, 1 << 20);
	s.out = s.out ? s.out : strdup("");
	s.err = s.err ? s.err : strdup("");
	s.err_lines = count_lines(err_path);
	return s;
}

/* The usage of name as stdout shows it: "usage: forkbench NAME ...". */
static int shows_usage(const char *out, const char *name)
{
	char want[128];

	snprintf(want, sizeof(want), "usage: forkbench %s ", name);
	return strncmp(out, want, strlen(want)) == 0;
}

/* -h, --help, -V, --version alone, and -h after an argument (options are
 * found wherever they are, as getopt permutes them). */
static void check_help_version(const struct fb_command *cmd, const char *version)
{
	static const struct {
		const char *arg, *before;   /* before: an argument ahead of it, or NULL */
		int help;
	} asks[] = {
		{ "-h", NULL, 1 }, { "--help", NULL, 1 }, { "-V", NULL, 0 }, { "--version", NULL, 0 },
		{ "-h", "/nonexistent-fb-cli", 1 }, { "--version", "/nonexistent-fb-cli", 0 },
	};
	char name[160];

	for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
		const char *args[4] = { cmd->name, asks[i].before ? asks[i].before : asks[i].arg,
					asks[i].before ? asks[i].arg : NULL, NULL };
		struct said s = forkbench(args);
		int right = asks[i].help ? shows_usage(s.out, cmd->name) : strcmp(s.out, version) == 0;
		snprintf(name, sizeof(name), "%s%s%s %s: %s on stdout, exit 0, stderr empty", cmd->name,
			 asks[i].before ? " " : "", asks[i].before ? asks[i].before : "", asks[i].arg,
			 asks[i].help ? "its usage" : "the version line");
		CHECK(s.rc == 0 && right && !s.err[0], name, "exit %d, stdout '%.120s', stderr '%.200s'", s.rc, s.out,
		      s.err);
		said_free(&s);
	}
}

/* After "--", -h and -V are arguments: no usage, no version, but what the
 * command says of such an argument (exit 2, one line on stderr). */
static void check_dashdash_ends_options(const struct fb_command *cmd)
{
	static const char *const asks[] = { "-h", "-V", "--help" };
	char name[160];

	for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
		const char *args[] = { cmd->name, "--", asks[i], NULL };
		struct said s = forkbench(args);
		snprintf(name, sizeof(name), "%s -- %s: an argument, not an option (exit 2, one line, stdout empty)",
			 cmd->name, asks[i]);
		CHECK(s.rc == 2 && s.err_lines == 1 && !s.out[0], name, "exit %d, stdout '%.120s', stderr '%.200s'",
		      s.rc, s.out, s.err);
		said_free(&s);
	}
}

/* cmd->reads_runs made into arguments: each RUN as run, DIR a folder that
 * is not there; with dashdash, the options first, then "--", then the runs. */
static size_t run_args(const struct fb_command *cmd, const char *run, int dashdash, const char **args, char *buf,
		       size_t len)
{
	size_t n = 0, nruns = 0;
	char *save, *tok;

	snprintf(buf, len, "%s", cmd->reads_runs);
	args[n++] = cmd->name;
	for (tok = strtok_r(buf, " ", &save); tok && n < MAX_ARGS - 2; tok = strtok_r(NULL, " ", &save)) {
		if (strcmp(tok, "RUN") == 0) {
			nruns++;
			if (!dashdash)
				args[n++] = run;
		} else {
			args[n++] = strcmp(tok, "DIR") == 0 ? "no-such-out" : tok;
		}
	}
	if (dashdash)
		for (args[n++] = "--"; nruns-- && n < MAX_ARGS - 1;)
			args[n++] = run;
	args[n] = NULL;
	return n;
}

/* One line on stderr, exit 2, naming path and saying want; never a JSON
 * parser's "(line -1)" or "line 0". */
static void check_said(const struct fb_command *cmd, const char *run, int dashdash, const char *path,
		       const char *want, const char *what)
{
	const char *args[MAX_ARGS + 1];
	char buf[256], name[PATH_MAX + 192], line[PATH_MAX + 64];

	run_args(cmd, run, dashdash, args, buf, sizeof(buf));
	struct said s = forkbench(args);
	snprintf(line, sizeof(line), "%s: %s", path, want);
	snprintf(name, sizeof(name), "%s%s %s: one line '%s', exit 2", cmd->name, dashdash ? " ... --" : "", what,
		 line);
	CHECK(s.rc == 2 && s.err_lines == 1 && strstr(s.err, line) && !strstr(s.err, "line -1") &&
	      !strstr(s.err, "line 0"), name, "exit %d, %d lines: '%.300s'", s.rc, s.err_lines, s.err);
	said_free(&s);
}

static void check_run_folders(const struct fb_command *cmd, const char *empty)
{
	char missing[PATH_MAX];

	snprintf(missing, sizeof(missing), "%s/no-such-run", tmp);
	check_said(cmd, missing, 0, missing, "no such run folder", "a missing run folder");
	/* relative, from tmp, and looking like an option: "--" makes it a folder */
	check_said(cmd, "-no-such-run", 1, "-no-such-run", "no such run folder", "a missing run folder after --");
	check_said(cmd, empty, 0, empty, "not a run folder", "a folder without manifest.json or bench.json");
}

/* "--" before real run folders: the command runs (the committed CI
 * baseline, read only). */
static void check_dashdash_runs(void)
{
	char ci[PATH_MAX + 32];

	snprintf(ci, sizeof(ci), "%s/../results/baselines/ci", build);
	const char *cons[] = { "consistency", "--", ci, NULL };
	struct said s = forkbench(cons);
	CHECK(s.rc == 0 && !s.err[0], "consistency -- RUN: the run's cross-checks, exit 0", "exit %d: '%.300s'", s.rc,
	      s.err);
	said_free(&s);
	const char *cmp[] = { "compare", "--threshold", "5", "--", ci, ci, NULL };
	s = forkbench(cmp);
	CHECK(s.rc == 0 && !s.err[0], "compare --threshold 5 -- RUN RUN: a run against itself, exit 0",
	      "exit %d: '%.300s'", s.rc, s.err);
	said_free(&s);
}

int main(void)
{
	char empty[PATH_MAX], version[64];

	setvbuf(stdout, NULL, _IOLBF, 0);
	build_dir(build, sizeof(build));
	if (!mkdtemp(tmp) || chdir(tmp))
		return BROKEN("a temp folder", "%s", tmp), check_done();
	snprintf(out_path, sizeof(out_path), "%s/out", tmp);
	snprintf(err_path, sizeof(err_path), "%s/err", tmp);
	snprintf(empty, sizeof(empty), "%s/empty", tmp);
	mkdir(empty, 0755);

	snprintf(version, sizeof(version), "forkbench %s\n", FB_VERSION);
	struct said top = forkbench((const char *[]){ "--version", NULL });
	CHECK(top.rc == 0 && strcmp(top.out, version) == 0, "forkbench --version: the version line",
	      "exit %d, '%s'", top.rc, top.out);
	said_free(&top);
	for (size_t i = 0; i < fb_ncommands; i++) {
		check_help_version(&fb_commands[i], version);
		check_dashdash_ends_options(&fb_commands[i]);
		if (fb_commands[i].reads_runs)
			check_run_folders(&fb_commands[i], empty);
	}
	check_dashdash_runs();
	check_min_ran((int)fb_ncommands * 9);
	int failed = check_done();
	if (!failed)
		fb_remove_tree(tmp);   /* kept on failure, to look at */
	return failed;
}
