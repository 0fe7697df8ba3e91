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

.PHONY: run test check-services install clean bench

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

check-services: $(STAMP)
	@DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) tests/check_services.py

test: check-services
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) SECRET_KEY=test-only-secret-key \
	DEBUG=false $(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) SECRET_KEY=bench-only-secret-key \
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) var .pytest_cache
