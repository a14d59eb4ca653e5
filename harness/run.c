/* run.c - `forkbench run`: run the benchmarks into a new run folder
 * results/<run-id>/ (bench.json, manifest.json), written under a temporary
 * name and renamed when complete, so a folder is never half-written and an
 * earlier run is never overwritten. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "claims.h"
#include "consistency.h"
#include "drift.h"
#include "cpustat.h"
#include "commands.h"
#include "external.h"
#include "machine.h"
#include "manifest.h"
#include "run_config.h"
#include "options.h"
#include "report.h"
#include "results.h"
#include "run_tmp.h"
#include "sizes.h"
#include "summary.h"
#include "syscheck.h"
#include "tracefs.h"
#include "cli.h"
#include "files.h"
#include "jsonio.h"
#include "proc.h"
#include "claims_out.h"
#include "findings.h"
#include "consistency_out.h"
#include "phase_checks.h"
#include "phases.h"
#include "phases_out.h"

/* `forkbench run`'s own options, beside the run settings' (bench/settings.c,
 * harness/run_config.c); each shown in --help before the setting it names
 * (NULL: at the end). */
static const struct own_option {
	const char *before;
	struct fb_option option;
} own_options[] = {
	{ "cpus", { "results", FB_OPT_STRING, 0, 0, "results", "folder that receives the run folder" } },
	{ "trace", { "no-trace", FB_OPT_FLAG, 0, 0, NULL, "the same as --trace off" } },
	{ NULL, { "strict", FB_OPT_FLAG, 0, 0, NULL,
		  "exit 1 when a consistency pair disagrees (the run folder is still written)" } },
	{ NULL, { "out", FB_OPT_STRING, 0, 0, NULL,
		  "exact run folder to create (must not exist), e.g. results/baselines/main" } },
	{ NULL, { "help", FB_OPT_FLAG, 0, 0, NULL, "show this help" } },
};

/* The settings' options with ours among them, into rows[FB_MAX_OPTIONS]:
 * how many. */
static size_t run_options(struct fb_option *rows)
{
	struct fb_option settings[FB_MAX_OPTIONS];
	size_t nsettings = fb_run_config_options(settings, FB_MAX_OPTIONS), n = 0;

	for (size_t i = 0; i <= nsettings; i++) {
		for (size_t o = 0; o < sizeof(own_options) / sizeof(own_options[0]) && n < FB_MAX_OPTIONS; o++) {
			const char *before = own_options[o].before;
			if (before ? i < nsettings && strcmp(before, settings[i].name) == 0 : i == nsettings)
				rows[n++] = own_options[o].option;
		}
		if (i < nsettings && n < FB_MAX_OPTIONS)
			rows[n++] = settings[i];
	}
	return n;
}

struct run_config {
	const struct fb_profile *profile;
	struct fb_run_config run;      /* what defines the run: sizes, modes, repetitions, cpus as
				        * recorded ("" when not pinned)... (run_config.h) */
	const char *cpus_text;         /* --cpus as given, or NULL */
	cpu_set_t cpus;                /* where the benchmarks run (see resolve_placement) */
	char revision[48];             /* the checkout's git revision, for bench.json's context */
	int pinned;                    /* cpus applies (else: wherever we may run) */
	int strict;
	char results_dir[PATH_MAX - 64];   /* where the temp folder and the run folder go */
	const char *out_name;          /* --out's last component, or NULL for <UTC time> */
	char out_buf[PATH_MAX - 64];
};

static volatile sig_atomic_t interrupted;
static volatile pid_t bench_group;   /* forkbench-bench's process group while it runs */

/* SIGINT, SIGTERM, SIGHUP: pass it on to what runs now (the benchmarks'
 * process group, or a companion), and stop at the next step; the temp
 * folder is removed and nothing is published. */
static void on_interrupt(int sig)
{
	interrupted = sig;
	if (bench_group > 0)
		kill(-bench_group, SIGTERM);
	fb_spawn_signal_running(SIGTERM);
}

static void catch_interrupts(void)
{
	struct sigaction sa = { .sa_handler = on_interrupt };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* --out DIR: the run folder's exact name (refused when it exists, so no
 * earlier run is replaced); else results/<UTC time>. */
static int resolve_output(const struct fb_opt_values *v, struct run_config *cfg, char *err, size_t len)
{
	const char *out = fb_opt_text(v, "out");

	if (!out) {
		snprintf(cfg->results_dir, sizeof(cfg->results_dir), "%s", fb_opt_text(v, "results"));
		return 0;
	}
	if (access(out, F_OK) == 0)
		return snprintf(err, len, "%s exists: a run folder is never overwritten", out), -1;
	snprintf(cfg->out_buf, sizeof(cfg->out_buf), "%s", out);
	char *slash = strrchr(cfg->out_buf, '/');
	cfg->out_name = slash ? slash + 1 : cfg->out_buf;
	if (!cfg->out_name[0])
		return snprintf(err, len, "--out needs a folder name, not '%s'", out), -1;
	snprintf(cfg->results_dir, sizeof(cfg->results_dir), "%.*s", slash ? (int)(slash - cfg->out_buf) : 1,
		 slash ? cfg->out_buf : ".");
	return 0;
}

/* Placement moves the fork round trip more than anything else here: on a
 * 2-core VM, unpinned, the child lands on the other CPU about half the time
 * and the round trip then pays cross-CPU wake-ups (bimodal, medians 55-61 us
 * run to run); parent and child on one CPU give 40-44 us, max/min 1.03 over
 * three runs. one-cpu takes the last CPU of the allowed set (CPU 0 takes
 * most device interrupts); free leaves it to the scheduler within --cpus. */
static int resolve_placement(struct run_config *cfg, char *err, size_t len)
{
	cpu_set_t allowed;
	char one[16];

	if (cfg->run.placement == FB_PLACEMENT_FREE) {
		cfg->pinned = cfg->cpus_text != NULL;
		return fb_run_config_set(&cfg->run, "cpus", cfg->cpus_text ? cfg->cpus_text : "", err, len);
	}
	if (cfg->cpus_text)
		allowed = cfg->cpus;
	else if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return snprintf(err, len, "cannot read this process's CPU affinity: %s", strerror(errno)), -1;
	int last = fb_cpu_last(&allowed, sizeof(allowed));
	CPU_ZERO(&cfg->cpus);
	CPU_SET(last, &cfg->cpus);
	cfg->pinned = 1;
	snprintf(one, sizeof(one), "%d", last);
	return fb_run_config_set(&cfg->run, "cpus", one, err, len);
}

/* The run's settings (run_config.c), then where it runs and is written. */
static int resolve_config(const struct fb_opt_values *v, struct run_config *cfg, char *err, size_t len)
{
	memset(cfg, 0, sizeof(*cfg));
	if (fb_run_config_from_options(v, &cfg->run, &cfg->profile, err, len))
		return -1;
	if (fb_opt_given(v, "no-trace") && fb_opt_given(v, "trace") && cfg->run.trace != FB_TRACE_OFF)
		return snprintf(err, len, "--no-trace and --trace %s say opposite things", fb_opt_text(v, "trace")), -1;
	if (fb_opt_given(v, "no-trace") && fb_run_config_set(&cfg->run, "trace", "off", err, len))
		return -1;
	cfg->cpus_text = fb_opt_text(v, "cpus");
	if (cfg->cpus_text && fb_cpu_list_parse(cfg->cpus_text, sysconf(_SC_NPROCESSORS_ONLN), &cfg->cpus))
		return snprintf(err, len, "--cpus takes CPU numbers of this machine like 1, 0,1 or 0-1, not '%s'",
				cfg->cpus_text), -1;
	cfg->strict = fb_opt_given(v, "strict");
	if (resolve_placement(cfg, err, len))
		return -1;
	return resolve_output(v, cfg, err, len);
}

/* Start forkbench-bench writing tmp_dir/bench.json; its console output goes
 * to bench.log in the run folder, and its progress line to our stderr as fd
 * 3 when that is a terminal and CI is not "true". Returns the pid or -1. */
static pid_t start_bench(const struct run_config *cfg, const char *tmp_dir)
{
	char bin[PATH_MAX], out[PATH_MAX + 32], log[PATH_MAX + 32];
	const char *ci = getenv("CI");
	int show_progress = isatty(2) && !(ci && strcmp(ci, "true") == 0);
	struct fb_argv args;

	fb_self_dir(bin, sizeof(bin) - 20);
	strcat(bin, "/forkbench-bench");
	snprintf(out, sizeof(out), "%s/bench.json", tmp_dir);
	snprintf(log, sizeof(log), "%s/bench.log", tmp_dir);
	char context[512], trace_dir[PATH_MAX + 32];
	fb_run_config_context(&cfg->run, FB_VERSION, cfg->revision[0] ? cfg->revision : NULL, context, sizeof(context));
	snprintf(trace_dir, sizeof(trace_dir), "--trace-dir=%s/trace", tmp_dir);
	int trace = cfg->run.trace == FB_TRACE_ALL || cfg->run.trace == FB_TRACE_FEW;
	/* the flags that may be absent last: a NULL ends the list */
	const char *extra[] = { context, trace ? trace_dir : NULL, cfg->run.trace == FB_TRACE_FEW ? "--trace-fewer" : NULL,
				show_progress ? "--progress-fd=3" : NULL, NULL };
	for (size_t i = 1, to = 1; i < sizeof(extra) / sizeof(extra[0]); i++)
		if (extra[i] || i + 1 == sizeof(extra) / sizeof(extra[0]))
			extra[to++] = extra[i];
	if (fb_run_config_bench_argv(&cfg->run, bin, out, extra, &args)) {
		fb_error("run: the benchmark's arguments are too long");
		return -1;
	}
	/* Progress to fd 3 first (while fd 2 is still our stderr), then stdout
	 * and stderr into bench.log. Its own process group: a signal to us is
	 * passed on to it, its workers and their children as a whole. */
	const struct fb_fd_action actions[] = {
		{ 3, NULL, 0, 2 },
		{ 1, log, O_WRONLY | O_CREAT | O_TRUNC, -1 },
		{ 2, NULL, 0, 1 },
	};
	long pid = fb_spawn(args.argv, show_progress ? actions : actions + 1, show_progress ? 3 : 2, 1);
	if (pid < 0) {
		fb_error("cannot start %s: %s (run `make` first)", bin, strerror((int)-pid));
		return -1;
	}
	return (pid_t)pid;
}

/* Wait for the benchmark binary; once interrupted, give its group 1 s to
 * leave after the SIGTERM, then SIGKILL it. Then reap anything orphaned
 * below us (we are a child subreaper), so no zombie outlives the run. */
static int wait_bench(pid_t pid)
{
	int status = 0;
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	int waited_ms = 0;

	bench_group = pid;
	for (;;) {
		pid_t got = waitpid(pid, &status, interrupted ? WNOHANG : 0);
		if (got == pid || (got < 0 && errno == ECHILD))
			break;
		if (!interrupted)
			continue;   /* EINTR: the handler has just run */
		if ((waited_ms += 10) > 1000)
			kill(-pid, SIGKILL);
		nanosleep(&nap, NULL);
	}
	bench_group = 0;
	fb_spawn_done(pid);
	kill(-pid, SIGKILL);   /* workers still leaving */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	fb_tracefs_remove_stale();   /* its ftrace instance, if a SIGKILL left one */
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static json_t *config_json(const struct run_config *cfg, int argc, char **argv)
{
	json_t *cmd = json_array();

	for (int i = 0; i < argc; i++)
		json_array_append_new(cmd, json_string(argv[i]));
	json_t *config = json_pack("{s:o}", "command_line", cmd);
	json_t *fields = fb_run_config_json(&cfg->run);
	json_object_update(config, fields);
	json_decref(fields);
	/* No seed to record: Google Benchmark 1.7 shuffles the interleaved
	 * repetitions from std::random_device and takes no seed, and the
	 * harness's statistics (order-statistic intervals) draw no random numbers. */
	json_object_set_new(config, "estimator",
			    json_string("median over repetitions of each repetition's median iteration time (iter_median_ns)"));
	json_object_set_new(config, "seed", json_null());
	json_object_set_new(config, "interleaving", json_string(cfg->run.repetitions > 1 ?
				"random, unseeded (Google Benchmark takes no seed)" : "none"));
	return config;
}

/* The environment as it was when the run started (the load average after
 * the benchmarks would describe our own work), with the system warnings. */
static json_t *capture_environment(void)
{
	return fb_manifest_environment_here();
}

/* What the run found out about itself: its cross-checks and the warnings
 * (machine conditions, then pairs that disagree). */
struct run_findings {
	json_t *consistency;
	json_t *warnings;
	size_t disagree;
	struct fb_results res;      /* bench.json, loaded once for summary, claims and report */
	struct fb_claims claims;    /* judged once for claims.json and the report */
	struct fb_phases phases;    /* the traced points, for phases.json and the summary */
	struct fb_phase_judgement judged;
};

static int write_manifest(const char *tmp_dir, const char *run_id, const struct run_config *cfg,
			  json_t *environment, const struct run_findings *found, int argc, char **argv)
{
	char path[PATH_MAX + 32];
	time_t now = time(NULL);
	char stamp[32];

	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	json_t *m = json_pack("{s:i, s:s, s:s, s:o, s:O, s:O, s:O}", "schema_version", FB_SCHEMA_VERSION,
			      "run_id", run_id, "finished_utc", stamp,
			      "config", config_json(cfg, argc, argv), "environment", environment,
			      "warnings", found->warnings, "consistency", found->consistency);
	snprintf(path, sizeof(path), "%s/manifest.json", tmp_dir);
	int err = m ? fb_write_json_atomic(path, m) : -ENOMEM;
	json_decref(m);
	return err;
}

/* The manifest with run_id, then claims.json and the report, all into the
 * temp folder: the published folder appears complete or not at all.
 * report_err is set when only the report failed (the run still stands). */
static int fill_folder(const char *tmp_dir, const char *run_id, const struct run_config *cfg, json_t *environment,
		       struct run_findings *found, int argc, char **argv, char *report_err, size_t len)
{
	int err = write_manifest(tmp_dir, run_id, cfg, environment, found, argc, argv);

	if (err)
		return err;
	/* without it the report's drift D reads this run alone; the run stands */
	if ((err = fb_drift_history_record(tmp_dir, cfg->results_dir)))
		fb_error("run: drift.json: %s (the report's next-run interval reads this run alone)", strerror(-err));
	/* a failure is reported and the run stands; the report then judges them itself */
	int judged = fb_claims_write(tmp_dir, &found->res, &found->claims) == 0;
	report_err[0] = '\0';
	if (!interrupted && fb_report_render(tmp_dir, &found->res, judged ? &found->claims : NULL, report_err, len) &&
	    !report_err[0])
		snprintf(report_err, len, "the report could not be rendered");
	return interrupted ? -EINTR : 0;
}

/* Name the finished temp folder results/<UTC time> (-2, -3... when that is
 * taken), fill it with that id, and rename: RENAME_NOREPLACE never replaces
 * an earlier run, even one made at the same second. */
static int publish(const char *tmp_dir, const struct run_config *cfg, json_t *environment,
		   struct run_findings *found, int argc, char **argv, char *final, size_t len,
		   char *report_err, size_t report_len)
{
	time_t now = time(NULL);
	char stamp[32], run_id[48];

	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", gmtime(&now));
	for (int n = 1; n < (cfg->out_name ? 2 : 100); n++) {
		snprintf(run_id, sizeof(run_id), n == 1 ? "%s" : "%s-%d", cfg->out_name ? cfg->out_name : stamp, n);
		snprintf(final, len, "%s/%s", cfg->results_dir, run_id);
		if (access(final, F_OK) == 0)
			continue;
		int err = fill_folder(tmp_dir, run_id, cfg, environment, found, argc, argv, report_err, report_len);
		if (err)
			return err;
		fb_run_tmp_disown(tmp_dir);   /* a dead run between here and the rename is stale after 10 min */
		if (renameat2(AT_FDCWD, tmp_dir, AT_FDCWD, final, RENAME_NOREPLACE) == 0)
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/* The phases pass's traces (bench/phase_trace.c) into phases.json, with
 * their checks, and one line per traced case on the terminal. A run whose
 * tracing was off or not allowed says why there, and is otherwise whole. */
static void record_phases(const struct run_config *cfg, const char *dir, struct run_findings *found)
{
	char path[PATH_MAX + 16], err[PATH_MAX + 160];

	snprintf(path, sizeof(path), "%s/trace", dir);
	if (cfg->run.trace == FB_TRACE_OFF)
		fb_phases_not_run(&found->phases, "turned off (--trace off or --no-trace)");
	else if (fb_phases_build(path, &found->phases, err, sizeof(err)))
		fb_phases_not_run(&found->phases, err);
	if (fb_phase_judge(&found->phases, &found->res, &found->judged))
		return;
	json_t *j = fb_phases_json(&found->phases), *checks = fb_phase_judgement_json(&found->judged);
	json_object_update(j, checks);
	json_decref(checks);
	snprintf(path, sizeof(path), "%s/phases.json", dir);
	int rc = j ? fb_write_json_atomic(path, j) : -ENOMEM;
	if (rc)
		fb_error("run: phases.json: %s (the report says the phases are missing)", strerror(-rc));
	json_decref(j);
}

/* Load the figures, print the summary and the run's cross-checks, and
 * gather the warnings: the machine's conditions, then disagreeing pairs. */
static int check_and_summarise(const struct run_config *cfg, const char *dir, json_t *environment,
			       struct run_findings *found)
{
	char path[PATH_MAX + 16], err[PATH_MAX + 160];
	struct fb_results *res = &found->res;
	struct fb_consistency cons;

	snprintf(path, sizeof(path), "%s/bench.json", dir);
	if (fb_results_load(path, res, err, sizeof(err))) {
		fb_error("%s", err);
		return -1;
	}
	int rc = fb_consistency_evaluate(res, &cons);
	found->warnings = fb_syscheck(environment);
	if (rc == 0) {
		found->consistency = fb_consistency_json(&cons);
		fb_consistency_warnings(&cons, found->warnings);
		found->disagree = cons.disagree;
	}
	record_phases(cfg, dir, found);
	/* judged again from the manifest when the folder is filled; the
	 * environment is the manifest's, so the verdicts are the same */
	json_t *manifest = json_pack("{s:O}", "environment", environment);
	fb_claims_evaluate(manifest, res, &found->claims);
	json_decref(manifest);
	const struct fb_findings findings = { res, rc == 0 ? &cons : NULL, &found->claims, &found->judged,
					      found->warnings };
	fb_findings_print(&findings, stdout);
	printf("\nreference: every figure of the run\n");
	fb_summary_print(res, stdout);
	if (rc == 0) {
		fb_consistency_print(&cons, stdout);
		fb_consistency_free(&cons);
	}
	fb_phases_print(&found->phases, &found->judged, stdout);
	return rc;
}

static void findings_free(struct run_findings *found)
{
	fb_phases_free(&found->phases);
	fb_phase_judgement_free(&found->judged);
	json_decref(found->consistency);
	json_decref(found->warnings);
	fb_results_free(&found->res);
}

/* CPU time stolen by the hypervisor (and taken by interrupts) while the
 * benchmarks ran, into environment.during_run. */
static void record_during_run(json_t *environment, const struct fb_cpustat *start, double wall_s)
{
	struct fb_cpustat end;

	if (fb_cpustat_read(&end))
		return;
	json_object_set_new(environment, "during_run",
			    json_pack("{s:f, s:f, s:f}", "steal_pct", fb_cpustat_steal_pct(start, &end),
				      "irq_pct", fb_cpustat_irq_pct(start, &end), "benchmarks_wall_s", wall_s));
}

/* The benchmark binary's last line explains a failure (its usage errors
 * are one line): show it, then say that nothing was written. */
static void report_bench_failure(const char *tmp_dir, int status)
{
	char path[PATH_MAX + 16], line[512], last[512] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/bench.log", tmp_dir);
	if ((f = fopen(path, "r"))) {
		while (fgets(line, sizeof(line), f))
			if (line[0] != '\n')
				snprintf(last, sizeof(last), "%s", line);
		fclose(f);
	}
	last[strcspn(last, "\n")] = '\0';
	fb_error("run: %s (status %d); no run folder was written", last[0] ? last : "the benchmarks failed", status);
}

static int usage_error(const char *err)
{
	fb_error("run: %s", err);
	return 2;
}

int fb_cmd_run(int argc, char **argv)
{
	char final[PATH_MAX];
	return fb_run_main(argc, argv, final, sizeof(final));
}

/* Run the benchmark binary into tmp, pinned as --cpus says: it inherits
 * our affinity, its workers and their children theirs; ours is restored
 * afterwards. Its exit status, or 1 when it could not start. */
static int run_benchmarks(const struct run_config *cfg, const char *tmp)
{
	cpu_set_t all;

	prctl(PR_SET_CHILD_SUBREAPER, 1);
	sched_getaffinity(0, sizeof(all), &all);
	if (cfg->pinned && sched_setaffinity(0, sizeof(cfg->cpus), &cfg->cpus))
		fb_error("run: cannot pin to CPU(s) %s: %s (running unpinned)", cfg->run.cpus, strerror(errno));
	pid_t pid = start_bench(cfg, tmp);
	int status = pid < 0 ? 1 : wait_bench(pid);
	sched_setaffinity(0, sizeof(all), &all);
	return status;
}

/* What the run folder holds besides the figures: hyperfine's whole-command
 * timings, perf's cross-check and the semantic checks. Each is left out
 * with a line saying why, never failing the run. */
static void run_companions(const struct run_config *cfg, const char *tmp)
{
	char err[PATH_MAX + 256], tap[PATH_MAX + 16];

	/* An interruption stops the one running and starts no other. */
	if (!interrupted && fb_run_hyperfine(tmp, cfg->profile->hyperfine_runs, err, sizeof(err)))
		printf("hyperfine left out: %s\n", err);
	if (!interrupted && fb_run_perf_check(tmp, err, sizeof(err)))
		printf("perf stat cross-check left out: %s\n", err);
	snprintf(tap, sizeof(tap), "%s/validate.tap", tmp);
	if (!interrupted && fb_validate_to_file(tap, NULL))
		printf("validate: a semantic check failed or could not be recorded (see validate.tap)\n");
}

/* Options into cfg and a fresh temp folder tmp for the run (after the
 * folders of runs that died are removed). 0, or the exit status (2 for
 * usage errors) when the run cannot start. */
static int prepare(int argc, char **argv, struct run_config *cfg, char *tmp, size_t tmp_len, int *help)
{
	struct fb_option options[FB_MAX_OPTIONS];
	size_t noptions = run_options(options);
	struct fb_opt_values v;
	char err[PATH_MAX + 256];

	if (fb_options_parse(options, noptions, argc - 1, argv + 1, &v, err, sizeof(err)))
		return usage_error(err);
	if ((*help = fb_opt_given(&v, "help"))) {
		printf("usage: forkbench run [options]\n");
		fb_options_help(options, noptions, stdout);
		return 0;
	}
	if (v.npositional)
		return usage_error("takes no positional arguments (try --help)");
	if (resolve_config(&v, cfg, err, sizeof(err)))
		return usage_error(err);
	int mk = fb_mkdir(cfg->results_dir);
	if (mk) {
		snprintf(err, sizeof(err), "cannot create %s: %s", cfg->results_dir, strerror(-mk));
		return usage_error(err);
	}
	fb_run_tmp_remove_stale(cfg->results_dir);
	if ((mk = fb_run_tmp_create(cfg->results_dir, tmp, tmp_len)))
		return fb_error("cannot create a folder in %s: %s", cfg->results_dir, strerror(-mk)), 1;
	return 0;
}

/* For the tests (FORKBENCH_TEST_PHASES=MS): one stderr line as each phase
 * starts, then MS milliseconds before going on, so that a test can
 * interrupt the run inside a phase that would otherwise end (a small
 * report renders in a few ms) before the test has read the line. */
static void phase(const char *name)
{
	const char *linger = getenv("FORKBENCH_TEST_PHASES");

	if (!linger)
		return;
	fb_error("phase %s", name);
	long ms = atol(linger);
	struct timespec pause = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&pause, NULL);
}

/* An interrupted run: nothing published, the temp folder removed, the exit
 * status of the signal (130 for SIGINT). */
static int abandon(const char *tmp, json_t *environment, struct run_findings *found)
{
	json_decref(environment);
	findings_free(found);
	fb_run_tmp_remove(tmp);
	fb_error("run: interrupted (%s); no run folder was written", strsignal(interrupted));
	return 128 + interrupted;
}

/* The benchmarks, with the steal while they ran. Their exit status. */
static int measure(const struct run_config *cfg, const char *tmp, json_t *environment)
{
	struct fb_cpustat cpu_start;
	struct timespec t0, t1;

	phase("benchmarks");
	fb_cpustat_read(&cpu_start);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int status = run_benchmarks(cfg, tmp);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	char bench[PATH_MAX + 16];
	snprintf(bench, sizeof(bench), "%s/bench.json", tmp);
	if (status == 0 && fb_json_make_strict(bench))
		fb_error("run: %s could not be made strict JSON (NaN left as Google Benchmark wrote it)", bench);
	record_during_run(environment, &cpu_start, (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return status;
}

int fb_run_main(int argc, char **argv, char *final, size_t final_len)
{
	struct run_config cfg;
	struct run_findings found = { 0 };
	char report_err[PATH_MAX + 256], tmp[PATH_MAX];
	int help = 0, rc;

	interrupted = 0;
	catch_interrupts();
	if ((rc = prepare(argc, argv, &cfg, tmp, sizeof(tmp), &help)) || help)
		return rc;
	json_t *environment = capture_environment();
	const char *revision = json_string_value(json_object_get(json_object_get(environment, "git"), "revision"));
	snprintf(cfg.revision, sizeof(cfg.revision), "%s", revision ? revision : "");
	int status = measure(&cfg, tmp, environment);
	if (interrupted)
		return abandon(tmp, environment, &found);
	if (status) {
		json_decref(environment);
		report_bench_failure(tmp, status);
		fb_run_tmp_remove(tmp);
		return status == 2 ? 2 : 1;
	}
	phase("companions");
	run_companions(&cfg, tmp);
	if (interrupted)
		return abandon(tmp, environment, &found);
	phase("report");
	rc = check_and_summarise(&cfg, tmp, environment, &found);
	if (!rc)
		rc = publish(tmp, &cfg, environment, &found, argc, argv, final, final_len, report_err, sizeof(report_err));
	if (interrupted)
		return abandon(tmp, environment, &found);
	json_decref(environment);
	if (rc) {
		fb_run_tmp_remove(tmp);
		findings_free(&found);
		return fb_error("run: could not complete the run folder"), 1;
	}
	findings_free(&found);
	printf("\nrun folder: %s\n", final);
	/* The run's raw files are complete and published; a report that failed
	 * can be rendered again later with `forkbench report`. */
	if (report_err[0]) {
		fb_error("report: %s (the run folder is complete; retry with forkbench report %s)", report_err, final);
		return 1;
	}
	printf("report: %s/report.html (and report.md)\n", final);
	if (cfg.strict && found.disagree) {
		fb_error("run: --strict: %zu consistency pair(s) disagree (see the warnings above)", found.disagree);
		return 1;
	}
	return 0;
}
