# The README's commands. Everything runs from .venv, created on first use and installed from the
# lock (exact versions with hashes), never from pyproject's ranges: pip installs the locked uv,
# then uv makes the venv match the lock exactly (it also removes what the lock no longer holds).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
LOCK := requirements.lock
SCRATCH := .venv-upgrade

.PHONY: run test lint bench load morning e2e messages migrate seed clean lock upgrade upgrade-check fonts

$(STAMP): $(LOCK)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	awk '/^uv==/ {p=1; print; next} p && /^[^ ]/ {p=0} p' $(LOCK) > $(VENV)/uv-requirement.txt
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(VENV)/uv-requirement.txt
	$(VENV)/bin/uv pip sync --quiet --python $(PY) --require-hashes $(LOCK)
	$(VENV)/bin/uv pip check --quiet --python $(PY)
	touch $(STAMP)

## fonts: the Chinese font printable reports embed (Debian's fonts-wqy-microhei; needs root)
fonts:
	fc-list | grep -qi "WenQuanYi Micro Hei" || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei libpango-1.0-0 libpangoft2-1.0-0)

## lock: resolve pyproject's ranges into the lock, keeping the pins that still fit them
lock: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes --quiet --output-file $(LOCK)

## upgrade: the lock moves to the newest versions the ranges allow (after make upgrade-check)
upgrade: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes --quiet --upgrade --output-file $(LOCK)

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

## load: the web load test (locust, loopback only): LOAD_PERSONS synthetic persons (1,000,000),
## the portal under gunicorn, the residents' and staff's mix at 40 req/s for LOAD_SECONDS (300),
## p50/p95/p99 per request type, then the highest rate whose p95 stays under 300 ms
load: $(STAMP)
	$(PY) -m load mix

## morning: the school-round morning (loopback only): 2,000 families rank their schools and 500
## accept offers through the API over MORNING_SECONDS (600) while a round is drawn, some pressing
## twice; then the database is counted (each set once, no double acceptance, no school over its
## seats) and p50/p95/p99 printed; exits non-zero when a count differs; see docs/scaling.md
morning: $(STAMP)
	$(PY) -m load morning

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
