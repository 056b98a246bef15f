# The README's commands. Everything runs from .venv, created on first use and installed from the
# lock (exact versions with hashes), never from pyproject's ranges.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
LOCK := requirements.lock
SCRATCH := .venv-upgrade

.PHONY: run test lint bench e2e messages migrate seed clean lock upgrade-check fonts

$(STAMP): $(LOCK)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(PY) -m pip check
	touch $(STAMP)

## fonts: the Chinese font printable reports embed (Debian's fonts-wqy-microhei; needs root)
fonts:
	fc-list | grep -qi "WenQuanYi Micro Hei" || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei libpango-1.0-0 libpangoft2-1.0-0)

## lock: resolve pyproject's ranges into the lock (run after changing a dependency)
lock: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes --quiet --output-file $(LOCK)

## upgrade-check: the newest versions the ranges allow, in a scratch venv, against the fast tests
upgrade-check: $(STAMP)
	LOCK=$(LOCK) SCRATCH=$(SCRATCH) UV=$(VENV)/bin/uv bash .ci/upgrade-check

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
