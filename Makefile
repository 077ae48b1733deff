# Weir: `make` builds build/weir; `make run`, `make test`, `make bench`, `make fuzz`,
# `make difftest`.
# Every target installs the Debian packages it needs first (see scripts/deps.sh).
JOBS ?= $(shell nproc)
BUILD_TYPE ?= Release

.PHONY: all deps build run test unit integration difftest asan tsan bench fuzz format format-check \
	clean

all: build

deps:
	@scripts/deps.sh

build: deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null
	cmake --build build -j $(JOBS)

run: build
	./build/weir

unit: build
	cd build && ctest --output-on-failure -j $(JOBS)

integration: build
	WEIR_BIN=$(CURDIR)/build/weir /usr/bin/python3 -m pytest -q -x tests/integration

# Differential test against Debian's redis-server (tests/differential/README.md): random
# command sequences over DIFF_SEEDS sharing DIFF_SECONDS; fails on any divergence.
DIFF_SECONDS ?= 60
DIFF_SEEDS ?= 1 2 3
DIFF_THREADS ?= 1
difftest: build
	WEIR_BIN=$(CURDIR)/build/weir /usr/bin/python3 tests/differential/difftest.py \
		$(foreach s,$(DIFF_SEEDS),--seed $(s)) --seconds $(DIFF_SECONDS) --threads $(DIFF_THREADS)

# The sanitizer build: ASan + UBSan over the unit tests and the wire tests.
asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DWEIR_SANITIZE=ON >/dev/null
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS)
	WEIR_BIN=$(CURDIR)/build-asan/weir WEIR_SLOW=1 /usr/bin/python3 -m pytest -q -x tests/integration

# ThreadSanitizer over the tests that run the engine from many threads.
tsan: deps
	cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DWEIR_TSAN=ON >/dev/null
	cmake --build build-tsan -j $(JOBS) --target concurrency_test engine_test
	./build-tsan/tests/unit/concurrency_test
	./build-tsan/tests/unit/engine_test

test: unit integration asan tsan

bench: build
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
