/* test_storm.c - the storm family's ops leave nothing behind (no zombie,
 * tasks, mappings and the caller's CPU mask as they were; the real fb-worker
 * not marked changed), their figures hold together (forkers as asked, the
 * forkers' CPUs against the CPUs counted here, p50 <= p99 <= the wall time,
 * the forks it claims against the machine's fork counter, the wall time it
 * claims inside the test's own clock), forkers beyond 2x the CPUs are a skip
 * with its reason, and a pid limit hit in a forker is no-resource naming
 * RLIMIT_NPROC. Calls the ops directly, as the worker does. */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "check.h"
#include "probe.h"
#include "family.h"
#include "pool.h"
#include "region.h"
#include "testutil.h"

extern const struct fb_family fb_storm_family;

/* Round trips per forker and iteration: the case's definition ("K forkers
 * x 32 fork + _exit + waitpid", its what text), which its figures divide by. */
#define ROUNDS_PER_FORKER 32
#define ITERATIONS 2
#define NOBODY_UID 65534

static const struct fb_case *find_case(const char *name, unsigned *index)
{
	return family_case(&fb_storm_family, name, index);
}

/* The CPUs the forkers may use, counted here: those in pid 1's mask (the
 * container's or cgroup's CPUs, which the run's own pinned mask is narrower
 * than), which the kernel already limits to the CPUs online. -1 when pid 1's
 * mask cannot be read. */
static int usable_cpus(void)
{
	cpu_set_t init_cpus;

	return sched_getaffinity(1, sizeof(init_cpus), &init_cpus) ? -1 : CPU_COUNT(&init_cpus);
}

/* Processes and threads the machine created since boot (/proc/stat's
 * "processes"), or -1: every fork on the machine counts, so the forks of an
 * op are a lower bound of its difference. */
static long long forks_since_boot(void)
{
	return probe_proc_counter("/proc/stat", "processes");
}

static int64_t test_clock_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The caller's state after an op: zombies, tasks, mappings, CPU mask. */
struct caller_state {
	long tasks, maps;
	cpu_set_t cpus;
};

static void caller_state_read(struct caller_state *s)
{
	s->tasks = task_count();
	s->maps = fb_count_mappings(0);
	CPU_ZERO(&s->cpus);
	sched_getaffinity(0, sizeof(s->cpus), &s->cpus);
}

static void check_left_nothing(const char *what, const struct caller_state *before)
{
	struct caller_state now;
	char name[160];

	caller_state_read(&now);
	snprintf(name, sizeof(name), "%s: no zombie left", what);
	CHECK(count_zombie_children(getpid()) == 0, name, "%d zombies", count_zombie_children(getpid()));
	snprintf(name, sizeof(name), "%s: /proc/self/task back to %ld", what, before->tasks);
	CHECK(now.tasks == before->tasks, name, "%ld tasks", now.tasks);
	snprintf(name, sizeof(name), "%s: mappings back to %ld", what, before->maps);
	CHECK(now.maps == before->maps, name, "%ld mappings", now.maps);
	snprintf(name, sizeof(name), "%s: the caller's CPU mask unchanged", what);
	CHECK(CPU_EQUAL(&now.cpus, &before->cpus), name, "%d CPUs before, %d after", CPU_COUNT(&before->cpus),
	      CPU_COUNT(&now.cpus));
}

/* The figures of one parallel_fork run against what the test counted and
 * timed itself around it (forks, outer_ns). Per iteration, the wall time
 * from the release to the last forker's end is claimed twice: as time_ns x
 * K x 32 and as K x 32 / forks_per_s. It must fit inside the test's clock
 * around the op (the forkers' start and reaping only add to that clock, so a
 * slow machine cannot fail it), and hold the round trips: each forker makes
 * its 32 back to back inside it and at least half of the K x 32 last p50 or
 * more, so K x wall >= 16 K x p50. */
static void check_parallel_figures(const char *what, long forkers, int cpus, const struct fb_sample *s,
				   long long forks, int64_t outer_ns)
{
	double rounds = (double)(forkers * ROUNDS_PER_FORKER), walls_time = 0, walls_rate = 0;
	int figures = 1, ordered = 1, wall_held = 1;
	char name[200];

	for (int i = 0; i < ITERATIONS; i++) {
		double wall_time_ns = s[i].time_ns * rounds, wall_rate_ns = s[i].values[0] > 0 ? rounds / s[i].values[0] * 1e9 : 0;
		long used = forkers < cpus ? forkers : cpus;   /* each forker on a CPU of its own, round robin */
		/* values: forks_per_s, p50_us, p99_us, forkers, cpus */
		figures &= s[i].time_ns > 0 && s[i].values[0] > 0 && s[i].values[3] == (double)forkers &&
			   s[i].values[4] == (double)used;
		/* every round trip lies between the release and the last end */
		ordered &= s[i].values[1] > 0 && s[i].values[1] <= s[i].values[2] && s[i].values[2] * 1e3 <= wall_time_ns;
		wall_held &= wall_time_ns >= 16 * s[i].values[1] * 1e3 && wall_rate_ns >= 16 * s[i].values[1] * 1e3;
		walls_time += wall_time_ns;
		walls_rate += wall_rate_ns;
	}
	snprintf(name, sizeof(name), "%s: forkers = %ld, each on its own CPU (cpus = min(K, %d)), time_ns and "
		 "forks_per_s > 0", what, forkers, cpus);
	CHECK(figures, name, "time %.0f ns, forks_per_s %.1f, forkers %.0f, cpus %.0f", s[0].time_ns, s[0].values[0],
	      s[0].values[3], s[0].values[4]);
	snprintf(name, sizeof(name), "%s: 0 < p50 <= p99 <= the wall time", what);
	CHECK(ordered, name, "p50 %.1f us, p99 %.1f us, wall %.1f us", s[0].values[1], s[0].values[2],
	      s[0].time_ns * rounds / 1e3);
	long long want_forks = (long long)ITERATIONS * forkers * (1 + ROUNDS_PER_FORKER);
	snprintf(name, sizeof(name), "%s: the machine created at least %d x K x (1 + %d) = %lld processes", what,
		 ITERATIONS, ROUNDS_PER_FORKER, want_forks);
	CHECK(forks >= want_forks, name, "/proc/stat's processes rose by %lld", forks);
	snprintf(name, sizeof(name), "%s: the wall times claimed (time_ns x K x %d, K x %d / forks_per_s) fit inside "
		 "the test's own clock around the op", what, ROUNDS_PER_FORKER, ROUNDS_PER_FORKER);
	CHECK(walls_time <= (double)outer_ns && walls_rate <= (double)outer_ns, name,
	      "%d iterations: walls %.0f us (time_ns) and %.0f us (forks_per_s), test's clock %.0f us", ITERATIONS,
	      walls_time / 1e3, walls_rate / 1e3, (double)outer_ns / 1e3);
	snprintf(name, sizeof(name), "%s: each wall time claimed holds its round trips (>= 16 x p50)", what);
	CHECK(wall_held, name, "first iteration: walls %.0f us (time_ns) and %.0f us (forks_per_s), p50 %.1f us",
	      s[0].time_ns * rounds / 1e3, rounds / s[0].values[0] * 1e6, s[0].values[1]);
}

static void check_parallel(struct fb_env *env, long forkers, int cpus)
{
	const struct fb_case *kase = find_case("parallel_fork", NULL);
	struct fb_sample s[ITERATIONS];
	struct caller_state before;
	char name[160], what[64];

	snprintf(what, sizeof(what), "parallel_fork forkers:%ld", forkers);
	caller_state_read(&before);
	long long forks_before = forks_since_boot();
	int64_t t0 = test_clock_ns();
	int err = run_op(kase, env, forkers, s, ITERATIONS);
	int64_t outer_ns = test_clock_ns() - t0;
	long long forks_after = forks_since_boot();
	snprintf(name, sizeof(name), "%s: %d iterations done", what, ITERATIONS);
	if (!CHECK(err == 0, name, "op returned %d: %s", err, env->reason))
		return;
	snprintf(name, sizeof(name), "%s: the machine's fork counter read around it", what);
	if (forks_before < 0 || forks_after < 0)
		BROKEN(name, "no \"processes\" line in /proc/stat (%lld, then %lld)", forks_before, forks_after);
	else
		check_parallel_figures(what, forkers, cpus, s, forks_after - forks_before, outer_ns);
	check_left_nothing(what, &before);
}

static void check_too_many_forkers(struct fb_env *env, int cpus)
{
	const struct fb_case *kase = find_case("parallel_fork", NULL);
	struct fb_sample s[1];
	long forkers = 2L * cpus + 1;
	char want[96], name[128];

	snprintf(want, sizeof(want), "forkers:%ld is more than 2x the %d CPUs online", forkers, cpus);
	snprintf(name, sizeof(name), "parallel_fork forkers:%ld (2x CPUs + 1): skipped, saying why", forkers);
	int err = run_op(kase, env, forkers, s, 1);
	CHECK(err == FB_SKIP && strcmp(env->reason, want) == 0, name, "returned %d, reason '%s'", err, env->reason);
	CHECK(count_zombie_children(getpid()) == 0, "parallel_fork skipped: no child started", "zombies");
}

static void check_faulting(struct fb_env *env, int cpus)
{
	const struct fb_case *kase = find_case("fork_while_faulting", NULL);
	struct fb_sample s[4];
	struct caller_state before;
	double siblings = cpus - 1 < 1 ? 1 : cpus - 1 > 16 ? 16 : (double)(cpus - 1);
	char name[160];

	/* AddressSanitizer maps regions of its allocator the first time this
	 * process makes a thread, and keeps them (8 mappings here): a first run
	 * warms them up, the state is compared around the second. The real
	 * fb-worker's state is compared exactly (check_in_worker). */
	int err = run_op(kase, env, 0, s, 1);
	caller_state_read(&before);
	if (err == 0)
		err = run_op(kase, env, 0, s, 4);
	if (err == FB_SKIP) {
		SKIP("fork_while_faulting: 4 iterations beside faulting siblings", env->reason);
		return;
	}
	if (!CHECK(err == 0, "fork_while_faulting: 4 iterations beside faulting siblings", "op returned %d: %s", err,
		   env->reason))
		return;
	int figures = 1;
	double faults_per_s = 0;
	for (int i = 0; i < 4; i++) {
		figures &= s[i].time_ns > 0 && s[i].values[1] == siblings && s[i].values[0] >= 0;
		faults_per_s += s[i].values[0];
	}
	snprintf(name, sizeof(name), "fork_while_faulting: siblings = %.0f (CPUs - 1), time_ns > 0", siblings);
	CHECK(figures, name, "time %.0f ns, siblings %.0f", s[0].time_ns, s[0].values[1]);
	/* A fork stalls the siblings' faults for its whole page-table copy: a
	 * single iteration may see none, 4 together must see some. */
	CHECK(faults_per_s > 0, "fork_while_faulting: the siblings faulted while the forks ran",
	      "sibling_faults_per_s %.0f %.0f %.0f %.0f", s[0].values[0], s[1].values[0], s[2].values[0],
	      s[3].values[0]);
	check_left_nothing("fork_while_faulting", &before);
}

/* Tasks whose real uid is uid, threads included: what RLIMIT_NPROC counts. */
static long tasks_of_uid(uid_t uid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	long tasks = 0;

	while (d && (e = readdir(d))) {
		char path[64], line[256];
		long real_uid = -1, threads = 0;
		if (atoi(e->d_name) <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/status", e->d_name);
		FILE *f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f)) {
			sscanf(line, "Uid: %ld", &real_uid);
			sscanf(line, "Threads: %ld", &threads);
		}
		if (f)
			fclose(f);
		tasks += real_uid == (long)uid ? threads : 0;
	}
	if (d)
		closedir(d);
	return tasks;
}

/* In the child: as root, become nobody (root is not bound by RLIMIT_NPROC);
 * room for the forkers and not one task more; run parallel_fork. */
static int child_under_nproc(struct fb_env *env, long forkers)
{
	struct fb_sample s[1];

	if (getuid() == 0) {
		if (setgroups(0, NULL) || setgid(NOBODY_UID) || setuid(NOBODY_UID)) {
			snprintf(env->reason, sizeof(env->reason),
				 "running as root, where RLIMIT_NPROC is not enforced, and cannot become uid %d: %s",
				 NOBODY_UID, strerror(errno));
			return FB_SKIP;
		}
		prctl(PR_SET_DUMPABLE, 1);   /* /proc/self stays ours after setuid */
	}
	rlim_t room = (rlim_t)(tasks_of_uid(getuid()) + forkers);
	struct rlimit nproc = { room, room };
	if (setrlimit(RLIMIT_NPROC, &nproc)) {
		snprintf(env->reason, sizeof(env->reason), "setrlimit RLIMIT_NPROC: %s", strerror(errno));
		return FB_SKIP;
	}
	return run_op(find_case("parallel_fork", NULL), env, forkers, s, 1);
}

/* RLIMIT_NPROC with room for the forkers but none for their children: each
 * forker's first fork fails with EAGAIN, the op says no-resource and names
 * the limit. In a child process, whose limit and uid are its own. */
static void check_pid_limit(struct fb_env *env)
{
	const char *name = "parallel_fork under RLIMIT_NPROC: no-resource naming RLIMIT_NPROC";
	int pipefd[2], status = 0, err = -1;
	char reason[FB_REASON_LEN] = "";

	if (pipe(pipefd))
		return (void)CHECK(0, name, "pipe: %s", strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		BROKEN(name, "fork of the child that lowers RLIMIT_NPROC: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return;
	}
	if (pid == 0) {
		close(pipefd[0]);
		int result = child_under_nproc(env, 2);
		if (write(pipefd[1], &result, sizeof(result)) != sizeof(result) ||
		    write(pipefd[1], env->reason, sizeof(env->reason)) != sizeof(env->reason))
			_exit(2);
		_exit(count_zombie_children(getpid()) ? 1 : 0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &err, sizeof(err)) == sizeof(err) && read(pipefd[0], reason, sizeof(reason)) != sizeof(reason))
		err = -1;
	reason[sizeof(reason) - 1] = '\0';
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (err == FB_SKIP) {
		SKIP(name, reason);
		return;
	}
	CHECK(err == FB_NO_RESOURCE && strstr(reason, "RLIMIT_NPROC"), name, "returned %d, reason '%s'", err, reason);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "parallel_fork under RLIMIT_NPROC: every forker reaped",
	      "child's wait status 0x%x", status);
}

/* Through the real fb-worker (static, unsanitized): the pool reads the
 * worker's maps, threads, VmPTE, RssAnon and AnonHugePages after each batch
 * and marks it changed when the op left any of them moved. */
static void check_in_worker(struct fb_pool *pool, const char *case_name, long axis_value, size_t mib)
{
	static struct fb_sample samples[4];
	static unsigned long run_id;
	unsigned fam = 0, kase = 0;
	char name[160], reason[FB_REASON_LEN + 64] = "";

	while (fb_families[fam] != &fb_storm_family)
		fam++;
	find_case(case_name, &kase);
	struct fb_worker *w = fb_pool_get(pool, fam, mib, FB_PAGES_4K, reason, sizeof(reason));
	int err = !w ? -1 : fb_worker_run(pool, w, kase, axis_value, ++run_id, samples, 4, reason, sizeof(reason));
	snprintf(name, sizeof(name), "%s in fb-worker at %zu MiB: done, the worker's state as before", case_name, mib);
	if (err == FB_SKIP) {
		SKIP(name, reason);
		return;
	}
	CHECK(err == 0 && !w->changed, name, "returned %d (%s); changed: %s", err, reason, w ? w->changed_why : "");
}

int main(void)
{
	struct fb_region region;
	struct fb_env env;
	char worker[PATH_MAX + 16];
	struct fb_pool pool;

	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&env, 0, sizeof(env));
	CHECK(fb_region_create(&region, 1 << 20, FB_PAGES_4K) == 0, "1 MiB parent region", "create failed");
	env.region = &region;
	int cpus = usable_cpus();
	if (cpus < 1) {
		BROKEN("the CPUs the forkers may use, from pid 1's mask", "sched_getaffinity(1): %s", strerror(errno));
	} else {
		check_parallel(&env, 1, cpus);
		check_parallel(&env, 2, cpus);
		check_too_many_forkers(&env, cpus);
		check_faulting(&env, cpus);
	}
	check_pid_limit(&env);
	fb_region_destroy(&region);

	build_dir(worker, sizeof(worker) - 16);
	strcat(worker, "/fb-worker");
	fb_pool_init(&pool, worker, 1 << 30);
	check_in_worker(&pool, "parallel_fork", 2, 0);
	check_in_worker(&pool, "fork_while_faulting", 0, 0);
	check_in_worker(&pool, "fork_while_faulting", 0, 16);
	fb_pool_shutdown(&pool, 0);
	CHECK(count_zombie_children(getpid()) == 0, "no zombie left at the end", "zombies");
	return check_done();
}
