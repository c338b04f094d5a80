# govgrid: `make run` and `make test` work from a fresh clone with Python >= 3.11 and make.
# With nothing set they use the embedded defaults (SQLite + a file-system Celery broker under
# var/); with DATABASE_URL and REDIS_URL set they use PostgreSQL and Redis.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py

export PORT ?= 8000
# Test data (SQLite test database, broker folders, media) never mixes with the dev data in var/.
TEST_DATA_DIR ?= $(CURDIR)/var/test
CHROMIUM := /usr/bin/chromium
# Extra arguments: `make test ARGS='-k workflow'`, `make seed ARGS='--seed 7'`.
ARGS ?=

# Local use: the settings refuse to start without SECRET_KEY when DEBUG is off.
export DEBUG ?= 1

.DEFAULT_GOAL := help
.PHONY: help venv run migrate static seed test browser-check clean

help:
	@echo "make run      install, migrate, load the demo town, serve http://127.0.0.1:$(PORT)/ with worker and beat"
	@echo "make test     install, then run the whole test suite (ARGS='...' passes pytest arguments)"
	@echo "make migrate  apply database migrations"
	@echo "make seed     build the demo town (ARGS='...' passes seed_demo arguments)"
	@echo "make clean    remove the virtualenv, collected static files, test data and caches"

venv: $(INSTALLED)

# Reinstalls only when pyproject.toml is newer than the last install.
$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "govgrid needs Python 3.11 or newer; set PYTHON=python3.11 or similar." >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

migrate: $(INSTALLED)
	$(MANAGE) migrate --noinput

static: $(INSTALLED)
	$(MANAGE) collectstatic --noinput --verbosity 0

seed: $(INSTALLED)
	$(MANAGE) seed_demo $(ARGS)

run: migrate static
	$(MANAGE) seed_demo --if-empty
	$(BIN)/python -m govgrid.devserver

# Browser tests drive Debian's Chromium. As root it is installed when missing; otherwise
# browser tests are skipped, and said so.
browser-check:
	@if [ ! -x $(CHROMIUM) ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Chromium and CJK fonts for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

test: $(INSTALLED) browser-check
	@rm -rf "$(TEST_DATA_DIR)"
	@if [ -n "$${DATABASE_URL:-}" ]; then echo "Database: $${DATABASE_URL%%://*} (DATABASE_URL)"; else echo "Database: SQLite in $(TEST_DATA_DIR)"; fi
	@if [ -n "$${REDIS_URL:-}" ]; then echo "Broker and cache: Redis (REDIS_URL)"; else echo "Broker and cache: file system in $(TEST_DATA_DIR)"; fi
	@skip=(); \
	if [ ! -x $(CHROMIUM) ]; then \
		echo "SKIPPING browser tests: $(CHROMIUM) is missing (as root, make test installs Debian's chromium)."; \
		skip=(--ignore=tests/browser -m "not browser"); \
	fi; \
	GOVGRID_DATA_DIR="$(TEST_DATA_DIR)" $(BIN)/python -m pytest "$${skip[@]}" $(ARGS)

clean:
	rm -rf $(VENV) staticfiles var/test .pytest_cache *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
