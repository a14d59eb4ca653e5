/* test_settings.c - the run settings table (bench/settings.c) and what is
 * made from it (harness/run_config.c): forkbench-bench's flags parsed into
 * typed settings, the manifest's config written (sizes as a list) and read
 * back from both the list and the older text, the command that repeats a
 * run, bench.json's context and the option help, each against text
 * written out by hand. */
#define _GNU_SOURCE
#include <jansson.h>
#include <string.h>

#include "check.h"
#include "run_config.h"

/* A manifest's config as an older run wrote it (sizes as text). */
static const char old_config[] =
	"{\"profile\": \"default\", \"sizes_mib\": \"0,64\", \"modes\": \"thp,4k\", \"repetitions\": 9, "
	"\"min_time_s\": 0.03, \"filter\": \"^spawn/fork/\", \"cpus\": \"1\", \"placement\": \"one-cpu\", "
	"\"family_max_mib\": \"cow:64,storm:16\", \"sweep\": \"long\"}";

static const char old_command[] =
	"build/forkbench run --profile default --sizes 0,64 --modes thp,4k --repetitions 9 --min-time 0.03 "
	"--filter '^spawn/fork/' --cpus 1 --placement one-cpu --family-max cow:64,storm:16 --sweep long";

static void check_bench_flags(void)
{
	const char *args[] = { "--sizes=0,16", "--modes=thp,4k", "--sweep=long", "--family-max-mib=cow:64",
			       "--benchmark_repetitions=5" };
	struct fb_run_config c = { 0 };
	char err[256] = "";
	int taken = 0;

	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++)
		taken += fb_setting_bench_arg(&c, args[i], err, sizeof(err));
	CHECK(taken == 5 && c.sizes.count == 2 && c.sizes.mib[1] == 16 && c.modes.count == 2 &&
	      c.modes.mode[0] == FB_PAGES_THP && c.sweep == FB_SWEEP_LONG && fb_family_cap(&c.family_max, "cow") == 64 &&
	      fb_family_cap(&c.family_max, "spawn") == -1 && c.repetitions == 5,
	      "forkbench-bench's flags into typed settings", "taken %d, err '%s'", taken, err);
	CHECK(fb_setting_bench_arg(&c, "--modes=4k,4k", err, sizeof(err)) == -1 &&
	      strcmp(err, "--modes takes 4k, thp or 4k,thp, not '4k,4k'") == 0, "a mode twice is refused", "%s", err);
	CHECK(fb_setting_bench_arg(&c, "--sweep=mid", err, sizeof(err)) == -1 &&
	      strcmp(err, "--sweep takes short or long, not 'mid'") == 0, "an unknown sweep is refused", "%s", err);
	CHECK(fb_setting_bench_arg(&c, "--progress-fd=3", err, sizeof(err)) == 0, "a flag no row takes is left", "taken");
	taken = fb_setting_bench_arg(&c, "--max-mem=100", err, sizeof(err));
	CHECK(taken == 1 && c.sizes.count == 5 && c.sizes.mib[3] == 64 && c.sizes.mib[4] == 100,
	      "--max-mem=100: the default sweep up to 64, then 100", "%zu sizes", c.sizes.count);
}

static void check_manifest(void)
{
	json_error_t jerr;
	json_t *old = json_loads(old_config, 0, &jerr);
	struct fb_run_config c, again;
	char err[256] = "", cmd[2048], cmd_again[2048];

	CHECK(fb_run_config_from_json(old, &c, err, sizeof(err)) == 0, "an older run's config is read", "%s", err);
	fb_run_config_command(&c, cmd, sizeof(cmd));
	CHECK(strcmp(cmd, old_command) == 0, "the command that repeats it", "%s", cmd);
	json_t *written = fb_run_config_json(&c);
	json_t *sizes = json_object_get(written, "sizes_mib");
	CHECK(json_is_array(sizes) && json_array_size(sizes) == 2 && json_integer_value(json_array_get(sizes, 1)) == 64,
	      "a new config holds the sizes as a list of numbers", "not [0, 64]");
	CHECK(strcmp(json_string_value(json_object_get(written, "family_max_mib")), "cow:64,storm:16") == 0 &&
	      json_real_value(json_object_get(written, "min_time_s")) == 0.03 &&
	      json_integer_value(json_object_get(written, "repetitions")) == 9,
	      "the other fields as older runs wrote them", "differ");
	CHECK(fb_run_config_from_json(written, &again, err, sizeof(err)) == 0, "the new config is read back", "%s", err);
	fb_run_config_command(&again, cmd_again, sizeof(cmd_again));
	CHECK(strcmp(cmd_again, old_command) == 0, "...into the same command", "%s", cmd_again);
	json_decref(written);
	json_decref(old);

	/* a run from before the per-family limits, the axes and placement */
	json_t *oldest = json_pack("{s:s, s:s, s:s, s:i, s:f, s:n}", "profile", "quick", "sizes_mib", "0", "modes", "4k",
				   "repetitions", 5, "min_time_s", 0.01, "filter");
	CHECK(fb_run_config_from_json(oldest, &c, err, sizeof(err)) == 0, "a run before the limits is read", "%s", err);
	fb_run_config_command(&c, cmd, sizeof(cmd));
	CHECK(strcmp(cmd, "build/forkbench run --profile quick --sizes 0 --modes 4k --repetitions 5 --min-time 0.01 "
		      "--family-max none") == 0, "its command says it had no family limits", "%s", cmd);
	written = fb_run_config_json(&c);
	CHECK(json_is_null(json_object_get(written, "sweep")) && json_is_null(json_object_get(written, "family_max_mib")),
	      "what it did not record stays null", "recorded");
	json_decref(written);
	json_object_set_new(oldest, "sizes_mib", json_pack("[i, s]", 0, "64"));
	CHECK(fb_run_config_from_json(oldest, &c, err, sizeof(err)) == -1 && strstr(err, "config.sizes_mib: item 1"),
	      "a list of sizes holding a text is refused", "%s", err);
	json_decref(oldest);
}

static void check_bench_argv(void)
{
	struct fb_run_config c = { 0 };
	struct fb_argv a;
	char err[256] = "", joined[1024] = "", context[512];

	fb_run_config_set(&c, "profile", "quick", err, sizeof(err));
	fb_run_config_set(&c, "sizes", "0,64", err, sizeof(err));
	fb_run_config_set(&c, "modes", "4k", err, sizeof(err));
	fb_run_config_set(&c, "sweep", "short", err, sizeof(err));
	c.repetitions = 5;
	c.min_time_s = 0.01;
	fb_run_config_bench_argv(&c, "fb", "out.json", NULL, &a);
	for (int i = 0; i < a.argc; i++)
		snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%s", i ? " " : "", a.argv[i]);
	CHECK(strcmp(joined, "fb --benchmark_out=out.json --benchmark_out_format=json --sizes=0,64 --modes=4k "
		      "--benchmark_repetitions=5 --benchmark_min_time=0.01 --sweep=short "
		      "--benchmark_enable_random_interleaving=true") == 0, "forkbench-bench's argv", "%s", joined);
	fb_run_config_context(&c, "1.0", NULL, context, sizeof(context));
	CHECK(strcmp(context, "--benchmark_context=forkbench_version=1.0,git_revision=unknown,profile=quick,"
		      "sizes_mib=0 64,modes=4k,placement=unknown") == 0, "bench.json's context", "%s", context);
}

static void check_help(void)
{
	struct fb_option rows[FB_MAX_OPTIONS];
	size_t n = fb_run_config_options(rows, FB_MAX_OPTIONS);
	const char *profile = "", *max_mem = "";

	for (size_t i = 0; i < n; i++) {
		if (strcmp(rows[i].name, "profile") == 0)
			profile = rows[i].help;
		if (strcmp(rows[i].name, "max-mem") == 0)
			max_mem = rows[i].help;
	}
	CHECK(strcmp(profile, "quick (5 repetitions, up to 256 MiB, cow and storm to 64, short axis sweep), "
				 "default (9, up to 1024 MiB, cow and storm to 64, short) or full (9, everything to "
				 "1024 MiB, long)") == 0, "--profile's help, made from the profiles", "%s", profile);
	CHECK(strcmp(max_mem, "largest memory size in MiB (default sweep 0,1,16,64,256,1024)") == 0,
	      "--max-mem's help names the default sweep", "%s", max_mem);
}

/* Each row names its option and manifest key once. */
static void check_table(void)
{
	int unique = 1;

	for (size_t i = 0; i < fb_nsettings; i++)
		for (size_t j = 0; j < i; j++)
			unique &= strcmp(fb_settings[i].option, fb_settings[j].option) != 0 &&
				  (!fb_settings[i].key || !fb_settings[j].key || strcmp(fb_settings[i].key, fb_settings[j].key));
	CHECK(unique, "options and manifest keys are each named once", "a name twice");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	check_table();
	check_bench_flags();
	check_manifest();
	check_bench_argv();
	check_help();
	return check_done();
}
