/* test_spawn.c - every spawn primitive really creates a child that runs,
 * ends as its row expects (exit 0; SIGKILL for pidfd_kill) and is reaped (no
 * zombie, no file descriptor left), and its figures are ordered as the
 * definitions say. A case may skip only where this test's own probe finds
 * the kernel call or glibc function it needs missing. Calls the ops
 * directly, as the worker does. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "check.h"
#include "family.h"
#include "probe.h"
#include "testutil.h"

#define ITERATIONS 9

extern const struct fb_family fb_spawn_family;

/* Where the case reports a counter: its index in value_names, or -1. */
static int value_index(const struct fb_case *kase, const char *name)
{
	for (int i = 0; kase->value_names && kase->value_names[i]; i++)
		if (strcmp(kase->value_names[i], name) == 0)
			return i;
	return -1;
}

static int count_open_fds(void)
{
	return (int)count_dir_entries("/proc/self/fd");
}

static const struct fb_case *find_case(const char *name)
{
	return family_case(&fb_spawn_family, name, NULL);
}

static int run_case(const struct fb_case *kase, struct fb_env *env, struct fb_sample *samples, size_t n)
{
	return run_op(kase, env, 0, samples, n);
}

/* Why kase may skip here, as this test sees it (NULL: it must run), and
 * the word its own reason must hold. */
static const char *may_skip(const struct fb_case *kase, const char **word)
{
	int clone3_case = strncmp(kase->name, "clone3", 6) == 0, pidfd_case = strstr(kase->name, "pidfd") != NULL;

	if (clone3_case && !probe_have_clone3())
		return *word = "does not implement", "clone3 is ENOSYS here";
	if (pidfd_case && !probe_have_pidfd_calls())
		return *word = "kernel", "pidfd_open, pidfd_send_signal or waitid(P_PIDFD) is missing here";
#if !__GLIBC_PREREQ(2, 39)
	if (strcmp(kase->name, "pidfd_spawn_static") == 0)
		return *word = "2.39", "built against glibc before 2.39";
#endif
	return NULL;
}

/* A skip passes only for a reason may_skip sees too, and says both;
 * anything else the op returns but 0 is a failing point. Returns 1 when
 * the case ran. */
static int ran_or_skipped(const struct fb_case *kase, const char *name, int err, const char *reason)
{
	const char *word = "", *why = may_skip(kase, &word);
	char text[FB_REASON_LEN + 160];

	if (err == FB_SKIP && why && strstr(reason, word)) {
		snprintf(text, sizeof(text), "%s (here: %s)", reason, why);
		SKIP(name, text);
		return 0;
	}
	CHECK(err == 0, name, "op returned %d: %s%s", err, reason,
	      err == FB_SKIP ? (why ? " (a skip, but not naming what is missing)" : " (a skip, yet what it needs is here)") : "");
	return 1;
}

/* A child that does not exec stamps on iterations 0 and 8 only (one in 8:
 * the stamp would be part of the round trip), the rest say NaN; an exec'd
 * helper and fork_reap_late's child stamp every time. A stamp gives both
 * child_start_ns and exit_ns. The child stamps its start after the call
 * began and its exit after its start; exit_ns ends when the parent saw it
 * end, no later than the round trip: so child start + exit_ns <= round trip
 * (with room for fork_reap_late's timed reap after it). */
static void check_stamps(const struct fb_case *kase, const struct fb_sample *s)
{
	int start = value_index(kase, "child_start_ns"), exit_at = value_index(kase, "exit_ns");
	int reap = value_index(kase, "reap_ns");
	int stamp_all = strstr(kase->name, "exec") || strstr(kase->name, "spawn") ||
			strcmp(kase->name, "fork_reap_late") == 0;
	int ordered = 1, paired = 1, stamped = 0;
	char name[128];

	for (int i = 0; i < ITERATIONS; i++) {
		ordered &= s[i].values[0] > 0 && s[i].time_ns >= s[i].values[0];
		paired &= isnan(s[i].values[start]) == isnan(s[i].values[exit_at]);
		if (isnan(s[i].values[start]))
			continue;
		double reap_ns = reap >= 0 ? s[i].values[reap] : 0;
		ordered &= s[i].values[start] > 0 && s[i].values[exit_at] > 0 &&
			   s[i].values[start] + s[i].values[exit_at] + reap_ns <= s[i].time_ns;
		stamped++;
	}
	snprintf(name, sizeof(name), "%s: child start measured on %d of 9 iterations", kase->name, stamp_all ? 9 : 2);
	CHECK(stamped == (stamp_all ? 9 : 2), name, "measured on %d", stamped);
	snprintf(name, sizeof(name), "%s: exit_ns measured on exactly the iterations with a child start", kase->name);
	CHECK(paired, name, "first sample: child start %.0f exit %.0f", s[0].values[start], s[0].values[exit_at]);
	snprintf(name, sizeof(name), "%s: 0 < parent, child start; 0 < exit_ns; child start + exit_ns <= round trip",
		 kase->name);
	CHECK(ordered, name, "first sample: parent %.0f child %.0f exit %.0f round trip %.0f ns", s[0].values[0],
	      s[0].values[start], s[0].values[exit_at], s[0].time_ns);
}

/* The child was a zombie (/proc state Z) before the timed reap, every time. */
static void check_reap_late(const struct fb_case *kase, const struct fb_sample *s)
{
	int seen = value_index(kase, "zombie_seen"), reap = value_index(kase, "reap_ns");
	int zombies = 0, reaped = 1;

	for (int i = 0; i < ITERATIONS; i++) {
		zombies += s[i].values[seen] == 1;
		reaped &= s[i].values[reap] > 0 && s[i].values[reap] < s[i].time_ns;
	}
	CHECK(zombies == ITERATIONS, "fork_reap_late: /proc said Z before every reap (zombie_seen 1)",
	      "%d of 9", zombies);
	CHECK(reaped, "fork_reap_late: 0 < reap_ns < round trip", "first: reap %.0f round trip %.0f",
	      s[0].values[reap], s[0].time_ns);
}

/* time_ns is signal to reap; signal_ns the pidfd_send_signal call within it.
 * The op itself checks waitid said CLD_KILLED by SIGKILL (it fails else). */
static void check_kill(const struct fb_case *kase, const struct fb_sample *s)
{
	int parent = value_index(kase, "parent_ns"), signal = value_index(kase, "signal_ns");
	int ordered = 1;

	for (int i = 0; i < ITERATIONS; i++)
		ordered &= s[i].values[parent] > 0 && s[i].values[signal] > 0 && s[i].values[signal] <= s[i].time_ns;
	CHECK(ordered, "pidfd_kill: 0 < fork, 0 < signal_ns <= signal-to-reap",
	      "first: fork %.0f signal %.0f to reap %.0f", s[0].values[parent], s[0].values[signal], s[0].time_ns);
}

static void check_case(const struct fb_case *kase, struct fb_env *env)
{
	struct fb_sample samples[ITERATIONS];
	char name[128];
	int fds = count_open_fds();
	int err = run_case(kase, env, samples, ITERATIONS);

	snprintf(name, sizeof(name), "%s: 9 children ran, ended as expected, were reaped", kase->name);
	if (!ran_or_skipped(kase, name, err, env->reason))
		return;
	snprintf(name, sizeof(name), "%s: no zombie child left", kase->name);
	CHECK(count_zombie_children(getpid()) == 0, name, "%d zombies", count_zombie_children(getpid()));
	snprintf(name, sizeof(name), "%s: no file descriptor left open (pipe, pidfds)", kase->name);
	CHECK(count_open_fds() == fds, name, "%d open before, %d after", fds, count_open_fds());
	if (err)
		return;
	if (value_index(kase, "child_start_ns") >= 0)
		check_stamps(kase, samples);
	if (value_index(kase, "zombie_seen") >= 0)
		check_reap_late(kase, samples);
	if (value_index(kase, "signal_ns") >= 0)
		check_kill(kase, samples);
}

/* pidfd_spawn is glibc 2.39's: before that the row is a recorded skip that
 * names glibc and 2.39; from then on it runs. */
static void check_pidfd_spawn(struct fb_env *env)
{
	const struct fb_case *kase = find_case("pidfd_spawn_static");
	struct fb_sample samples[ITERATIONS];
	int err = kase ? run_case(kase, env, samples, ITERATIONS) : -1;

#if __GLIBC_PREREQ(2, 39)
	CHECK(err == 0, "pidfd_spawn_static runs on glibc 2.39+", "returned %d: %s", err, env->reason);
#else
	CHECK(err == FB_SKIP && strstr(env->reason, "glibc") && strstr(env->reason, "2.39"),
	      "pidfd_spawn_static: a skip naming glibc and 2.39 before glibc 2.39", "returned %d: '%s'", err,
	      env->reason);
#endif
}

int main(void)
{
	char dir[PATH_MAX];
	struct fb_region region;
	struct fb_env env;

	setvbuf(stdout, NULL, _IOLBF, 0);
	build_dir(dir, sizeof(dir));
	memset(&env, 0, sizeof(env));
	env.helper_dir = dir;
	CHECK(fb_region_create(&region, 4 << 20, FB_PAGES_4K) == 0, "4 MiB parent region", "create failed");
	env.region = &region;
	for (size_t i = 0; i < fb_spawn_family.ncases; i++)
		check_case(&fb_spawn_family.cases[i], &env);
	check_pidfd_spawn(&env);

	/* A missing exec target is an error that names it, not a crash. */
	env.helper_dir = "/nonexistent";
	const struct fb_case *exec_case = find_case("fork_exec_static");
	struct fb_sample sample;
	int err = exec_case ? run_case(exec_case, &env, &sample, 1) : -1;
	CHECK(err < 0 && strstr(env.reason, "/nonexistent/fb-exit0-static"),
	      "missing exec target is reported by path", "returned %d, reason '%s'", err, env.reason);
	fb_region_destroy(&region);
	/* The 11 cases not on clone3 or pidfds run on any kernel and glibc and
	 * need no privilege: 3 points each and 3 on their stamps, 2 more on
	 * fork_reap_late; then the region, pidfd_spawn's point (a check on any
	 * glibc) and the missing exec target. */
	check_min_ran(11 * 6 + 2 + 3);
	return check_done();
}
