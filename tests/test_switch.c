/* test_switch.c - every switch-family case really passes its token back and
 * forth the full count of times on one CPU and on two, reports figures that
 * agree with what this test counts itself (its own clock, getrusage's
 * context switches of the measuring thread and of both sides), and leaves
 * this process as it found it: its tasks, no zombie child, the thread's CPU
 * mask. With both sides on one CPU the measuring thread must be switched
 * out on every round trip. Only cpus:2 may skip, where this thread has one
 * CPU. Calls the ops directly, as the worker does. */
#define _GNU_SOURCE
#include <sched.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "check.h"
#include "family.h"
#include "testutil.h"

extern const struct fb_family fb_switch_family;

#define ITERATIONS 3
/* bench/switch.c's ROUND_TRIPS_PER_ITERATION: "ran" must be exactly this. */
#define ROUND_TRIPS 200

/* What this test sees of one op call by its own means: the wall time
 * around it, the context switches of this thread (the measuring side: the
 * op runs in the calling thread) and of the whole process with its reaped
 * children (both sides: the partner thread's counts join the process's as
 * it exits, the partner process's when it is reaped). */
struct observed {
	double wall_ns;
	long thread_switches, all_switches;
};

static long switches_of(int who)
{
	struct rusage ru;
	return getrusage(who, &ru) ? 0 : ru.ru_nvcsw + ru.ru_nivcsw;
}

static long process_switches(void)
{
	return switches_of(RUSAGE_SELF) + switches_of(RUSAGE_CHILDREN);
}

static int run_observed(const struct fb_case *k, struct fb_env *env, struct fb_sample *s, struct observed *seen)
{
	struct timespec t0, t1;
	long thread0 = switches_of(RUSAGE_THREAD), all0 = process_switches();

	clock_gettime(CLOCK_MONOTONIC, &t0);
	int err = k->run(env, s, ITERATIONS);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	seen->thread_switches = switches_of(RUSAGE_THREAD) - thread0;
	seen->all_switches = process_switches() - all0;
	seen->wall_ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
	return err;
}

/* Every iteration completed all its round trips, timed within this test's
 * own clock around the op (0.1% for the clock's slewing). */
static void check_ran(const char *point, const struct fb_sample *s, const struct observed *seen)
{
	char name[200];
	double total_ns = 0;
	int ran = 1;

	for (int i = 0; i < ITERATIONS; i++) {
		ran &= s[i].values[0] == ROUND_TRIPS && s[i].time_ns > 0;
		total_ns += s[i].time_ns;
	}
	snprintf(name, sizeof(name), "%s: %d iterations of exactly %d round trips, timed within the op's wall time",
		 point, ITERATIONS, ROUND_TRIPS);
	CHECK(ran && total_ns <= seen->wall_ns * 1.001, name, "ran %.0f %.0f %.0f; time %.0f ns in all, the op took %.0f",
	      s[0].values[0], s[1].values[0], s[2].values[0], total_ns, seen->wall_ns);
}

/* Switches of the measuring thread outside its timed round trips: placing
 * it, starting and stopping the partner, the warm-up, a few polls for the
 * partner thread's task to go; and a tenth more for other load preempting
 * it then. */
#define SETUP_SWITCHES_MAX 50

/* ctx_switches_per_round_trip x the round trips of an iteration, summed,
 * is what getrusage counted for this thread over the whole op, less what
 * happened outside the timed round trips. */
static void check_thread_switches(const char *point, const struct fb_sample *s, const struct observed *seen)
{
	char name[260];
	double reported = 0;
	long counted = seen->thread_switches;

	for (int i = 0; i < ITERATIONS; i++)
		reported += s[i].values[3] * ROUND_TRIPS;
	snprintf(name, sizeof(name), "%s: ctx_switches_per_round_trip x %d, summed, = this thread's switches over the op "
		 "(getrusage), less its setup", point, ROUND_TRIPS);
	CHECK(reported <= counted + 0.5 && reported >= counted - SETUP_SWITCHES_MAX - counted / 10.0, name,
	      "%.1f switches reported in the timed round trips, %ld counted over the op", reported, counted);
}

/* Both sides on one CPU: each round trip needs the CPU to leave the
 * measuring side for the partner and to come back, so the kernel counts at
 * least 2 switches per round trip over the two sides (the warm-up's and
 * the setup's come on top; other load preempting either side too). That
 * count bounds the figures from above; from below, the round trips this
 * test asked for and their 2 switches each: time / ns_per_switch, summed,
 * lies in [2 x round trips, switches counted], time / round_trip_ns in
 * [round trips, switches counted / 2]. */
static void check_against_switches(const char *point, const struct fb_sample *s, const struct observed *seen)
{
	const double trips = (double)ITERATIONS * ROUND_TRIPS, counted = (double)seen->all_switches;
	double by_switch = 0, by_trip = 0;
	char name[240];

	for (int i = 0; i < ITERATIONS; i++) {
		by_switch += s[i].time_ns / s[i].values[1];
		by_trip += s[i].time_ns / s[i].values[2];
	}
	snprintf(name, sizeof(name), "%s: the kernel counted >= 2 switches per round trip over both sides (getrusage)",
		 point);
	CHECK(counted >= 2 * trips, name, "%.0f switches for %.0f round trips", counted, trips);
	snprintf(name, sizeof(name), "%s: time / ns_per_switch, summed, within [2 x %.0f round trips, the switches counted]",
		 point, trips);
	CHECK(by_switch >= 2 * trips * (1 - 1e-9) && by_switch <= counted, name,
	      "%.1f switches by the figure, %.0f counted; ns_per_switch %.3f for a time of %.0f ns", by_switch, counted,
	      s[0].values[1], s[0].time_ns);
	snprintf(name, sizeof(name), "%s: time / round_trip_ns, summed, within [%.0f round trips, half the switches counted]",
		 point, trips);
	CHECK(by_trip >= trips * (1 - 1e-9) && by_trip <= counted / 2, name,
	      "%.1f round trips by the figure, %.0f switches counted; round_trip_ns %.3f for a time of %.0f ns", by_trip,
	      counted, s[0].values[2], s[0].time_ns);
}

/* Both sides on one CPU, both blocking: the measuring thread cannot get its
 * answer without being switched out (voluntarily when it blocks, or
 * preempted by the side it woke), on every round trip. */
static void check_switched(const char *point, const struct fb_sample *s)
{
	char name[200];
	double least = s[0].values[3];

	for (int i = 1; i < ITERATIONS; i++)
		least = s[i].values[3] < least ? s[i].values[3] : least;
	snprintf(name, sizeof(name), "%s: the measuring thread switched >= 0.9 times per round trip", point);
	CHECK(least >= 0.9, name, "ctx_switches_per_round_trip %.3f %.3f %.3f", s[0].values[3], s[1].values[3],
	      s[2].values[3]);
}

/* What the op must leave as it found it. */
static void check_left_alone(const char *point, long tasks_before, const cpu_set_t *mask_before)
{
	cpu_set_t mask_after;
	char name[200];
	long tasks = task_count();
	int zombies = count_zombie_children(getpid());

	snprintf(name, sizeof(name), "%s: /proc/self/task back to %ld", point, tasks_before);
	CHECK(tasks == tasks_before, name, "%ld tasks", tasks);
	snprintf(name, sizeof(name), "%s: no zombie child left", point);
	CHECK(zombies == 0, name, "%d zombies", zombies);
	snprintf(name, sizeof(name), "%s: the thread's CPU mask is restored", point);
	CHECK(sched_getaffinity(0, sizeof(mask_after), &mask_after) == 0 && CPU_EQUAL(&mask_after, mask_before),
	      name, "%d CPUs in the mask after, %d before", CPU_COUNT(&mask_after), CPU_COUNT(mask_before));
}

static void check_point(const struct fb_case *k, long cpus)
{
	struct fb_sample samples[ITERATIONS];
	struct fb_env env;
	struct observed seen;
	cpu_set_t mask_before;
	char point[120], name[200], text[FB_REASON_LEN + 64];

	memset(&env, 0, sizeof(env));
	memset(samples, 0, sizeof(samples));
	env.param = k->param;
	env.data = k->data;
	env.axis_value = cpus;
	snprintf(point, sizeof(point), "%s/cpus:%ld", k->name, cpus);
	sched_getaffinity(0, sizeof(mask_before), &mask_before);
	long tasks_before = task_count();
	int err = run_observed(k, &env, samples, &seen);
	snprintf(name, sizeof(name), "%s: op returns 0", point);
	/* cpus:2 may skip where this thread may run on one CPU only, and its
	 * reason must say so; nothing else may skip or lack a resource. */
	if (err == FB_SKIP && cpus == 2 && CPU_COUNT(&mask_before) < 2 && strstr(env.reason, "only one CPU")) {
		snprintf(text, sizeof(text), "%s (here too: %d CPU in this thread's mask)", env.reason, CPU_COUNT(&mask_before));
		SKIP(name, text);
	} else if (CHECK(err == 0, name, "op returned %d: %s%s", err, env.reason,
			 err == FB_SKIP || err == FB_NO_RESOURCE ? " (a skip or no-resource this test sees no reason for)" : "")) {
		check_ran(point, samples, &seen);
		check_thread_switches(point, samples, &seen);
		if (cpus == 1) {
			check_against_switches(point, samples, &seen);
			check_switched(point, samples);
		}
	}
	check_left_alone(point, tasks_before, &mask_before);
}

/* With one CPU online, cpus:2 cannot be placed: a skip saying so. */
static void check_one_cpu_skip(const struct fb_case *k)
{
	struct fb_sample sample;
	struct fb_env env;
	int err;

	memset(&env, 0, sizeof(env));
	env.data = k->data;
	env.axis_value = 2;
	err = k->run(&env, &sample, 1);
	CHECK(err == FB_SKIP && strstr(env.reason, "only one CPU"), "cpus:2 on one CPU: FB_SKIP, reason says so",
	      "op returned %d: %s", err, env.reason);
}

/* Out of file descriptors: the pipe case is FB_NO_RESOURCE naming
 * RLIMIT_NOFILE and its value, and leaves no fd, task or CPU mask behind.
 * The soft limit is set to the lowest free descriptor + room: room 0 fails
 * the first pipe2 with EMFILE, room 2 the second (the first pipe must then
 * be closed). */
static void check_no_fds(const struct fb_case *k, int room)
{
	struct rlimit saved, low;
	struct fb_sample sample;
	struct fb_env env;
	cpu_set_t mask_before;
	char want[64], point[100], name[140];
	int lowest = dup(0), err;

	memset(&env, 0, sizeof(env));
	env.data = k->data;
	env.axis_value = 1;
	close(lowest);
	getrlimit(RLIMIT_NOFILE, &saved);
	low = saved;
	low.rlim_cur = (rlim_t)(lowest + room);
	snprintf(want, sizeof(want), "RLIMIT_NOFILE %d", lowest + room);
	snprintf(point, sizeof(point), "%s at RLIMIT_NOFILE lowest fd + %d", k->name, room);
	sched_getaffinity(0, sizeof(mask_before), &mask_before);
	long tasks_before = task_count();
	if (lowest < 0 || setrlimit(RLIMIT_NOFILE, &low)) {
		SKIP(point, "cannot lower RLIMIT_NOFILE");
		return;
	}
	err = k->run(&env, &sample, 1);
	setrlimit(RLIMIT_NOFILE, &saved);
	snprintf(name, sizeof(name), "%s: FB_NO_RESOURCE naming it", point);
	CHECK(err == FB_NO_RESOURCE && strstr(env.reason, want), name, "op returned %d: %s (wanted \"%s\")", err,
	      env.reason, want);
	int next = dup(0);
	close(next);
	snprintf(name, sizeof(name), "%s: no fd left open", point);
	CHECK(next == lowest, name, "lowest free fd %d, was %d", next, lowest);
	check_left_alone(point, tasks_before, &mask_before);
}

static const struct fb_case *find_case(const char *name)
{
	return family_case(&fb_switch_family, name, NULL);
}

int main(void)
{
	const struct fb_case *first = &fb_switch_family.cases[0];

	setvbuf(stdout, NULL, _IOLBF, 0);
	CHECK(fb_switch_family.ncases == 3 && first->axis && first->axis->values[0] == 1 &&
	      first->axis->values[1] == 2 && first->axis->values[2] == 0,
	      "three cases on the axis cpus {1, 2}", "%zu cases", fb_switch_family.ncases);
	for (size_t i = 0; i < fb_switch_family.ncases; i++) {
		const struct fb_case *k = &fb_switch_family.cases[i];
		for (size_t v = 0; v < FB_AXIS_MAX_VALUES && k->axis->values[v]; v++)
			check_point(k, k->axis->values[v]);
	}
	const struct fb_case *pipes = find_case("pipe_pingpong_threads");
	if (CHECK(pipes, "the case pipe_pingpong_threads exists", "not in the table")) {
		check_no_fds(pipes, 0);
		check_no_fds(pipes, 2);
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		check_one_cpu_skip(first);
	else
		SKIP("cpus:2 on one CPU: FB_SKIP, reason says so", "more than one CPU online here");
	/* On one CPU, root or not: the table; cpus:1 of each case (10 points)
	 * and the 3 left-alone points of its skipped cpus:2; 5 for each of the
	 * two fd limits; the skip on one CPU. */
	check_min_ran(1 + 3 * (10 + 3) + 2 * 5 + 1);
	return check_done();
}
