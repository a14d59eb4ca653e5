/* test_cow.c - the COW family counts exactly: with 4 KiB pages the faults
 * measured around a write loop equal the pages written (for several sizes
 * and patterns), reads copy nothing, perf_event and getrusage agree, thp
 * mode records its coverage and split PMDs, getrusage takes over where
 * perf_event_open is denied (a seccomp filter), and every case saw the
 * behaviour it pins down (isolation, MADV_DONTFORK, MADV_WIPEONFORK). The
 * sweeps run in a real fb-worker, a static unsanitized process, so that
 * AddressSanitizer's shadow memory takes no faults of its own; the perf-
 * denied case runs here, in a child, where seccomp can be applied. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <math.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "check.h"
#include "family.h"
#include "pool.h"
#include "testutil.h"

extern const struct fb_family fb_cow_family;

#define ITERATIONS 3
/* Faults a window may hold besides the loop's own: none were seen here
 * (the dry run in cow.c's measure() takes the code, stack and vDSO faults
 * first); allow two for a stack page a deeper libc path could touch. */
#define OVERHEAD_FAULTS 2

/* The value named name in one sample, or NAN. */
static double value_at(const struct fb_case *k, const struct fb_sample *s, const char *name)
{
	for (size_t v = 0; k->value_names[v]; v++)
		if (strcmp(k->value_names[v], name) == 0)
			return s->values[v];
	return NAN;
}

/* Mean over the samples of the value named name. */
static double value(const struct fb_case *k, const struct fb_sample *s, const char *name)
{
	double sum = 0;

	for (int i = 0; i < ITERATIONS; i++)
		sum += value_at(k, &s[i], name);
	return sum / ITERATIONS;
}

/* A "Field:   N kB" total from /proc/PID/smaps_rollup, or -1. */
static long rollup_kib(int pid, const char *field)
{
	char path[64], line[256];
	long kib = -1;
	size_t len = strlen(field);

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, field, len) == 0 && line[len] == ':')
			kib = strtol(line + len + 1, NULL, 10);
	if (f)
		fclose(f);
	return kib;
}

static unsigned family_index(void)
{
	unsigned f = 0;
	while (fb_families[f] != &fb_cow_family)
		f++;
	return f;
}

/* The pool of the test's workers (main's); every case is a run of its own,
 * so a worker that a case changed is restarted before the next one. */
static struct fb_pool *test_pool;

static int run_case(struct fb_worker *w, unsigned kase, struct fb_sample *s, char *reason, size_t len)
{
	static unsigned long run_id;

	memset(s, 0, sizeof(*s) * ITERATIONS);
	return fb_worker_run(test_pool, w, kase, 0, ++run_id, s, ITERATIONS, reason, len);
}

/* One COW case at one size and mode: counted faults against the exact
 * expectation, both counters agreeing, and the behaviour seen. */
static void check_counts(struct fb_worker *w, unsigned kase, const char *label)
{
	const struct fb_case *k = &fb_cow_family.cases[kase];
	struct fb_sample s[ITERATIONS];
	char name[200], reason[300] = "";

	if (k->value_names[0] == NULL || strcmp(k->name, "naive_copy") == 0)
		return;
	int err = run_case(w, kase, s, reason, sizeof(reason));
	snprintf(name, sizeof(name), "%s %s: ran %d iterations", k->name, label, ITERATIONS);
	if (!CHECK(err == 0, name, "status %d: %s", err, reason))
		return;
	double perf = value(k, s, "faults_perf"), rusage = value(k, s, "faults_rusage");
	double expected = value(k, s, "faults_expected");
	double counted = value(k, s, "fault_source_perf") > 0 ? perf : rusage;
	snprintf(name, sizeof(name), "%s %s: faults counted = expected (%.0f)", k->name, label, expected);
	CHECK(counted >= expected && counted <= expected + OVERHEAD_FAULTS, name,
	      "counted %.1f (perf %.1f, getrusage %.1f), expected %.1f", counted, perf, rusage, expected);
	if (value(k, s, "fault_source_perf") > 0) {
		snprintf(name, sizeof(name), "%s %s: perf_event and getrusage agree", k->name, label);
		CHECK(perf == rusage, name, "perf %.1f, getrusage %.1f", perf, rusage);
	}
	snprintf(name, sizeof(name), "%s %s: behaviour held", k->name, label);
	CHECK(value(k, s, "behaviour_held") == 1, name, "behaviour_held %.2f", value(k, s, "behaviour_held"));
}

static unsigned case_index(const char *name)
{
	unsigned k = 0;
	while (strcmp(fb_cow_family.cases[k].name, name))
		k++;
	return k;
}

/* What fork allocated: the child of a parent whose region is under
 * MADV_DONTFORK has fewer page tables than one that shares it. Only from
 * 16 MiB up: a 1 MiB region needs a single 4 KiB page table, which the
 * region may share with a neighbouring mapping. */
static void check_page_tables(struct fb_worker *w, const char *label)
{
	const struct fb_case *all = &fb_cow_family.cases[case_index("child_read_only")];
	const struct fb_case *dont = &fb_cow_family.cases[case_index("dontfork")];
	struct fb_sample s_all[ITERATIONS], s_dont[ITERATIONS];
	char name[160], reason[300] = "";

	int err = run_case(w, case_index("child_read_only"), s_all, reason, sizeof(reason)) ||
		  run_case(w, case_index("dontfork"), s_dont, reason, sizeof(reason));
	double shared = value(all, s_all, "vmpte_child_kib"), skipped = value(dont, s_dont, "vmpte_child_kib");
	snprintf(name, sizeof(name), "%s: a child's VmPTE is smaller without the region (MADV_DONTFORK)", label);
	CHECK(!err && skipped > 0 && skipped < shared, name, "%s VmPTE with region %.0f kB, without %.0f kB",
	      reason, shared, skipped);
}

static void check_naive_copy(struct fb_worker *w, size_t mib)
{
	unsigned kase = case_index("naive_copy");
	const struct fb_case *k = &fb_cow_family.cases[kase];
	struct fb_sample s[ITERATIONS];
	char name[160], reason[300] = "";

	int err = run_case(w, kase, s, reason, sizeof(reason));
	double faults = value(k, s, "faults_rusage"), pages = value(k, s, "pages_copied");
	snprintf(name, sizeof(name), "naive_copy %zu MiB 4k: one first-touch fault per page copied", mib);
	CHECK(!err && pages == (double)(mib << 8) && faults >= pages && faults <= pages + OVERHEAD_FAULTS, name,
	      "%s faults %.1f for %.0f pages", reason, faults, pages);
}

static void check_size(struct fb_pool *pool, size_t mib, enum fb_page_mode mode)
{
	char label[64], reason[300] = "";
	struct fb_worker *w = fb_pool_get(pool, family_index(), mib, mode, reason, sizeof(reason));

	snprintf(label, sizeof(label), "%zu MiB %s", mib, fb_page_mode_name(mode));
	if (!CHECK(w != NULL, label, "worker: %s", reason))
		return;
	for (unsigned k = 0; k < fb_cow_family.ncases; k++)
		check_counts(w, k, label);
	if (mib >= 16)
		check_page_tables(w, label);
	if (mode == FB_PAGES_4K)
		check_naive_copy(w, mib);
}

/* thp mode: the region really is (mostly) huge-mapped, and a child writing
 * one byte per 2 MiB split one PMD per huge page or took one fault per huge
 * page copied whole: either way faults and splits account for every write. */
static void check_thp(struct fb_pool *pool)
{
	const char *no_thp = fb_thp_unavailable_reason();
	unsigned kase = case_index("child_write_per_2m");
	struct fb_sample s[ITERATIONS];
	char reason[300] = "";

	if (no_thp) {
		SKIP("thp mode: coverage and split PMDs recorded", no_thp);
		return;
	}
	check_size(pool, 64, FB_PAGES_THP);
	struct fb_worker *w = fb_pool_get(pool, family_index(), 64, FB_PAGES_THP, reason, sizeof(reason));
	int err = !w || run_case(w, kase, s, reason, sizeof(reason));
	double splits = value(&fb_cow_family.cases[kase], s, "thp_split_pmd");
	CHECK(!err && w->hello.thp_bytes > 0, "thp mode: the 64 MiB region is huge-mapped",
	      "%s thp bytes %llu", reason, w ? (unsigned long long)w->hello.thp_bytes : 0ULL);
	/* parent_write_all ran above: the parent's own writes split its PMDs,
	 * and the case must leave the region huge again for what follows. */
	long huge_kib = -1;
	if (w)
		huge_kib = rollup_kib(w->pid, "AnonHugePages");
	CHECK(w && huge_kib * 1024 >= (long)w->hello.thp_bytes, "thp mode: still huge-mapped after the parent wrote",
	      "worker AnonHugePages %ld kB, at start %llu bytes", huge_kib,
	      w ? (unsigned long long)w->hello.thp_bytes : 0ULL);
	printf("# 64 MiB thp, one write per 2 MiB: %.1f thp_split_pmd per iteration (system-wide)\n", splits);
}

/* perf_event_open fails with EACCES from here on (a seccomp filter), as
 * it does where perf_event_paranoid or a container's policy denies it. */
static int deny_perf(void)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_perf_event_open, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(code) / sizeof(code[0]), code };
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* In a child with perf denied: the case still counts, through getrusage,
 * and says so. Exit 0 when it did, else what went wrong (1-4). */
static int count_without_perf(void)
{
	const struct fb_case *k = &fb_cow_family.cases[case_index("child_write_all")];
	struct fb_region region;
	struct fb_env env = { .param = k->param, .data = k->data };
	struct fb_sample s = { 0 };

	if (deny_perf() || fb_region_create(&region, 4 << 20, FB_PAGES_4K))
		return 1;
	env.region = &region;
	if (k->run(&env, &s, 1))
		return 2;
	if (value_at(k, &s, "fault_source_perf") != 0 || value_at(k, &s, "faults_perf") != -1)
		return 3;
	double rusage = value_at(k, &s, "faults_rusage"), expected = value_at(k, &s, "faults_expected");
	return rusage >= expected && rusage <= expected + OVERHEAD_FAULTS ? 0 : 4;
}

static void check_without_perf(void)
{
	static const char *const seen[] = { "", "seccomp or the region failed", "the case failed",
					    "it did not record getrusage as the source",
					    "getrusage's count is not the pages written" };
	int status = 0;

	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		_exit(count_without_perf());
	waitpid(pid, &status, 0);
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	CHECK(code == 0, "perf_event_open denied: getrusage counts the 1024 pages and is recorded as the source",
	      "%s (wait status 0x%x)", code < 5 ? seen[code] : "?", status);
}

int main(void)
{
	static const size_t sizes_mib[] = { 1, 16, 64 };
	struct fb_pool pool;
	char worker[PATH_MAX + 16];

	setvbuf(stdout, NULL, _IOLBF, 0);
	build_dir(worker, sizeof(worker) - 16);
	strcat(worker, "/fb-worker");
	fb_pool_init(&pool, worker, 1 << 30);
	test_pool = &pool;
	for (size_t i = 0; i < sizeof(sizes_mib) / sizeof(sizes_mib[0]); i++)
		check_size(&pool, sizes_mib[i], FB_PAGES_4K);
	check_thp(&pool);
	fb_pool_shutdown(&pool, 0);
	check_without_perf();
	CHECK(count_zombie_children(getpid()) == 0, "no zombie left by the workers or their children",
	      "%d zombies", count_zombie_children(getpid()));
	return check_done();
}
