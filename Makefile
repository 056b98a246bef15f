# The README's commands. Everything runs from .venv, created on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench e2e messages migrate seed clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## run: install, start embedded PostgreSQL and Redis, migrate, seed the demo city, serve
run: $(STAMP)
	$(PY) -m portal.runner

## test: the whole suite against real PostgreSQL and Redis
test: $(STAMP)
	$(PY) -m pytest -q

## lint: ruff, import layers, migrations in step with models
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

## bench: the benchmarks of the heavy jobs; they print figures
bench: $(STAMP)
	$(PY) -m pytest -q -s tests/bench -p no:randomly -o addopts="" --ds=portal.settings_test

## messages: extract and compile translations (compiled files are committed)
messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=static/vendor --ignore=.data --ignore=tests
	$(PY) manage.py makemessages -d djangojs -l zh_Hans --ignore=.venv --ignore=static/vendor --ignore=.data
	$(PY) manage.py compilemessages --ignore=.venv

migrate: $(STAMP)
	$(PY) manage.py migrate

seed: $(STAMP)
	$(PY) manage.py seed_demo

clean:
	rm -rf $(VENV) .data
