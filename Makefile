# Quick start: `make site` builds the site from the shipped content; `make test` runs every test.
# Both set up what they need first and are idempotent. `make site` installs only what building needs (the
# package and its runtime libraries, lunr.js); `make test` and `make bench` add the test and benchmark tools.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
PY_TEST_STAMP := $(VENV)/.installed-test
NPM_STAMP := node_modules/.installed
NPM_DEV_STAMP := node_modules/.installed-dev
BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed
PIP := -m pip install --quiet --disable-pip-version-check

.PHONY: setup setup-dev site test serve bench lint clean

setup: $(PY_STAMP) $(NPM_STAMP)
setup-dev: $(PY_TEST_STAMP) $(NPM_DEV_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(PY_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python $(PIP) -e .
	touch $@

# The test set includes the runtime set, so it marks both as installed.
$(PY_TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python $(PIP) -e '.[test]'
	touch $@ $(PY_STAMP)

$(NPM_STAMP): package.json package-lock.json
	npm ci --omit=dev --no-audit --no-fund --loglevel=error
	touch $@

$(NPM_DEV_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@ $(NPM_STAMP)

# The anchors of bench/run.py (MkDocs, Pelican) live in their own venv, never in the project's.
$(BENCH_STAMP): bench/requirements.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python $(PIP) -r bench/requirements.txt
	touch $@

site: setup
	$(BIN)/sitegen build

test: setup-dev
	$(BIN)/python -m pytest

PORT ?= 8000
serve: setup  # make serve PORT=8001
	$(BIN)/sitegen serve --port $(PORT)

bench: setup-dev $(BENCH_STAMP)
	$(BIN)/python bench/run.py

lint: setup-dev
	$(BIN)/ruff check sitegen tests bench docs
	$(BIN)/ruff format --check sitegen tests bench docs

clean:
	rm -rf site $(VENV) $(BENCH_VENV) node_modules .pytest_cache .sitegen-cache
