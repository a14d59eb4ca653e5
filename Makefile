# forkbench - one flat Makefile: deps, build, bench, test, clean.
# `make bench` installs missing Debian packages (scripts/deps.sh), builds and
# runs the suite into a new results/<run-id>/; `make test` runs the tests.

CC      ?= cc
CXX     ?= c++
BUILD   := build
WARN    := -Wall -Wextra -Wshadow -Wmissing-prototypes -Wwrite-strings
CFLAGS  ?= -O2 -g
# The source rooms, bottom up (DESIGN.md): each is an include folder.
SRC_DIRS := bench lib model verdict render harness validate grade
CFLAGS  += -std=gnu17 $(WARN) -MMD -MP $(addprefix -I,$(SRC_DIRS))
CXXFLAGS ?= -O2 -g
CXXFLAGS += -std=c++17 -Wall -Wextra -MMD -MP -Ibench
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# Sources with a main() of their own; everything else in bench/ and harness/
# is library code shared by the binaries and the tests.
BENCH_MAINS   := bench/main.c bench/worker.c bench/exit0.c bench/cowprobe.c bench/bare.c
HARNESS_MAINS := harness/main.c
BENCH_LIB   := $(filter-out $(BENCH_MAINS),$(wildcard bench/*.c)) $(wildcard bench/*.S)
HARNESS_LIB := $(wildcard lib/*.c model/*.c verdict/*.c render/*.c) $(filter-out $(HARNESS_MAINS),$(wildcard harness/*.c)) $(wildcard validate/*.c) $(wildcard grade/*.c)
# The worker is static and pure C: it only needs the families, not the
# Google Benchmark client side (pool.c).
WORKER_LIB  := $(filter-out bench/pool.c,$(BENCH_LIB))

obj = $(patsubst %,$(BUILD)/$(1)/%.o,$(basename $(2)))

BINS := $(BUILD)/forkbench $(BUILD)/forkbench-bench $(BUILD)/fb-worker \
	$(BUILD)/fb-exit0-static $(BUILD)/fb-exit0-dynamic $(BUILD)/fb-cow-probe \
	$(BUILD)/fb-bare

TEST_SRCS := $(wildcard tests/test_*.c)
TESTS     := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRCS))

MAX_MEM ?=
FILTER  ?=
PROFILE ?=
RUN_ARGS := $(if $(MAX_MEM),--max-mem $(MAX_MEM)) $(if $(FILTER),--filter '$(FILTER)') \
	$(if $(PROFILE),--profile $(PROFILE))

BASELINE ?=
NAME ?=
REGRESS_ARGS ?= --junit results/regress-junit.xml --markdown results/regress.md

.PHONY: all deps bench test clean baseline regress report autograder precision fuzz
all: $(BINS)

deps:
	@scripts/deps.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@$(BUILD)/forkbench run $(RUN_ARGS)

# A baseline is a quick run kept under results/baselines/NAME (commit it),
# with its A/A noise: AA_RUNS more runs of the same build and settings into
# temp folders, AA_GAP_S seconds apart, compared with the first into
# results/baselines/NAME/noise.json (forkbench noise), then removed. compare
# raises each benchmark's threshold to 1.5 x that noise where this machine
# moves it more than --threshold. Spread in time because this machine's
# state moves for minutes: one A/A run made at once saw fork at 256 MiB
# move 10%, runs a quarter of an hour later moved it 44%.
AA_RUNS  ?= 3
AA_GAP_S ?= 120
baseline: deps
	@test -n "$(NAME)" || { echo "usage: make baseline NAME=<name>" >&2; exit 2; }
	@$(MAKE) --no-print-directory all
	@$(BUILD)/forkbench run --profile quick --out results/baselines/$(NAME) $(RUN_ARGS)
	@aa=results/.aa-$(NAME)-$$$$; trap 'rm -rf "$$aa"-*' EXIT; trap 'exit 130' INT TERM; \
	runs=; for i in $$(seq 1 $(AA_RUNS)); do \
		[ $$i -eq 1 ] || sleep $(AA_GAP_S); \
		$(BUILD)/forkbench run --profile quick --out "$$aa-$$i" $(RUN_ARGS) >/dev/null || exit $$?; \
		runs="$$runs $$aa-$$i"; \
	done; \
	$(BUILD)/forkbench noise results/baselines/$(NAME) $$runs

# Run like the baseline and compare: exit 1 on a significant slow-down.
regress: deps
	@test -n "$(BASELINE)" || { echo "usage: make regress BASELINE=<name under results/baselines>" >&2; exit 2; }
	@$(MAKE) --no-print-directory all
	@$(BUILD)/forkbench regress results/baselines/$(BASELINE) $(REGRESS_ARGS)

# Consecutive runs of the fork/vfork figures and their second methods:
# consistency, overhead against the bare loop, spread, interval coverage.
precision: deps
	@$(MAKE) --no-print-directory all
	@scripts/precision.sh $(BUILD) $(PRECISION_ARGS)

report:
	@test -n "$(RUN)" || { echo "usage: make report RUN=results/<run-id>" >&2; exit 2; }
	@$(BUILD)/forkbench report $(RUN)

# Semantic checks of fork, COW, vfork, clone, exec and threads: TAP 13 on
# stdout, exit 1 when a check failed (e.g. VALIDATE_ARGS='--filter cow --junit FILE').
.PHONY: validate
VALIDATE_ARGS ?=
validate: $(BUILD)/forkbench
	@$(BUILD)/forkbench validate $(VALIDATE_ARGS)

# An upload-ready Gradescope autograder for assignments/ASSIGNMENT.
autograder:
	@test -n "$(ASSIGNMENT)" || { echo "usage: make autograder ASSIGNMENT=<name under assignments>" >&2; exit 2; }
	@scripts/autograder.sh $(ASSIGNMENT) $(BUILD)

# T='test_cow test_spawn' runs only those; TEST_TIMEOUT (s, default 900)
# bounds each test program (tests/run.sh).
T ?=
test: deps
	@$(MAKE) --no-print-directory all tests
	@tests/run.sh $(BUILD) $(T)

tests: $(TESTS)

clean:
	rm -rf $(BUILD)

# --- normal build -------------------------------------------------------
$(BUILD)/rel/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@
$(BUILD)/rel/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@
$(BUILD)/rel/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c $< -o $@

# ASAN_BINS=1 (with another BUILD, e.g. `make test BUILD=build-asan
# ASAN_BINS=1`, as CI does): the driver and the benchmark binary are built
# under AddressSanitizer + UBSan too, so the end-to-end tests run them so.
# The static helpers (fb-worker, fb-bare...) cannot be: ASan needs dynamic linking.
ASAN_BINS ?=
BIN_OBJ   := $(if $(ASAN_BINS),asan,rel)
BIN_LINK  := $(if $(ASAN_BINS),$(SANITIZE))

# The driver reuses the families' pure-C code (sizes, regions, fault counting)
# and the worker pool (the grader's reference figures, grade/grade_ref.c).
$(BUILD)/forkbench: $(call obj,$(BIN_OBJ),$(HARNESS_MAINS) $(HARNESS_LIB) $(BENCH_LIB))
	$(CC) $(BIN_LINK) $^ -o $@ -pthread -ljansson -lm

$(BUILD)/forkbench-bench: $(call obj,$(BIN_OBJ),bench/main.c bench/gbench.cc $(BENCH_LIB))
	$(CXX) $(BIN_LINK) $^ -o $@ -lbenchmark -lpthread -lm

# Static and lean: fewer mappings, so fork measures the memory we asked for.
$(BUILD)/fb-worker: $(call obj,rel,bench/worker.c $(WORKER_LIB))
	$(CC) -static -pthread $^ -o $@ -lm

# One COW case in a process of its own, for scripts/cow-perf-check.sh.
$(BUILD)/fb-cow-probe: $(call obj,rel,bench/cowprobe.c $(WORKER_LIB))
	$(CC) -static -pthread $^ -o $@ -lm

# The floor: a bare fork/vfork loop in a process that holds nothing else.
$(BUILD)/fb-bare: $(call obj,rel,bench/bare.c)
	$(CC) -static $^ -o $@

$(BUILD)/fb-exit0-static: $(call obj,rel,bench/exit0.c)
	$(CC) -static $^ -o $@
$(BUILD)/fb-exit0-dynamic: $(call obj,rel,bench/exit0.c)
	$(CC) $^ -o $@

# --- fuzzing: the JSON loading path under libFuzzer (clang) ---------------
# `make fuzz` runs it for FUZZ_SECONDS from the corpus under tests/fuzz;
# findings land in build/fuzz-findings/ (add them to tests/fuzz/corpus).
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 600
FUZZ_FLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer -g -O1
$(BUILD)/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(filter-out -O2,$(CFLAGS)) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -Itests -c $< -o $@
$(BUILD)/fuzz/%.o: %.S
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -c $< -o $@

$(BUILD)/fuzz-json: $(call obj,fuzz,tests/fuzz/fuzz_json.c $(HARNESS_LIB) $(BENCH_LIB))
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer $^ -o $@ -ljansson -lm -pthread

fuzz: $(BUILD)/fuzz-json
	@command -v $(FUZZ_CC) >/dev/null || { echo "make fuzz needs clang (apt-get install clang)" >&2; exit 2; }
	@mkdir -p $(BUILD)/fuzz-corpus/bench $(BUILD)/fuzz-corpus/manifest $(BUILD)/fuzz-findings
	@cp tests/fuzz/corpus/* $(BUILD)/fuzz-corpus/bench/
	@cp tests/fuzz/manifests/* $(BUILD)/fuzz-corpus/manifest/
	$(BUILD)/fuzz-json -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=4096 \
		-artifact_prefix=$(BUILD)/fuzz-findings/ $(BUILD)/fuzz-corpus/bench $(BUILD)/fuzz-corpus/manifest

# --- tests: library code rebuilt under AddressSanitizer + UBSan -----------
$(BUILD)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SANITIZE) -Itests -c $< -o $@
$(BUILD)/asan/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@
$(BUILD)/asan/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(SANITIZE) -c $< -o $@

$(BUILD)/libfb-asan.a: $(call obj,asan,$(BENCH_LIB) bench/gbench.cc $(HARNESS_LIB))
	rm -f $@ && ar rcs $@ $^

# Order-only on the binaries: an end-to-end test runs $(BUILD)/forkbench and
# the workers, so building one test alone (make build/tests/test_run) also
# brings them up to date instead of testing a stale build.
$(BUILD)/tests/%: $(BUILD)/asan/tests/%.o $(BUILD)/libfb-asan.a | $(BINS)
	@mkdir -p $(dir $@)
	$(CXX) $(SANITIZE) $^ -o $@ -lbenchmark -ljansson -lpthread -lm

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
