# Front door. `make` builds, `make run` serves on 127.0.0.1:5000 with data in ./var,
# `make test` runs everything CI runs, `make bench` runs the benchmarks.
BUILD ?= build
FUZZ_BUILD ?= build-fuzz
JOBS ?= $(shell nproc)
LISTEN ?= 127.0.0.1:5000
DATA ?= ./var
FUZZ_SECONDS ?= 20

.PHONY: all build deps run test unit fuzz bench clean format lint

all: build

deps:
	@scripts/install-deps

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

run: deps build
	$(BUILD)/bulwark serve --listen $(LISTEN) --data $(DATA)

unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

$(FUZZ_BUILD)/build.ninja:
	CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBULWARK_FUZZ=ON

fuzz: $(FUZZ_BUILD)/build.ninja
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_targets
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run-all $(FUZZ_BUILD)

test: deps build fuzz
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

bench: deps build
	bench/run-all $(BUILD)

format:
	clang-format -i $$(git ls-files '*.h' '*.cc')

# Bug-finding checks from .clang-tidy over every source (slow on 2 cores; not part of `make test`).
lint: build
	clang-tidy -p $(BUILD) --quiet --extra-arg=-Wno-unknown-warning-option $$(git ls-files 'src/*.cc')

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD)
