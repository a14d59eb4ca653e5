/* test_formats.c - the outputs read by the tools people read them with:
 * compare's and validate's JUnit XML by xmllint against the JUnit schema
 * (tests/junit.xsd), the committed baseline's JSON and a run's phases.json
 * by jq. A tool that is absent is a skip that says so (CI installs them);
 * a writer's slip must fail: an XML file with an attribute the schema does
 * not know is refused. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "testutil.h"

static char build[PATH_MAX];

static int have(const char *tool)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

/* xmllint's verdict on file: 0 when it validates. */
static int xmllint_schema(const char *file)
{
	const char *argv[] = { "xmllint", "--noout", "--schema", "tests/junit.xsd", file, NULL };
	return run_command(argv, "/dev/null", "/dev/null");
}

static void check_junit(const char *dir)
{
	char compare[PATH_MAX + 32], validate[PATH_MAX + 32], bad[PATH_MAX + 32];
	const char *cmp_args[] = { "compare", "results/baselines/ci", "results/baselines/ci", "--junit", compare, NULL };
	const char *val_args[] = { "validate", "--filter", "fork/", "--junit", validate, NULL };

	if (!have("xmllint")) {
		SKIP("JUnit files validate against the JUnit schema", "xmllint is not installed (libxml2-utils)");
		return;
	}
	snprintf(compare, sizeof(compare), "%s/compare.xml", dir);
	snprintf(validate, sizeof(validate), "%s/validate.xml", dir);
	snprintf(bad, sizeof(bad), "%s/bad.xml", dir);
	int rc = run_forkbench_in(build, cmp_args, "/dev/null", "/dev/null");
	CHECK(rc == 0 && xmllint_schema(compare) == 0, "compare's JUnit validates against the JUnit schema",
	      "compare exit %d, xmllint on %s failed", rc, compare);
	rc = run_forkbench_in(build, val_args, "/dev/null", "/dev/null");
	CHECK(access(validate, F_OK) == 0 && xmllint_schema(validate) == 0,
	      "validate's JUnit validates against the JUnit schema", "validate exit %d, xmllint on %s failed", rc, validate);
	FILE *f = fopen(bad, "w");
	if (f) {
		fputs("<testsuites><testsuite name=\"x\" tests=\"1\" failurs=\"0\"><testcase name=\"a\"/></testsuite>"
		      "</testsuites>\n", f);
		fclose(f);
	}
	CHECK(f && xmllint_schema(bad) != 0, "the schema refuses a misspelt attribute (failurs)", "it validated");
}

static void check_json(void)
{
	static const char *const files[] = { "results/baselines/ci/bench.json", "results/baselines/ci/manifest.json",
					     "results/baselines/ci/claims.json", NULL };

	if (!have("jq")) {
		SKIP("jq reads the committed baseline's JSON", "jq is not installed");
		return;
	}
	for (const char *const *file = files; *file; file++) {
		const char *argv[] = { "jq", "-e", ".", *file, NULL };
		char name[160];
		snprintf(name, sizeof(name), "jq reads %s", *file);
		CHECK(run_command(argv, "/dev/null", "/dev/null") == 0, name, "jq -e . failed");
	}
}

int main(void)
{
	char dir[] = "/tmp/fb-formats-XXXXXX";

	build_dir(build, sizeof(build));
	if (!mkdtemp(dir)) {
		BROKEN("a scratch folder", "mkdtemp failed");
		return check_done();
	}
	check_junit(dir);
	check_json();
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
	check_min_ran(3);
	return check_done();
}
