/* test_spawn.c - every spawn primitive really creates a child that runs,
 * exits 0 and is reaped (no zombie left), and its three figures are ordered
 * as the definitions say. Calls the ops directly, as the worker does. */
#include <math.h>
#include <errno.h>
#include <string.h>

#include "check.h"
#include "family.h"
#include "testutil.h"

extern const struct fb_family fb_spawn_family;

static void check_case(const struct fb_case *kase, struct fb_env *env)
{
	struct fb_sample samples[9];
	char name[128];

	memset(samples, 0, sizeof(samples));
	env->param = kase->param;
	env->data = kase->data;
	env->reason[0] = '\0';
	int err = kase->run(env, samples, 9);
	snprintf(name, sizeof(name), "%s: 9 children ran, exited 0, were reaped", kase->name);
	if (err == FB_SKIP) {
		SKIP(name, env->reason);
		return;
	}
	CHECK(err == 0, name, "op returned %d: %s", err, env->reason);
	snprintf(name, sizeof(name), "%s: no zombie child left", kase->name);
	CHECK(count_zombie_children(getpid()) == 0, name, "%d zombies", count_zombie_children(getpid()));
	/* The child stamps its start after the call began; the round trip ends
	 * after both the parent's return and the child's start. A child that
	 * does not exec stamps on iterations 0 and 8 only (one in 8: the stamp
	 * would be part of the round trip), the rest say NaN; an exec'd helper
	 * stamps every time. */
	int ordered = 1, stamped = 0, exec_form = strstr(kase->name, "exec") || strstr(kase->name, "spawn");
	for (int i = 0; i < 9; i++) {
		ordered &= samples[i].values[0] > 0 && samples[i].time_ns >= samples[i].values[0];
		if (isnan(samples[i].values[1]))
			continue;
		ordered &= samples[i].values[1] > 0 && samples[i].time_ns >= samples[i].values[1];
		stamped++;
	}
	snprintf(name, sizeof(name), "%s: child start measured on %d of 9 iterations", kase->name, exec_form ? 9 : 2);
	CHECK(stamped == (exec_form ? 9 : 2), name, "measured on %d", stamped);
	snprintf(name, sizeof(name), "%s: 0 < parent, child start <= round trip", kase->name);
	CHECK(ordered, name, "first sample: parent %.0f child %.0f round trip %.0f ns",
	      samples[0].values[0], samples[0].values[1], samples[0].time_ns);
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

	/* A missing exec target is an error that names it, not a crash. */
	env.helper_dir = "/nonexistent";
	const struct fb_case *exec_case = NULL;
	for (size_t i = 0; i < fb_spawn_family.ncases; i++)
		if (strcmp(fb_spawn_family.cases[i].name, "fork_exec_static") == 0)
			exec_case = &fb_spawn_family.cases[i];
	struct fb_sample sample;
	int err = -1;
	if (exec_case) {
		env.param = exec_case->param;
		env.data = exec_case->data;
		err = exec_case->run(&env, &sample, 1);
	}
	CHECK(err < 0 && strstr(env.reason, "/nonexistent/fb-exit0-static"),
	      "missing exec target is reported by path", "returned %d, reason '%s'", err, env.reason);
	fb_region_destroy(&region);
	return check_done();
}
