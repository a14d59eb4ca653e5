/* test_cow.c - the COW family counts exactly: the faults measured around
 * each iteration's write loop equal what the test works out itself from the
 * case's pattern (pages written with 4 KiB pages; in thp mode one per write
 * to shared memory, one per 2 MiB or per 4 KiB written for first touches),
 * and so does the case's own faults_expected; reads copy nothing, perf_event
 * and getrusage agree, thp mode keeps its region huge and a child's write to
 * a shared huge page splits its PMD (/proc/vmstat, read here), getrusage
 * takes over where perf_event_open is denied (a seccomp filter), and every
 * case saw the behaviour it pins down (isolation, MADV_DONTFORK,
 * MADV_WIPEONFORK). The sweeps run in a real fb-worker, a static unsanitized
 * process, so that AddressSanitizer's shadow memory takes no faults of its
 * own; the perf-denied case runs here, in a child, where seccomp can be
 * applied. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <math.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include "check.h"
#include "probe.h"
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

#define PAGE_BYTES 4096
#define HUGE_BYTES ((size_t)2 << 20)
/* A first touch of a 2 MiB range that gets a huge page is one fault for its
 * 512 pages: 511 faults fewer than with 4 KiB pages. */
#define FAULTS_SAVED_PER_HUGE_PAGE (HUGE_BYTES / PAGE_BYTES - 1)

/* What each case's loop does, from its definition (its row and what text in
 * bench/cow.c), not from the case's own figures: the bytes from one write to
 * the next, and which memory the writes land on. */
enum touch {
	NO_WRITE,      /* no page changes hands: no fault */
	COW_WRITE,     /* pages shared with the other side of the fork: one fault per write */
	FIRST_TOUCH,   /* memory nobody touched yet: one fault per page, or per huge page */
};

static const struct {
	const char *name;
	size_t stride_bytes;
	enum touch touch;
} patterns[] = {
	{ "child_write_all", PAGE_BYTES, COW_WRITE },
	{ "child_write_half", 2 * PAGE_BYTES, COW_WRITE },
	{ "child_write_per_2m", HUGE_BYTES, COW_WRITE },
	{ "child_read_only", PAGE_BYTES, NO_WRITE },
	{ "parent_write_all", PAGE_BYTES, COW_WRITE },
	{ "child_write_fresh", PAGE_BYTES, FIRST_TOUCH },   /* a fresh mapping the region's size */
	{ "dontfork", 0, NO_WRITE },                        /* the child has no region to write */
	{ "wipeonfork_write_all", PAGE_BYTES, FIRST_TOUCH },   /* wiped: empty in the child */
};

/* The faults one iteration must take, worked out here: with 4 KiB pages one
 * per write. In thp mode a write to a shared huge page splits its PMD and
 * copies 4 KiB (Linux 5.8 on), so COW writes stay at one fault each; a first
 * touch takes one fault for a whole 2 MiB range where the kernel maps a huge
 * page, and there are at most size / 2 MiB of those: the count is
 * writes - 511 x huge for some huge in 0 .. size / 2 MiB, read back from the
 * count itself (the window's few extra faults are far fewer than 511).
 * -1 when no such count fits. */
static double faults_worked_out(enum touch touch, size_t writes, size_t region_bytes, enum fb_page_mode mode,
				double counted)
{
	if (touch == NO_WRITE)
		return 0;
	if (touch == COW_WRITE || mode == FB_PAGES_4K)
		return (double)writes;
	double missing = (double)writes - counted;
	double huge = missing > 0 ? ceil(missing / FAULTS_SAVED_PER_HUGE_PAGE) : 0;
	if (huge > (double)(region_bytes / HUGE_BYTES))
		return -1;
	return (double)writes - huge * FAULTS_SAVED_PER_HUGE_PAGE;
}

/* The field named field ("AnonHugePages") summed over pid's VMAs advised
 * MADV_HUGEPAGE (VmFlags "hg": the region in thp mode), in KiB, read from
 * /proc/PID/smaps here; -1 when unreadable. */
static long huge_advised_kib(int pid, const char *field)
{
	char path[64], line[256];
	size_t len = strlen(field);
	long total = 0, vma = 0;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, field, len) == 0 && line[len] == ':')
			vma = strtol(line + len + 1, NULL, 10);
		else if (strncmp(line, "VmFlags:", 8) == 0) {   /* a VMA's last line */
			total += strstr(line, " hg") ? vma : 0;
			vma = 0;
		}
	}
	fclose(f);
	return total;
}

/* thp_split_pmd of /proc/vmstat (machine-wide), or -1. */
static long long vmstat_split_pmd(void)
{
	return probe_proc_counter("/proc/vmstat", "thp_split_pmd");
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

/* One COW case at one size and mode, iteration by iteration: the faults
 * counted against the count worked out here, the case's own faults_expected
 * against the same, both counters agreeing, and the behaviour seen. */
static void check_counts(struct fb_worker *w, unsigned kase, const char *label)
{
	const struct fb_case *k = &fb_cow_family.cases[kase];
	struct fb_sample s[ITERATIONS];
	char name[200], reason[300] = "", seen[600] = "";
	size_t p = 0, region_bytes = w->mem_mib << 20;

	if (k->value_names[0] == NULL || strcmp(k->name, "naive_copy") == 0)
		return;
	while (p < sizeof(patterns) / sizeof(patterns[0]) && strcmp(patterns[p].name, k->name))
		p++;
	snprintf(name, sizeof(name), "%s %s: ran %d iterations", k->name, label, ITERATIONS);
	if (p == sizeof(patterns) / sizeof(patterns[0])) {
		BROKEN(name, "the test has no expectation for case %s: add it to patterns[]", k->name);
		return;
	}
	int err = run_case(w, kase, s, reason, sizeof(reason));
	if (!CHECK(err == 0, name, "status %d: %s", err, reason))
		return;
	size_t writes = patterns[p].stride_bytes ? (region_bytes + patterns[p].stride_bytes - 1) / patterns[p].stride_bytes : 0;
	int counted_ok = 1, expected_ok = 1, off = 0;
	for (int i = 0; i < ITERATIONS; i++) {
		double perf = value_at(k, &s[i], "faults_perf"), rusage = value_at(k, &s[i], "faults_rusage");
		double counted = value_at(k, &s[i], "fault_source_perf") > 0 ? perf : rusage;
		double want = faults_worked_out(patterns[p].touch, writes, region_bytes, w->mode, counted);
		double stated = value_at(k, &s[i], "faults_expected");
		int ok = want >= 0 && counted >= want && counted <= want + OVERHEAD_FAULTS;
		counted_ok &= ok;
		expected_ok &= want >= 0 && stated == want;
		if ((!ok || stated != want) && off++ == 0)   /* the first iteration that was off, in full */
			snprintf(seen, sizeof(seen), "iteration %d: counted %.0f (perf %.0f, getrusage %.0f), worked out %.0f, "
				 "case's faults_expected %.0f", i, counted, perf, rusage, want, stated);
	}
	snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "; %d of %d iterations off", off, ITERATIONS);
	snprintf(name, sizeof(name), "%s %s: faults counted = %zu%s", k->name, label,
		 patterns[p].touch == NO_WRITE ? 0 : writes,
		 patterns[p].touch == NO_WRITE ? "" : patterns[p].touch == FIRST_TOUCH && w->mode == FB_PAGES_THP ?
		 " - 511 x the huge pages mapped" : ", one per write");
	CHECK(counted_ok, name, "%s", seen);
	snprintf(name, sizeof(name), "%s %s: the case's faults_expected is the count worked out here", k->name, label);
	CHECK(expected_ok, name, "%s", seen);
	if (value(k, s, "fault_source_perf") > 0) {
		double perf = value(k, s, "faults_perf"), rusage = value(k, s, "faults_rusage");
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

/* Linux 5.8 on, a write to a shared THP splits the PMD and copies 4 KiB,
 * which the thp-mode expectations here rest on; before, it copied 2 MiB. */
static int kernel_splits_shared_thp(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	return uname(&u) == 0 && sscanf(u.release, "%d.%d", &major, &minor) == 2 &&
	       (major > 5 || (major == 5 && minor >= 8));
}

/* A child writing one byte per 2 MiB of the region the worker maps with
 * huge pages splits one PMD per huge page: over the iterations
 * /proc/vmstat's thp_split_pmd (machine-wide: other splits only add) rises
 * by at least iterations x the worker's huge pages, read from its smaps
 * before and after (the fewer: reclaim or compaction may split one in
 * between), and each iteration's own thp_split_pmd holds its child's splits
 * and fits in that rise (its window lies inside the test's). */
static void check_split(struct fb_worker *w)
{
	const char *name = "thp mode: a child's write per 2 MiB splits one PMD per shared huge page "
			   "(thp_split_pmd, read here and by the case)";
	unsigned kase = case_index("child_write_per_2m");
	const struct fb_case *k = &fb_cow_family.cases[kase];
	struct fb_sample s[ITERATIONS];
	char reason[300] = "";

	long huge_before_kib = huge_advised_kib(w->pid, "AnonHugePages");
	long long splits_before = vmstat_split_pmd();
	int err = run_case(w, kase, s, reason, sizeof(reason));
	long long splits = vmstat_split_pmd() - splits_before;
	long huge_after_kib = huge_advised_kib(w->pid, "AnonHugePages");
	if (err || huge_before_kib < 0 || huge_after_kib < 0 || splits_before < 0) {
		BROKEN(name, "status %d (%s); worker smaps %ld, %ld kB; /proc/vmstat thp_split_pmd %lld", err, reason,
		       huge_before_kib, huge_after_kib, splits_before);
		return;
	}
	long huge_pages = (huge_before_kib < huge_after_kib ? huge_before_kib : huge_after_kib) * 1024 / (long)HUGE_BYTES;
	if (huge_pages == 0) {
		SKIP(name, "the worker's region held no huge page (AnonHugePages 0): nothing shared to split");
		return;
	}
	double case_splits = 0;
	int each_held = 1;
	for (int i = 0; i < ITERATIONS; i++) {
		each_held &= value_at(k, &s[i], "thp_split_pmd") >= (double)huge_pages;
		case_splits += value_at(k, &s[i], "thp_split_pmd");
	}
	CHECK(splits >= ITERATIONS * huge_pages && each_held && case_splits <= (double)splits, name,
	      "%ld huge pages shared; thp_split_pmd rose by %lld over %d iterations; the case's: %.0f, %.0f, %.0f",
	      huge_pages, splits, ITERATIONS, value_at(k, &s[0], "thp_split_pmd"), value_at(k, &s[1], "thp_split_pmd"),
	      value_at(k, &s[2], "thp_split_pmd"));
}

/* thp mode: the region really is huge-mapped (its smaps, read here), every
 * case counts as worked out, the parent's writes leave the region huge for
 * what follows, and a child's writes split the PMDs it shares. */
static void check_thp(struct fb_pool *pool)
{
	const char *no_thp = fb_thp_unavailable_reason();
	char reason[300] = "";

	if (!no_thp && !kernel_splits_shared_thp())
		no_thp = "kernel before 5.8: a write to a shared THP copies 2 MiB, the counts here assume 4 KiB";
	if (no_thp) {
		SKIP("thp mode: huge-mapped region, fault counts and split PMDs", no_thp);
		return;
	}
	check_size(pool, 64, FB_PAGES_THP);
	struct fb_worker *w = fb_pool_get(pool, family_index(), 64, FB_PAGES_THP, reason, sizeof(reason));
	if (!w) {
		BROKEN("thp mode: the 64 MiB worker", "%s", reason);
		return;
	}
	/* parent_write_all ran above: the parent's own writes split its PMDs,
	 * and the case must leave the region huge again for what follows. */
	long huge_kib = huge_advised_kib(w->pid, "AnonHugePages");
	CHECK(huge_kib > 0, "thp mode: the 64 MiB region is huge-mapped (after every case ran)",
	      "worker's MADV_HUGEPAGE mappings: AnonHugePages %ld kB", huge_kib);
	CHECK(huge_kib * 1024 >= (long)w->hello.thp_bytes, "thp mode: still huge-mapped as at start after the parent wrote",
	      "worker AnonHugePages %ld kB, at start %llu bytes", huge_kib, (unsigned long long)w->hello.thp_bytes);
	check_split(w);
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
	const size_t region_bytes = 4 << 20;
	const double pages = region_bytes / PAGE_BYTES;   /* one COW fault each */
	struct fb_region region;
	struct fb_env env = { .param = k->param, .data = k->data };
	struct fb_sample s = { 0 };

	if (deny_perf() || fb_region_create(&region, region_bytes, FB_PAGES_4K))
		return 1;
	env.region = &region;
	if (k->run(&env, &s, 1))
		return 2;
	if (value_at(k, &s, "fault_source_perf") != 0 || value_at(k, &s, "faults_perf") != -1)
		return 3;
	double rusage = value_at(k, &s, "faults_rusage");
	return rusage >= pages && rusage <= pages + OVERHEAD_FAULTS ? 0 : 4;
}

static void check_without_perf(void)
{
	static const char *const seen[] = { "", "seccomp or the region failed", "the case failed",
					    "it did not record getrusage as the source",
					    "getrusage's count is not the pages written" };
	int status = 0;

	const char *name = "perf_event_open denied: getrusage counts the 1024 pages and is recorded as the source";
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		BROKEN(name, "fork of the child that denies perf_event_open: %s", strerror(errno));
		return;
	}
	if (pid == 0)
		_exit(count_without_perf());
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	CHECK(code == 0, name, "%s (wait status 0x%x)", code < 5 ? seen[code] : "?", status);
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
