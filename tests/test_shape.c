/* test_shape.c - every shape case builds the shape its axis value names
 * (exactly N more VMAs, N threads in all, N more fds), runs its round trips
 * with every child reaped, and leaves the process as it found it: maps,
 * threads, fds and RLIMIT_NOFILE here, and in a real fb-worker the state the
 * pool checks after every batch. Limits give FB_NO_RESOURCE naming them.
 * Only the close_range case may skip, and only where this test finds
 * close_range missing itself. The exec'd child's own fds are counted by a
 * probe: this very program, exec'd under the helper's name (see main). */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "check.h"
#include "probe.h"
#include "family.h"
#include "pool.h"
#include "region.h"
#include "testutil.h"

extern const struct fb_family fb_shape_family;

#define ITERATIONS 3
#define PROBE_NAME "fb-exit0-static"
#define PROBE_OUT "fds-seen"

static const struct fb_case *find_case(const char *name, unsigned *index)
{
	return family_case(&fb_shape_family, name, index);
}

/* close_range, probed here on a descriptor of our own: it closes it, or is
 * ENOSYS on a kernel before 5.9. */
static int have_close_range(void)
{
	int fd = dup(2);
	if (fd < 0)
		return 1;   /* no probe: the case must then run */
	if (syscall(SYS_close_range, (unsigned)fd, (unsigned)fd, 0) == 0)
		return fcntl(fd, F_GETFD) < 0;
	int missing = errno == ENOSYS;
	close(fd);
	return !missing;
}

/* A skip passes only for the close_range case where close_range is
 * missing and its reason says so; anything else the op returns but 0 is a
 * failing point. Returns 1 when the case ran. */
static int ran_or_skipped(const char *case_name, const char *name, int err, const char *reason)
{
	int may_skip = strstr(case_name, "close_range") && !have_close_range();
	char text[FB_REASON_LEN + 64];

	if (err == FB_SKIP && may_skip && strstr(reason, "close_range")) {
		snprintf(text, sizeof(text), "%s (here too: close_range is ENOSYS)", reason);
		SKIP(name, text);
		return 0;
	}
	return 1;
}

/* The counts here take nothing from malloc (open, read, getdents64 into
 * the stack): under AddressSanitizer every new allocation can map more
 * memory (its allocator's regions, its quarantine keeps freed blocks), and
 * the map count must move only by what the op does. */
static long count_newlines(const char *path)
{
	char chunk[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	long lines = 0;
	ssize_t len;

	if (fd < 0)
		return -1;
	while ((len = read(fd, chunk, sizeof(chunk))) > 0)
		for (ssize_t i = 0; i < len; i++)
			lines += chunk[i] == '\n';
	close(fd);
	return lines;
}

/* Entries of a /proc folder (its own fd left out for this process's fd
 * folder); with cloexec_too == 0, only the fds an exec keeps. */
static long count_entries(const char *path, int cloexec_too)
{
	char entries[4096] __attribute__((aligned(8)));
	int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), self_fds = strcmp(path, "/proc/self/fd") == 0;
	long n = 0;
	ssize_t len;

	if (dir < 0)
		return -1;
	while ((len = getdents64(dir, entries, sizeof(entries))) > 0)
		for (ssize_t at = 0; at < len;) {
			const struct dirent64 *e = (const struct dirent64 *)(entries + at);
			int fd = atoi(e->d_name);
			at += e->d_reclen;
			if (e->d_name[0] == '.' || (self_fds && fd == dir))
				continue;
			n += cloexec_too || !self_fds || !(fcntl(fd, F_GETFD) & FD_CLOEXEC);
		}
	close(dir);
	return n;
}

static long count_fds(int pid, int cloexec_too)
{
	char path[64];
	snprintf(path, sizeof(path), pid ? "/proc/%d/fd" : "/proc/self/fd", pid);
	return count_entries(path, cloexec_too);
}

/* What a case must leave as it found it. */
struct proc_shape {
	long maps, tasks, fds;
	struct rlimit nofile;
};

static void shape_now(struct proc_shape *s)
{
	s->maps = count_newlines("/proc/self/maps");
	s->tasks = count_entries("/proc/self/task", 1);
	s->fds = count_fds(0, 1);
	getrlimit(RLIMIT_NOFILE, &s->nofile);
}

/* Every sample timed, and counter v the same want in all of them. */
static int all_timed(const struct fb_sample *s)
{
	int ok = 1;
	for (int i = 0; i < ITERATIONS; i++)
		ok &= s[i].time_ns > 0;
	return ok;
}

static int all_equal(const struct fb_sample *s, int v, double want)
{
	int ok = 1;
	for (int i = 0; i < ITERATIONS; i++)
		ok &= s[i].values[v] == want;
	return ok;
}

static void check_left_as_found(const char *what, const struct proc_shape *before)
{
	struct proc_shape after;
	char name[160];

	shape_now(&after);
	snprintf(name, sizeof(name), "%s: maps, tasks, fds and RLIMIT_NOFILE as before, no zombie", what);
	CHECK(after.maps == before->maps && after.tasks == before->tasks && after.fds == before->fds &&
	      after.nofile.rlim_cur == before->nofile.rlim_cur && after.nofile.rlim_max == before->nofile.rlim_max &&
	      count_zombie_children(getpid()) == 0,
	      name, "maps %ld -> %ld, tasks %ld -> %ld, fds %ld -> %ld, RLIMIT_NOFILE %llu/%llu -> %llu/%llu, %d zombies",
	      before->maps, after.maps, before->tasks, after.tasks, before->fds, after.fds,
	      (unsigned long long)before->nofile.rlim_cur, (unsigned long long)before->nofile.rlim_max,
	      (unsigned long long)after.nofile.rlim_cur, (unsigned long long)after.nofile.rlim_max,
	      count_zombie_children(getpid()));
}

/* One case at one value, in this process: the op ran every iteration,
 * its counters say exactly what the kernel shows, and nothing is left. */
static void check_here(struct fb_env *env, const char *case_name, long value)
{
	const struct fb_case *k = find_case(case_name, NULL);
	struct fb_sample samples[ITERATIONS];
	struct proc_shape before;
	char what[96], name[192];

	snprintf(what, sizeof(what), "%s/%s:%ld", case_name, k && k->axis ? k->axis->name : "?", value);
	if (!k || !k->axis) {
		CHECK(0, what, "no such case with an axis");
		return;
	}
	shape_now(&before);
	int err = run_op(k, env, value, samples, ITERATIONS);
	snprintf(name, sizeof(name), "%s: %d round trips, each timed", what, ITERATIONS);
	if (!ran_or_skipped(case_name, name, err, env->reason))
		return;
	CHECK(err == 0 && all_timed(samples), name, "op returned %d (%s)%s; times %.0f %.0f %.0f", err, env->reason,
	      err == FB_SKIP ? ", a skip this test does not expect here" : "", samples[0].time_ns, samples[1].time_ns,
	      samples[2].time_ns);
	if (strcmp(k->axis->name, "vmas") == 0) {
		snprintf(name, sizeof(name), "%s: vmas = %ld, parent_maps = %ld before + %ld", what, value, before.maps, value);
		CHECK(all_equal(samples, 0, (double)value) && all_equal(samples, 1, (double)(before.maps + value)), name,
		      "vmas %.0f, parent_maps %.0f", samples[0].values[0], samples[0].values[1]);
	} else if (strcmp(k->axis->name, "threads") == 0) {
		/* The forking thread is one of the N: N - 1 more than before; their
		 * stacks are one mapping, whatever N. */
		snprintf(name, sizeof(name), "%s: threads = %ld before + %ld idle, parent_maps = %ld before + 1", what,
			 before.tasks, value - 1, before.maps);
		CHECK(all_equal(samples, 0, (double)(before.tasks + value - 1)) &&
		      all_equal(samples, 1, (double)(before.maps + 1)), name, "threads %.0f, parent_maps %.0f",
		      samples[0].values[0], samples[0].values[1]);
	} else {
		snprintf(name, sizeof(name), "%s: fds = %ld before + %ld", what, before.fds, value);
		CHECK(all_equal(samples, 0, (double)(before.fds + value)), name, "fds %.0f", samples[0].values[0]);
	}
	check_left_as_found(what, &before);
}

/* Above vm.max_map_count and the hard RLIMIT_NOFILE: no-resource, the
 * limit named, nothing changed. */
static void check_no_resource(struct fb_env *env, const char *case_name, long value, const char *limit)
{
	const struct fb_case *k = find_case(case_name, NULL);
	struct fb_sample sample;
	struct proc_shape before;
	char name[160];

	shape_now(&before);
	int err = run_op(k, env, value, &sample, 1);
	snprintf(name, sizeof(name), "%s/%s:%ld is no-resource naming %s", case_name, k->axis->name, value, limit);
	CHECK(err == FB_NO_RESOURCE && strstr(env->reason, limit), name, "op returned %d: %s", err, env->reason);
	snprintf(name, sizeof(name), "%s/%s:%ld (no-resource)", case_name, k->axis->name, value);
	check_left_as_found(name, &before);
}

/* With the soft RLIMIT_NOFILE below what the fds need, the op raises it
 * within the hard limit for the batch and puts it back. */
static void check_soft_limit_raised(struct fb_env *env)
{
	const struct fb_case *k = find_case("fork_exec_fds", NULL);
	struct fb_sample samples[ITERATIONS];
	struct rlimit saved, low;
	struct proc_shape before;

	getrlimit(RLIMIT_NOFILE, &saved);
	low = saved;
	low.rlim_cur = 64;
	if (saved.rlim_max < 256 || setrlimit(RLIMIT_NOFILE, &low)) {
		SKIP("fork_exec_fds/fds:150 with a soft RLIMIT_NOFILE of 64", "hard RLIMIT_NOFILE below 256");
		return;
	}
	shape_now(&before);
	int err = run_op(k, env, 150, samples, ITERATIONS);
	CHECK(err == 0 && all_timed(samples), "fork_exec_fds/fds:150 runs with a soft RLIMIT_NOFILE of 64",
	      "op returned %d: %s", err, env->reason);
	check_left_as_found("fork_exec_fds/fds:150 with a soft RLIMIT_NOFILE of 64", &before);
	setrlimit(RLIMIT_NOFILE, &saved);
}

/* The probe: this program exec'd as PROBE_NAME by an fds case. It counts
 * the fds it holds and writes the count next to itself; exit 0 as the
 * helper does. */
static int probe_main(const char *argv0)
{
	char path[PATH_MAX], dir[PATH_MAX];
	long fds = count_fds(0, 1);

	snprintf(dir, sizeof(dir), "%s", argv0);
	snprintf(path, sizeof(path), "%s/%s", dirname(dir), PROBE_OUT);
	FILE *f = fopen(path, "we");
	if (!f)
		return 1;
	fprintf(f, "%ld\n", fds);
	return fclose(f) ? 1 : 0;
}

/* What the exec'd child holds, counted by the probe: all of the parent's
 * fds that exec keeps plus the N (inherited), without them (O_CLOEXEC),
 * only stdin, stdout and stderr (close_range(3, ~0U) in the child). */
static void check_child_fds(struct fb_env *env, const char *case_name, long value)
{
	const struct fb_case *k = find_case(case_name, NULL);
	char dir[] = "/tmp/fb-shape-XXXXXX", self[PATH_MAX], link[PATH_MAX], out[PATH_MAX];
	struct fb_sample sample;
	const char *saved_dir = env->helper_dir;
	long seen = -1, kept = count_fds(0, 0), low_kept = 0;
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char name[160];

	for (int fd = 0; fd < 3; fd++)
		low_kept += fcntl(fd, F_GETFD) >= 0 && !(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	long want = strstr(case_name, "close_range") ? low_kept : strstr(case_name, "cloexec") ? kept : kept + value;
	snprintf(name, sizeof(name), "%s/fds:%ld: the exec'd child holds %ld fds", case_name, value, want);
	if (len <= 0 || !mkdtemp(dir)) {
		BROKEN(name, "no temporary folder for the probe: %s", strerror(errno));
		return;
	}
	self[len] = '\0';
	snprintf(link, sizeof(link), "%s/%s", dir, PROBE_NAME);
	snprintf(out, sizeof(out), "%s/%s", dir, PROBE_OUT);
	int err = symlink(self, link) ? -errno : 0;
	env->helper_dir = dir;
	if (!err)
		err = run_op(k, env, value, &sample, 1);
	env->helper_dir = saved_dir;
	if (!ran_or_skipped(case_name, name, err, env->reason)) {
		unlink(link);
		rmdir(dir);
		return;
	}
	FILE *f = fopen(out, "r");
	if (f && fscanf(f, "%ld", &seen) != 1)
		seen = -1;
	if (f)
		fclose(f);
	CHECK(err == 0 && seen == want, name, "op returned %d (%s), the child held %ld", err, env->reason, seen);
	unlink(out);
	unlink(link);
	rmdir(dir);
}

/* The same case in a real fb-worker (static, as in a run): the counters
 * against the worker's own baseline, and the worker's state (maps,
 * threads, VmPTE, RssAnon, THP) unchanged after each of several batches. */
static void check_in_worker(struct fb_pool *pool, const char *case_name, long value, int batches)
{
	static unsigned long run_id;
	unsigned fam = 0, kase = 0;
	struct fb_sample samples[ITERATIONS];
	char reason[FB_REASON_LEN + 64] = "", name[192];
	const struct fb_case *k = find_case(case_name, &kase);

	while (fb_families[fam] != &fb_shape_family)
		fam++;
	struct fb_worker *w = fb_pool_get(pool, fam, 0, FB_PAGES_4K, reason, sizeof(reason));
	snprintf(name, sizeof(name), "%s/%s:%ld in fb-worker: %d batches, the worker's state unchanged after each",
		 case_name, k->axis->name, value, batches);
	int err = w ? 0 : -1, batch = 0;
	run_id++;
	for (; !err && batch < batches && !w->changed; batch++) {
		memset(samples, 0, sizeof(samples));
		err = fb_worker_run(pool, w, kase, value, run_id, samples, ITERATIONS, reason, sizeof(reason));
	}
	if (!CHECK(!err && !w->changed, name, "batch %d: %d %s; changed: %s", batch, err, reason,
		   w && w->changed ? w->changed_why : "no"))
		return;
	long maps = w->hello.base.maps, fds = count_fds(w->pid, 1);
	snprintf(name, sizeof(name), "%s/%s:%ld in fb-worker: counters exact against its %ld maps, %lld threads, %ld fds",
		 case_name, k->axis->name, value, maps, (long long)w->hello.base.threads, fds);
	int exact = all_timed(samples);
	if (strcmp(k->axis->name, "vmas") == 0)
		exact &= all_equal(samples, 0, (double)value) && all_equal(samples, 1, (double)(maps + value));
	else if (strcmp(k->axis->name, "threads") == 0)   /* + 1: the stacks' mapping */
		exact &= all_equal(samples, 0, (double)value) && all_equal(samples, 1, (double)(maps + 1));
	else
		exact &= all_equal(samples, 0, (double)(fds + value));
	CHECK(exact, name, "time %.0f ns, values %.0f %.0f", samples[0].time_ns, samples[0].values[0],
	      samples[0].values[1]);
}

int main(int argc, char **argv)
{
	char dir[PATH_MAX], worker[PATH_MAX + 16], base[PATH_MAX];
	struct fb_env env;
	long max_map_count = 0;
	struct rlimit nofile;

	(void)argc;
	snprintf(base, sizeof(base), "%s", argv[0]);
	if (strcmp(basename(base), PROBE_NAME) == 0)
		return probe_main(argv[0]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* A first line: stdout's buffer is taken from malloc now, not between
	 * the map counts of the first case. */
	printf("# shape family: the ops called in this process, then in fb-worker\n");
	build_dir(dir, sizeof(dir));
	memset(&env, 0, sizeof(env));
	env.helper_dir = dir;

	check_here(&env, "fork_vmas", 16);
	check_here(&env, "fork_vmas", 256);
	check_here(&env, "fork_threads", 1);
	check_here(&env, "fork_threads", 4);
	static const char *const fd_cases[] = { "fork_exec_fds", "fork_exec_fds_cloexec", "fork_exec_fds_close_range" };
	for (int c = 0; c < 3; c++) {
		check_here(&env, fd_cases[c], 10);
		check_here(&env, fd_cases[c], 100);
		check_child_fds(&env, fd_cases[c], 100);
	}
	check_soft_limit_raised(&env);

	if ((max_map_count = probe_proc_number("/proc/sys/vm/max_map_count")) >= 0)
		check_no_resource(&env, "fork_vmas", max_map_count, "vm.max_map_count");
	else
		SKIP("fork_vmas above vm.max_map_count is no-resource", "/proc/sys/vm/max_map_count unreadable");
	getrlimit(RLIMIT_NOFILE, &nofile);
	check_no_resource(&env, "fork_exec_fds", (long)nofile.rlim_max + 1, "RLIMIT_NOFILE");

	env.helper_dir = "/nonexistent";
	struct fb_sample sample;
	int err = run_op(find_case("fork_exec_fds", NULL), &env, 10, &sample, 1);
	CHECK(err < 0 && strstr(env.reason, "/nonexistent/fb-exit0-static"), "missing exec target is reported by path",
	      "returned %d, reason '%s'", err, env.reason);

	struct fb_pool pool;
	snprintf(worker, sizeof(worker), "%s/fb-worker", dir);
	fb_pool_init(&pool, worker, 1 << 30);
	check_in_worker(&pool, "fork_vmas", 256, 20);
	check_in_worker(&pool, "fork_vmas", 4096, 5);
	check_in_worker(&pool, "fork_threads", 4, 20);
	check_in_worker(&pool, "fork_threads", 16, 10);
	for (int c = 0; c < 3; c++)
		check_in_worker(&pool, fd_cases[c], 1000, 10);
	fb_pool_shutdown(&pool, 0);
	CHECK(count_zombie_children(getpid()) == 0, "no zombie left", "%d zombies", count_zombie_children(getpid()));
	/* What runs on any kernel, root or not: the 8 calls here but
	 * close_range's 2, 3 points each; the child's fds of 2 cases; 4 on
	 * no-resource; the missing target; 14 in the worker; the zombie. Not
	 * counted: close_range's 7 and the soft RLIMIT_NOFILE's 2 (skipped
	 * under a hard limit below 256). */
	check_min_ran(8 * 3 + 2 + 4 + 1 + 14 + 1);
	return check_done();
}
