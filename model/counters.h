/* counters.h - the counters harness/ reads off a benchmark's rows, each a
 * value name of the cases that report it (bench/family.h, a case's
 * value_names) or one bench/main.c adds to every point, spelled here once. A read names fb_ctr_<name>, so a counter
 * not listed does not compile; tests/test_keys.c checks every row against
 * the families' value_names, so a misspelt row fails a test instead of
 * printing "-" (NaN) in a report cell. */
#ifndef FB_COUNTERS_H
#define FB_COUNTERS_H

#include <stddef.h>

/* X(name, from): from lists where harness/ reads the counter, space-separated:
 * "family/case" (that case reports it), "family" alone (read in a loop over
 * the family's cases, "-" where a case has no such counter: at least one of
 * them reports it), or FB_COUNTER_EVERY_POINT (bench/main.c writes it beside
 * the case's own values; test_keys finds it in the CI baseline's rows). */
#define FB_COUNTER_EVERY_POINT "bench/main.c"
#define FB_COUNTER_READS(X) \
	X(behaviour_held, "cow") \
	X(ctx_switches_per_round_trip, "switch/futex_pingpong_threads switch/pipe_pingpong_threads " \
	  "switch/pipe_pingpong_processes") \
	X(exit_ns, "spawn/fork spawn/clone3 spawn/vfork spawn/fork_exec_static spawn/posix_spawn_static " \
	  "spawn/fork_reap_late") \
	X(fault_source_perf, "cow") \
	X(faults_expected, "cow/child_write_all cow") \
	X(faults_per_page, "cow") \
	X(faults_perf, "cow/child_write_all cow") \
	X(faults_rusage, "cow/child_write_all cow") \
	X(fork_ns, "cow/child_read_only") \
	X(iter_median_ns, FB_COUNTER_EVERY_POINT) \
	X(forks_per_s, "storm/parallel_fork") \
	X(ns_per_fault, "cow/child_write_all cow/parent_write_all cow/child_write_fresh cow/wipeonfork_write_all " \
	  "cow") \
	X(ns_per_switch, "switch/futex_pingpong_threads switch/pipe_pingpong_threads switch/pipe_pingpong_processes " \
	  "threads/ucontext_switch threads/bare_switch") \
	X(p50_us, "storm/parallel_fork") \
	X(p99_us, "storm/parallel_fork") \
	X(parent_ns, "spawn/fork") \
	X(reap_ns, "spawn/fork_reap_late") \
	X(signal_ns, "spawn/pidfd_kill") \
	X(steal_pct, FB_COUNTER_EVERY_POINT) \
	X(stamped_trip_ns, "spawn/fork spawn/clone3 spawn/vfork spawn/fork_exec_static spawn/posix_spawn_static") \
	X(thp_coverage, FB_COUNTER_EVERY_POINT) \
	X(thp_split_pmd, "cow") \
	X(vmpte_child_kib, "cow/child_read_only cow/dontfork") \
	X(vmpte_parent_kib, "cow/child_read_only") \
	X(worker_restarts, FB_COUNTER_EVERY_POINT) \
	X(zombie_seen, "spawn/fork_reap_late")

/* fb_ctr_exit_ns is "exit_ns": an array, so its address also fits static tables. */
#define FB_COUNTER_DECLARE(name, from) extern const char fb_ctr_##name[];
FB_COUNTER_READS(FB_COUNTER_DECLARE)
#undef FB_COUNTER_DECLARE

struct fb_counter_read {
	const char *name;   /* fb_ctr_<name> */
	const char *from;   /* where it is read (above) */
};
extern const struct fb_counter_read fb_counter_reads[];
extern const size_t fb_ncounter_reads;

#endif
