# Weir: `make` builds build/weir; `make run`, `make test`, `make bench`, `make fuzz`,
# `make difftest`, `make stress`.
# Every target installs the Debian packages it needs first (see scripts/deps.sh).
JOBS ?= $(shell nproc)
BUILD_TYPE ?= Release

.PHONY: all deps node-deps build run test unit integration stress difftest asan tsan bench fuzz \
	format format-check clean

all: build

deps:
	@scripts/deps.sh

# The Node clients the wire tests drive (tests/node: BullMQ and its ioredis), installed exactly
# as tests/node/package-lock.json pins them; again only when the lock file is newer than the
# install (npm writes node_modules/.package-lock.json). No install scripts: nothing is compiled.
NODE_MODULES = tests/node/node_modules/.package-lock.json
node-deps: $(NODE_MODULES)
$(NODE_MODULES): tests/node/package-lock.json | deps
	npm ci --prefix tests/node --ignore-scripts --no-audit --no-fund
	touch $@

build: deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null
	cmake --build build -j $(JOBS)

run: build
	./build/weir

unit: build
	cd build && ctest --output-on-failure -j $(JOBS)

# Wire tests: each test file starts its own servers on free ports, so files run in parallel.
PYTEST = /usr/bin/python3 -m pytest -q -x -n $(JOBS) --dist loadfile
integration: build node-deps
	WEIR_BIN=$(CURDIR)/build/weir $(PYTEST) tests/integration

# The blocking/transaction race test for as long as asked (default 3 minutes, --threads 4).
STRESS_SECONDS ?= 180
stress: build
	WEIR_BIN=$(CURDIR)/build/weir WEIR_STRESS_SECONDS=$(STRESS_SECONDS) \
		/usr/bin/python3 -m pytest -q -s tests/integration/test_blocking_stress.py

# Differential test against Debian's redis-server (tests/differential/README.md): random
# command sequences over DIFF_SEEDS sharing DIFF_SECONDS; fails on any divergence.
DIFF_SECONDS ?= 60
DIFF_SEEDS ?= 1 2 3
DIFF_THREADS ?= 1
difftest: build
	WEIR_BIN=$(CURDIR)/build/weir /usr/bin/python3 tests/differential/difftest.py \
		$(foreach s,$(DIFF_SEEDS),--seed $(s)) --seconds $(DIFF_SECONDS) --threads $(DIFF_THREADS)

# The sanitizer builds are Debug builds, so they also check shard lock ownership on every
# keyspace access (engine/shard.h). ASan + UBSan: unit tests and the wire tests at --threads 1;
# ThreadSanitizer: the threading unit tests and the wire tests at --threads 4 (the cross-thread
# paths: blocked clients served by other threads, CLIENT LIST, the stress test). TSan's deadlock
# detector is off: it tracks at most 64 held locks, and an all-shard command holds 16 per thread
# (lock order is guaranteed by LockSet, and self-deadlock by the lock-ownership check).
asan: deps node-deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DWEIR_SANITIZE=ON >/dev/null
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS)
	WEIR_BIN=$(CURDIR)/build-asan/weir WEIR_SLOW=1 WEIR_THREADS=1 $(PYTEST) tests/integration

tsan: deps node-deps
	cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DWEIR_TSAN=ON >/dev/null
	cmake --build build-tsan -j $(JOBS) --target weir concurrency_test engine_test
	./build-tsan/tests/unit/concurrency_test
	./build-tsan/tests/unit/engine_test
	TSAN_OPTIONS="halt_on_error=1 detect_deadlocks=0" WEIR_BIN=$(CURDIR)/build-tsan/weir \
		WEIR_SLOW=1 WEIR_THREADS=4 WEIR_STRESS_SECONDS=20 $(PYTEST) tests/integration

test: unit integration difftest asan tsan

bench: build node-deps
	bench/bench.sh

fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DWEIR_FUZZ=ON >/dev/null
	cmake --build build-fuzz -j $(JOBS) --target resp_parser_fuzz command_fuzz
	mkdir -p build-fuzz/corpus && cp tests/fuzz/corpus/* build-fuzz/corpus/
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		./build-fuzz/tests/fuzz/resp_parser_fuzz -max_total_time=$${FUZZ_SECONDS:-60} -detect_leaks=1 build-fuzz/corpus
	mkdir -p build-fuzz/corpus_commands && cp tests/fuzz/corpus_commands/* build-fuzz/corpus_commands/
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		./build-fuzz/tests/fuzz/command_fuzz -max_total_time=$${FUZZ_SECONDS:-60} -detect_leaks=1 \
		-rss_limit_mb=4096 build-fuzz/corpus_commands

format:
	clang-format-14 -i $$(git ls-files '*.cc' '*.h')

format-check:
	clang-format-14 --dry-run -Werror $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf build build-asan build-tsan build-fuzz
