# Rehab Target Monitor — set-up, run, test. Everything installs into .venv.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DATA ?= data
HOST ?= 127.0.0.1
PORT ?= 8050

.PHONY: install run test check lint format demo clean

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# pyspark (about 400 MB) only where the tests need it: `make run` stays quick on a new machine.
$(VENV)/.spark: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev,spark]'
	touch $@

install: $(VENV)/.installed ## virtual environment in .venv with the project installed

run: install ## load the small demo if the database is empty, then serve the app
	$(BIN)/rehab-monitor --data-dir $(DATA) demo --scale small --load --if-empty
	$(BIN)/rehab-monitor --data-dir $(DATA) serve --host $(HOST) --port $(PORT)

test: install $(VENV)/.spark ## the whole test suite (what CI runs), the Spark parity test included
	$(BIN)/python -m pytest -n 2 --dist loadfile

check: install ## the quick loop while developing: everything except the slow tests
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not slow"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
