# The two entry points of a fresh machine: `make run` and `make test`. Both install what is
# missing first, and only what is missing, so a second run starts at once.

APT_PACKAGES := libzstd-dev libicu-dev libsqlite3-dev libstemmer-dev libargon2-dev zlib1g-dev pkg-config
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 8080
DATA_DIR ?= ./data

.PHONY: run test deps build release lint format clean

## run: install what is missing, build in release, serve on $(HOST):$(PORT) with data in $(DATA_DIR);
## the first start loads the demo tenant (fixtures/demo) and prints its login once
run: deps release
	.build/release/taly serve --host $(HOST) --port $(PORT) --data-dir $(DATA_DIR) --demo --demo-fixtures fixtures/demo

## test: install what is missing, build and run the whole test suite
test: deps
	swift build --build-tests
	swift test --skip-build --disable-xctest

## deps: apt-get install the Debian packages the build links against, when any is missing
deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		$(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

build: deps
	swift build

release: deps
	swift build -c release --product taly

## lint: the formatting check CI runs
lint:
	swift format lint --strict --recursive --parallel Package.swift Sources Tests Benchmarks/Package.swift Benchmarks/Benchmarks

## format: rewrite the sources in the checked-in style
format:
	swift format --in-place --recursive --parallel Package.swift Sources Tests Benchmarks/Package.swift Benchmarks/Benchmarks

clean:
	rm -rf .build
