// gbench.cc - the C interface of bench/gbench.h over Google Benchmark: the
// only C++ in forkbench. Builds against 1.7.1 (Debian 12) and newer.
#include "gbench.h"
#include "outcome.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace {

benchmark::State &S(gb_state *st) { return *reinterpret_cast<benchmark::State *>(st); }
const benchmark::State &S(const gb_state *st) { return *reinterpret_cast<const benchmark::State *>(st); }
benchmark::internal::Benchmark *B(gb_bench *b) { return reinterpret_cast<benchmark::internal::Benchmark *>(b); }

// SkipWithMessage appeared in 1.8.0; overload resolution picks it where it
// exists (int beats long), else falls back to SkipWithError (1.7.1).
template <typename State>
auto skip_impl(State &st, const std::string &msg, int) -> decltype(st.SkipWithMessage(msg), void())
{
	st.SkipWithMessage(msg);
}
template <typename State>
void skip_impl(State &st, const std::string &msg, long)
{
	st.SkipWithError(msg.c_str());
}

}  // namespace

extern "C" {

gb_bench *gb_register(const char *name, gb_fn fn, void *ctx)
{
	auto *b = benchmark::RegisterBenchmark(name, [fn, ctx](benchmark::State &st) {
		fn(reinterpret_cast<gb_state *>(&st), ctx);
	});
	return reinterpret_cast<gb_bench *>(b);
}

void gb_arg(gb_bench *b, int64_t value) { B(b)->Arg(value); }

void gb_args(gb_bench *b, const int64_t *values, size_t count)
{
	B(b)->Args(std::vector<int64_t>(values, values + count));
}

void gb_args_product(gb_bench *b, const int64_t *const *lists, const size_t *lens, size_t nlists)
{
	std::vector<std::vector<int64_t>> product;
	for (size_t i = 0; i < nlists; i++)
		product.emplace_back(lists[i], lists[i] + lens[i]);
	B(b)->ArgsProduct(product);
}

void gb_arg_names(gb_bench *b, const char *const *names, size_t count)
{
	B(b)->ArgNames(std::vector<std::string>(names, names + count));
}

void gb_use_real_time(gb_bench *b) { B(b)->UseRealTime(); }
void gb_use_manual_time(gb_bench *b) { B(b)->UseManualTime(); }
void gb_iterations(gb_bench *b, int64_t iterations) { B(b)->Iterations(iterations); }
void gb_repetitions(gb_bench *b, int repetitions) { B(b)->Repetitions(repetitions); }
void gb_min_time(gb_bench *b, double seconds) { B(b)->MinTime(seconds); }

void gb_unit(gb_bench *b, enum gb_time_unit unit)
{
	static const benchmark::TimeUnit units[] = { benchmark::kNanosecond, benchmark::kMicrosecond,
						     benchmark::kMillisecond, benchmark::kSecond };
	B(b)->Unit(units[unit]);
}

bool gb_keep_running(gb_state *st) { return S(st).KeepRunning(); }
bool gb_keep_running_batch(gb_state *st, int64_t n) { return S(st).KeepRunningBatch(n); }
int64_t gb_range(const gb_state *st, size_t index) { return S(st).range(index); }
int64_t gb_iterations_done(const gb_state *st) { return S(st).iterations(); }
int64_t gb_max_iterations(const gb_state *st) { return S(st).max_iterations; }
void gb_set_iteration_time(gb_state *st, double seconds) { S(st).SetIterationTime(seconds); }
void gb_pause_timing(gb_state *st) { S(st).PauseTiming(); }
void gb_resume_timing(gb_state *st) { S(st).ResumeTiming(); }

void gb_counter(gb_state *st, const char *name, double value, unsigned flags)
{
	S(st).counters[name] = benchmark::Counter(value, static_cast<benchmark::Counter::Flags>(flags));
}

void gb_set_label(gb_state *st, const char *label) { S(st).SetLabel(label); }
void gb_skip_with_error(gb_state *st, const char *msg) { S(st).SkipWithError(msg); }

void gb_skip(gb_state *st, const char *reason)
{
	// 1.8+ reports skips through error_occurred false + "skipped" fields;
	// the prefix makes a skip recognisable the same way on every version
	// (what the harness reads, bench/outcome.h).
	skip_impl(S(st), std::string(FB_PREFIX_SKIPPED) + reason, 0);
}

bool gb_error_occurred(const gb_state *st) { return S(st).error_occurred(); }

void gb_initialize(int *argc, char **argv) { benchmark::Initialize(argc, argv); }
size_t gb_run(void) { return benchmark::RunSpecifiedBenchmarks(); }
void gb_shutdown(void) { benchmark::Shutdown(); }

int gb_main(int argc, char **argv)
{
	gb_initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 2;   // it printed which argument, on stderr
	gb_run();
	gb_shutdown();
	return 0;
}

}  // extern "C"
