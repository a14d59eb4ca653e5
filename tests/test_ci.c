/* test_ci.c - the CI recipes' base revision (scripts/ci-base.sh) in a git
 * history made here, as a CI checkout sees it: the first push of a new
 * branch (GitHub's github.event.before is 40 zeros) and a force push's gone
 * head fall back to where the branch left the default branch; a pull
 * request's base or the previous head is taken as given; on the default
 * branch itself, HEAD's parent. The GitHub and GitLab recipes take their
 * base from it and parse as YAML. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "check.h"
#include "files.h"
#include "testutil.h"

#define ZEROS "0000000000000000000000000000000000000000"

static char build[PATH_MAX];

/* origin.git: main c1-c2, feature branched at c2 (f1, f2), then c3 on main.
 * Clones as a CI job checks out: feature/ holds only the feature branch
 * (no origin/main), main/ the default branch. Each commit's sha in a file
 * of its name, for the test to read. */
static const char setup[] =
	"set -e; cd \"$1\"; g() { git -c user.name=t -c user.email=t@example.org -c init.defaultBranch=main \"$@\"; }\n"
	"g init -q --bare origin.git; g clone -q origin.git work 2>/dev/null; cd work\n"
	"c() { echo \"$1\" >f; g add f; g commit -qm \"$1\"; git rev-parse HEAD >../\"$1\"; }\n"
	"c c1; c c2; g push -q origin main\n"
	"g checkout -qb feature; c f1; c f2; g push -q origin feature\n"
	"g checkout -q main; c c3; g push -q origin main; cd ..\n"
	"g clone -q --single-branch --branch feature origin.git feature; g clone -q origin.git main\n";

/* One CI situation: the clone, the candidates passed, the commit expected. */
static const struct base_case {
	const char *what;
	const char *clone;
	const char *candidates[2];
	const char *expected;   /* the file holding its sha */
} cases[] = {
	/* a new branch's first push: before is zeros, and the clone has no main */
	{ "first push of a new branch (before = 40 zeros): where it left main", "feature", { ZEROS }, "c2" },
	/* a pull request: its base as given */
	{ "pull request: its base as given", "feature", { "PR" }, "c3" },
	/* a later push: the previous head as given */
	{ "later push: the previous head as given", "feature", { "BEFORE" }, "f1" },
	/* a force push whose old head is in no clone */
	{ "force push, old head gone: where it left main", "feature",
	  { "1234567890123456789012345678901234567890" }, "c2" },
	/* the default branch's own first push: its parent */
	{ "default branch, no previous head: HEAD's parent", "main", { ZEROS }, "c2" },
	/* no candidate at all (a manual run) */
	{ "no candidate: where it left main", "feature", { NULL }, "c2" },
};

static void sha_of(const char *dir, const char *name, char *sha, size_t len)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (fb_read_line(path, sha, len))
		snprintf(sha, len, "(no %s)", name);
}

/* scripts/ci-base.sh main CANDIDATES in dir/clone; its first output line into got. */
static int ci_base(const char *dir, const struct base_case *c, char *got, size_t len)
{
	char script[PATH_MAX + 32], clone[PATH_MAX + 16], out[PATH_MAX + 16], pr[64], before[64];
	const char *argv[9] = { "sh", "-c", "cd \"$1\" && shift && exec \"$@\"", "sh", clone, script, "main" };

	snprintf(script, sizeof(script), "%s/../scripts/ci-base.sh", build);
	snprintf(clone, sizeof(clone), "%s/%s", dir, c->clone);
	snprintf(out, sizeof(out), "%s/base.txt", dir);
	sha_of(dir, "c3", pr, sizeof(pr));
	sha_of(dir, "f1", before, sizeof(before));
	if (c->candidates[0])
		argv[7] = strcmp(c->candidates[0], "PR") == 0 ? pr : strcmp(c->candidates[0], "BEFORE") == 0 ? before
													  : c->candidates[0];
	int status = run_command(argv, out, NULL);
	if (fb_read_line(out, got, len))
		got[0] = '\0';
	return status;
}

/* The recipe file: it takes its base from ci-base.sh and parses as YAML. */
static void check_recipe(const char *rel)
{
	char path[PATH_MAX + 64], name[160];
	snprintf(path, sizeof(path), "%s/../%s", build, rel);
	char *text = fb_slurp(path, 1 << 20);
	const char *argv[] = { "python3", "-c", "import sys, yaml; yaml.safe_load(open(sys.argv[1]))", path, NULL };
	const char *probe[] = { "python3", "-c", "import yaml", NULL };

	snprintf(name, sizeof(name), "%s takes its base revision from scripts/ci-base.sh", rel);
	CHECK(strstr(text, "scripts/ci-base.sh"), name, "no scripts/ci-base.sh in %s", path);
	snprintf(name, sizeof(name), "%s parses as YAML (python3 yaml.safe_load)", rel);
	if (run_command(probe, NULL, NULL) != 0)
		SKIP(name, "python3 with the yaml module (Debian python3-yaml) is not installed");
	else
		CHECK(run_command(argv, NULL, NULL) == 0, name, "yaml.safe_load failed on %s", path);
	free(text);
}

int main(void)
{
	char dir[] = "/tmp/fb-ci-XXXXXX";

	setvbuf(stdout, NULL, _IOLBF, 0);
	build_dir(build, sizeof(build));
	const char *argv[] = { "sh", "-c", setup, "sh", dir, NULL };
	if (!mkdtemp(dir) || run_command(argv, NULL, NULL) != 0) {
		BROKEN("a git history with a default branch and a new branch", "in %s: git failed", dir);
		return check_done();
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char got[128], want[128];
		sha_of(dir, cases[i].expected, want, sizeof(want));
		int status = ci_base(dir, &cases[i], got, sizeof(got));
		CHECK(status == 0 && strcmp(got, want) == 0, cases[i].what, "status %d, base '%s', expected %s %s", status,
		      got, cases[i].expected, want);
	}
	check_recipe(".github/workflows/forkbench-regress.yml");
	check_recipe("ci/gitlab-ci.yml");
	check_min_ran(8);
	if (check_failed == 0)
		fb_remove_tree(dir);
	return check_done();
}
