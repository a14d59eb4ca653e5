/* gbench.h - a small C interface to Google Benchmark (C++), the only way
 * forkbench code reaches it. Builds against 1.7.1 (Debian 12) and newer.
 *
 * Pitfalls the callers must know (see ../shared/DESIGN.md):
 *  - anything that forks and waits must use gb_use_real_time() or
 *    gb_use_manual_time(): the default CPU-time clock does not see children;
 *  - on 1.7.1 the "median" aggregate is wrong for even repetition counts;
 *    use odd counts (the harness computes its own medians anyway);
 *  - --benchmark_min_time takes a bare number of seconds on 1.7.1. */
#ifndef FB_GBENCH_H
#define FB_GBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gb_state gb_state;   /* one running benchmark (benchmark::State) */
typedef struct gb_bench gb_bench;   /* one registered benchmark family */
typedef void (*gb_fn)(gb_state *st, void *ctx);

enum gb_time_unit { GB_NS, GB_US, GB_MS, GB_S };

/* Counter flags, the same bits as benchmark::Counter::Flags. */
enum gb_counter_flags {
	GB_COUNTER_PLAIN = 0,          /* value as given */
	GB_COUNTER_RATE = 1 << 0,      /* divided by the run's duration */
	GB_COUNTER_AVG_ITERATIONS = 1 << 3, /* divided by the iteration count */
};

/* Registration: returns NULL only on allocation failure. */
gb_bench *gb_register(const char *name, gb_fn fn, void *ctx);
void gb_arg(gb_bench *b, int64_t value);
void gb_args(gb_bench *b, const int64_t *values, size_t count);
/* Cartesian product of nlists argument lists; lens[i] values in lists[i]. */
void gb_args_product(gb_bench *b, const int64_t *const *lists,
		     const size_t *lens, size_t nlists);
void gb_arg_names(gb_bench *b, const char *const *names, size_t count);
void gb_use_real_time(gb_bench *b);
void gb_use_manual_time(gb_bench *b);
void gb_iterations(gb_bench *b, int64_t iterations);
void gb_repetitions(gb_bench *b, int repetitions);
void gb_min_time(gb_bench *b, double seconds);
void gb_unit(gb_bench *b, enum gb_time_unit unit);

/* Running: `while (gb_keep_running(st)) { ... }`. */
bool gb_keep_running(gb_state *st);
bool gb_keep_running_batch(gb_state *st, int64_t n);
int64_t gb_range(const gb_state *st, size_t index);
int64_t gb_iterations_done(const gb_state *st);
int64_t gb_max_iterations(const gb_state *st);
void gb_set_iteration_time(gb_state *st, double seconds);
void gb_pause_timing(gb_state *st);
void gb_resume_timing(gb_state *st);
/* Set (replace) a user counter; flags from enum gb_counter_flags. */
void gb_counter(gb_state *st, const char *name, double value, unsigned flags);
void gb_set_label(gb_state *st, const char *label);
/* Mark the run as failed with msg; the JSON row gets error_occurred and
 * error_message. The caller must stop iterating (return) afterwards. */
void gb_skip_with_error(gb_state *st, const char *msg);
/* A skip (feature missing, not a failure): a message starting with
 * FB_PREFIX_SKIPPED (outcome.h). Newer Google Benchmark releases have SkipWithMessage; 1.7.1
 * only has SkipWithError, so both are recorded as error_message text with
 * that prefix, which is what the harness reads. */
void gb_skip(gb_state *st, const char *reason);
bool gb_error_occurred(const gb_state *st);

/* main() pieces: gb_initialize consumes --benchmark_* flags from argv and
 * leaves the rest; gb_run runs the registered benchmarks (0 = none ran). */
void gb_initialize(int *argc, char **argv);
size_t gb_run(void);
void gb_shutdown(void);
/* Initialize, refuse unrecognised arguments (exit 2), run, shut down. */
int gb_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif
