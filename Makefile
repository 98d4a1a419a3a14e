# The two commands a newcomer needs: `make run` and `make test`.
# Both create .venv and install what is missing, so they work on a fresh clone.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
WORKERS ?= 2
# npm installs the Node tools of the contract and accessibility tests; `make test NPM=` does without them.
NPM ?= $(shell command -v npm)
CONTRACT_TOOLS := contract/node_modules/.package-lock.json
# `make bench` installs the `bench` extra (the peer apps' frameworks) once, like the dev extra.
BENCH_INSTALLED := $(VENV)/.installed-bench

.PHONY: run test contract-tools openapi bench screenshots clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "hiremix needs Python 3.11 or newer; set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

## run: install, migrate the database, print a development key the first time, serve on 127.0.0.1:$(PORT)
run: $(VENV)/.installed
	$(BIN)/flask --app service db upgrade
	@if [ "$${HIREMIX_ENV:-development}" != production ]; then $(BIN)/flask --app service keys bootstrap; fi
	@echo "hiremix on http://127.0.0.1:$(PORT)/  (open it and sign in with your key; the API docs are at /docs)"
	PORT=$(PORT) HIREMIX_WORKERS=$(WORKERS) exec $(BIN)/gunicorn -c gunicorn.conf.py 'service:create_app()'

## test: install with test tools (and the Node tools when npm is there), run the whole suite (PostgreSQL too when TEST_DATABASE_URL is set)
test: $(VENV)/.installed-dev contract-tools
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## contract-tools: npm ci into contract/node_modules when it is missing or older than contract/package*.json
ifeq ($(strip $(NPM)),)
contract-tools:
	@echo "no npm: the newman, Redocly, TypeScript client and axe-core tests will be skipped (CI fails them)"
else
contract-tools: $(CONTRACT_TOOLS)

$(CONTRACT_TOOLS): contract/package-lock.json contract/package.json
	$(NPM) ci --prefix contract --no-audit --no-fund --loglevel=error \
		|| { echo "npm ci --prefix contract failed; 'make test NPM=' runs the suite without the Node tools"; exit 1; }
	@touch $@
endif

## openapi: regenerate the committed openapi.yaml from the code
openapi: $(VENV)/.installed
	$(BIN)/flask --app service openapi --output openapi.yaml

$(BENCH_INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $@ $(VENV)/.installed

## bench: engine and HTTP benchmarks beside bare Flask, the peers of ../shared/bench/peers and nginx, one table (gunicorn + wrk, SQLite and PostgreSQL; about 8 minutes; not part of `make test`)
bench: $(BENCH_INSTALLED)
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install wrk (or brew install wrk)"; exit 1; }
	$(BIN)/python -m benchmarks.serving $(BENCH_ARGS)

## screenshots: refresh docs/*.png from the browser tests (needs Chromium: apt-get install chromium)
screenshots: $(VENV)/.installed-dev contract-tools
	HIREMIX_SCREENSHOTS=docs $(BIN)/python -m pytest -q tests/e2e/test_browser.py tests/e2e/test_console_browser.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info
