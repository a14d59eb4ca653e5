/* test_switch.c - every switch-family case really passes its token back and
 * forth the full count of times on one CPU and on two, reports figures that
 * agree with its time, and leaves this process as it found it: its tasks,
 * no zombie child, the thread's CPU mask. With both sides on one CPU the
 * measuring thread must be switched out on every round trip. Calls the ops
 * directly, as the worker does. */
#define _GNU_SOURCE
#include <math.h>
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

/* The figures of one run: every iteration completed all its round trips,
 * and the derived counters are its time divided as the names say. */
static void check_figures(const char *point, const struct fb_sample *s)
{
	char name[200];
	int ran = 1, divided = 1;

	for (int i = 0; i < ITERATIONS; i++) {
		ran &= s[i].values[0] == ROUND_TRIPS && s[i].time_ns > 0;
		divided &= fabs(s[i].values[1] - s[i].time_ns / (2.0 * ROUND_TRIPS)) < 1e-6 * s[i].time_ns &&
			   fabs(s[i].values[2] - s[i].time_ns / ROUND_TRIPS) < 1e-6 * s[i].time_ns &&
			   s[i].values[3] >= 0;
	}
	snprintf(name, sizeof(name), "%s: %d iterations of exactly %d round trips, time > 0", point,
		 ITERATIONS, ROUND_TRIPS);
	CHECK(ran, name, "ran %.0f %.0f %.0f; time %.0f %.0f %.0f ns", s[0].values[0], s[1].values[0],
	      s[2].values[0], s[0].time_ns, s[1].time_ns, s[2].time_ns);
	snprintf(name, sizeof(name), "%s: ns_per_switch = time / %d, round_trip_ns = time / %d", point,
		 2 * ROUND_TRIPS, ROUND_TRIPS);
	CHECK(divided, name, "time %.0f ns: ns_per_switch %.3f, round_trip_ns %.3f, switches %.3f",
	      s[0].time_ns, s[0].values[1], s[0].values[2], s[0].values[3]);
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
	cpu_set_t mask_before;
	char point[120], name[200];

	memset(&env, 0, sizeof(env));
	memset(samples, 0, sizeof(samples));
	env.param = k->param;
	env.data = k->data;
	env.axis_value = cpus;
	snprintf(point, sizeof(point), "%s/cpus:%ld", k->name, cpus);
	sched_getaffinity(0, sizeof(mask_before), &mask_before);
	long tasks_before = task_count();
	int err = k->run(&env, samples, ITERATIONS);
	snprintf(name, sizeof(name), "%s: op returns 0", point);
	if (err == FB_SKIP || err == FB_NO_RESOURCE) {
		SKIP(name, env.reason);
		check_left_alone(point, tasks_before, &mask_before);
		return;
	}
	if (CHECK(err == 0, name, "op returned %d: %s", err, env.reason)) {
		check_figures(point, samples);
		if (cpus == 1)
			check_switched(point, samples);
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
	return check_done();
}
