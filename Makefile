# Hybrid MD. `make demo` serves the demo with a worker; `make test` runs the suite.
# Both set up everything they need first (virtualenv, packages, system tools).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
STAMP := $(VENV)/.installed
PYTEST_WORKERS ?= 2
PG_URL ?= postgres://postgres@127.0.0.1:5432/hybridmd
REDIS_CI_URL ?= redis://127.0.0.1:6379/0

.PHONY: help setup system-deps install messages demo serve test test-sqlite test-postgres lint types contracts migrations-check ci bench bench-files bench-ecg clean

help:
	@echo "make demo   - set up, migrate, seed and serve http://127.0.0.1:8000 with a worker"
	@echo "make test   - set up and run the whole test suite (SQLite, embedded broker)"
	@echo "make ci     - lint, types, import contracts, migrations check, suite on SQLite and PostgreSQL+Redis"

system-deps:
	@./scripts/system-deps.sh

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip install -q --python $(BIN)/python --require-hashes -r requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

messages: install
	$(BIN)/python manage.py compilemessages --ignore=.venv -v 0

setup: system-deps install messages
	@mkdir -p var

demo: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_seed
	./scripts/serve.sh

serve: setup
	./scripts/serve.sh

# SQLite and the embedded broker even when the shell exports DATABASE_URL or REDIS_URL.
test: setup
	env -u DATABASE_URL -u REDIS_URL $(BIN)/pytest -n $(PYTEST_WORKERS)

test-sqlite: test

test-postgres: setup
	./scripts/services-up.sh
	DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_CI_URL) $(BIN)/pytest -n $(PYTEST_WORKERS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install
	$(BIN)/mypy

contracts: install
	$(BIN)/lint-imports

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

ci: setup lint types contracts migrations-check test-sqlite test-postgres

lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -q -o requirements.lock

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache

# Community benchmark on PostgreSQL (docs/BENCHMARKS.md): seeds hybridmd_bench once, then measures.
bench: setup
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Clinical file intake (docs/BENCHMARKS.md): radiograph and ECG pipelines beside their anchors.
bench-files: setup
	$(BIN)/python -m bench.files

# Built-in ECG engine (docs/BENCHMARKS.md): EC57 beats, rhythm, delineation, statements and
# speed against the shared reference annotations, beside NeuroKit2 and wfdb's XQRS.
bench-ecg: setup
	$(BIN)/python -m bench.ecg $(BENCH_ARGS)
