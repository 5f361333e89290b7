# dpgw: the two entry points a fresh Debian 12 machine needs (run as root).
#   make demo   install what is missing, build, run the netns demo
#   make test   install what is missing, build, run every test
BUILD ?= build

.PHONY: all deps build demo test unit lab asan fuzz bench clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD)
	@ninja -C $(BUILD)

demo: build
	@scripts/demo.sh

test: build
	@scripts/run-tests.sh

unit: build
	@meson test -C $(BUILD) --print-errorlogs

lab: build
	@tests/lab/run.sh

bench: build
	@perf/bench_empty_loop.sh

clean:
	rm -rf $(BUILD) build-asan build-fuzz
