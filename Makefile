# MemStack: `make run` for the whole product on embedded defaults,
# `make test` for the whole suite against PostgreSQL and Redis.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

HOST ?= 127.0.0.1
PORT ?= 8000

# The test suite's services; override to point elsewhere.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/memstack
TEST_REDIS_URL ?= redis://127.0.0.1:6379/9

.PHONY: run test lint format check-services browser pushpin install clean bench

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	@export DEBUG=$${DEBUG:-true}; \
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py ensure_local_user && \
	echo "MemStack: http://$(HOST):$(PORT)/  (web + worker + beat; Ctrl-C stops all)" && \
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" HOST=$(HOST) exec $(VENV)/bin/honcho start -p $(PORT) web worker beat

# ruff, configured in pyproject.toml: lint rules and the formatter's verdict.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check-services: $(STAMP)
	@DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) tests/check_services.py

# The end-to-end tests drive Debian's chromium (never a browser downloaded by
# the test tool); install it once if it is missing.
browser:
	@if command -v chromium >/dev/null 2>&1; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "make browser: chromium is not installed and apt-get is missing; install Chromium and put it on PATH as 'chromium'." >&2; \
		exit 1; \
	fi; \
	echo "Installing Debian's chromium for the browser tests..."; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# The live Pushpin test (and the benchmark through Pushpin) run Debian's
# pushpin, started with a config of their own; install it once if missing.
pushpin:
	@if command -v pushpin >/dev/null 2>&1; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "make pushpin: pushpin is not installed and apt-get is missing; install Pushpin 1.36 and put it on PATH." >&2; \
		exit 1; \
	fi; \
	echo "Installing Debian's pushpin for the GRIP tests..."; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pushpin

test: check-services browser pushpin
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) SECRET_KEY=test-only-secret-key \
	DEBUG=false $(PY) -m pytest $(PYTEST_ARGS)

# Scratch database `memstack_bench_<random>` on the test server (dropped at
# the end); Redis db 11, apart from the suite's. BENCH_ARGS: see bench/run.py.
bench: $(STAMP) pushpin
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$${BENCH_REDIS_URL:-redis://127.0.0.1:6379/11} \
	SECRET_KEY=bench-only-secret-key $(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache
