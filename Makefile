# Quick start: `make site` builds the site from the shipped content; `make test` runs every test.
# Both set everything up first (a .venv with the package and its test tools, npm packages) and are idempotent.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed

.PHONY: setup site test serve bench lint clean

setup: $(PY_STAMP) $(NPM_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(PY_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

site: setup
	$(BIN)/sitegen build

test: setup
	$(BIN)/python -m pytest

PORT ?= 8000
serve: setup  # make serve PORT=8001
	$(BIN)/sitegen serve --port $(PORT)

bench: setup
	$(BIN)/python bench/run.py

lint: setup
	$(BIN)/ruff check sitegen tests bench docs
	$(BIN)/ruff format --check sitegen tests bench docs

clean:
	rm -rf site $(VENV) node_modules .pytest_cache
