# Set-up and everyday commands. `make serve` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DUMPS ?= ../shared/dumps
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-dev migrate import serve lint format check browser haystack-tests-source test postgresql \
	test-postgres bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --noinput -v0

# Import the dumps (another folder: make import DUMPS=path). Unchanged files are skipped. Exit status 2
# says some stored articles await the search index, which the next import or check_archive --repair catches up.
import: migrate
	$(BIN)/python manage.py import_dumps $(DUMPS) || [ $$? -eq 2 ]

serve: import
	$(BIN)/python manage.py collectstatic --noinput -v0
	@echo "Serving on http://$(HOST):$(PORT)/ — for the admin, first run: $(BIN)/python manage.py createsuperuser"
	$(BIN)/gunicorn config.wsgi -c config/gunicorn.py --bind $(HOST):$(PORT) --access-logfile -

lint: install-dev
	$(BIN)/ruff check .

format: install-dev
	$(BIN)/ruff check --fix .

check: install-dev
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

# Debian's Chromium (and a CJK font for readable screenshots) for tests/test_browser.py; once per machine.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CHROMIUM := /usr/bin/chromium

browser: $(CHROMIUM)

$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) apt-get install -y --no-install-recommends chromium fonts-wqy-microhei

# django-haystack's own backend tests ship only in its source distribution, of the version in requirements.txt;
# tests/test_haystack_contract.py runs its Whoosh tests against our engine. Only test_haystack/ is unpacked, so
# that they import the installed haystack, the one our engine runs on.
HAYSTACK_VERSION := $(shell sed -n 's/^django-haystack==//p' requirements.txt)
HAYSTACK_TESTS := $(VENV)/haystack-tests
HAYSTACK_SDIST := $(HAYSTACK_TESTS)/django_haystack-$(HAYSTACK_VERSION).tar.gz
HAYSTACK_UNPACKED := $(HAYSTACK_TESTS)/django_haystack-$(HAYSTACK_VERSION)/.unpacked

haystack-tests-source: $(HAYSTACK_UNPACKED)

$(HAYSTACK_SDIST): | $(BIN)/python
	$(BIN)/pip download -q --no-binary :all: --no-deps django-haystack==$(HAYSTACK_VERSION) -d $(HAYSTACK_TESTS)

# A stamp, since tar gives the files the archive's dates; an interrupted unpack is redone.
$(HAYSTACK_UNPACKED): $(HAYSTACK_SDIST)
	tar -xzf $< -C $(HAYSTACK_TESTS) django_haystack-$(HAYSTACK_VERSION)/test_haystack
	touch $@

test: lint check browser haystack-tests-source
	$(BIN)/pytest

# The whole test suite against PostgreSQL, chosen as in production by DATABASE_URL alone: a throwaway
# server (Debian's postgresql, installed when missing) in a temporary folder, run as the postgres
# system user (PostgreSQL refuses to run as root), stopped and removed afterwards even when tests
# fail. Not part of `make test`. PG_PORT=… for another port; PYTEST_ARGS=… passed to pytest.
PG_PORT ?= 54329
PG_BIN = $(dir $(lastword $(sort $(wildcard /usr/lib/postgresql/*/bin/initdb))))
AS_POSTGRES := $(if $(SUDO),sudo -u postgres,runuser -u postgres --)

postgresql:
	@[ -n "$(PG_BIN)" ] || { $(SUDO) apt-get update && $(SUDO) apt-get install -y postgresql; }

test-postgres: install-dev browser postgresql
	@tmp=$$(cd / && $(AS_POSTGRES) mktemp -d /tmp/archive-postgres.XXXXXX) || exit 1; \
	stop() { cd / && $(AS_POSTGRES) $(PG_BIN)pg_ctl -D $$tmp/data -m fast -w stop >/dev/null 2>&1; \
	         $(AS_POSTGRES) rm -rf $$tmp; }; \
	trap stop EXIT; trap 'exit 130' INT TERM; \
	(cd / && $(AS_POSTGRES) $(PG_BIN)initdb -D $$tmp/data -U postgres -E UTF8 --locale=C.UTF-8 \
	     --auth-local=peer --auth-host=scram-sha-256 >/dev/null \
	 && $(AS_POSTGRES) $(PG_BIN)pg_ctl -D $$tmp/data -l $$tmp/server.log -w \
	     -o "-p $(PG_PORT) -k $$tmp -c listen_addresses=127.0.0.1" start >/dev/null \
	 && $(AS_POSTGRES) $(PG_BIN)psql -q -h $$tmp -p $(PG_PORT) -d postgres \
	     -c "CREATE ROLE archive LOGIN CREATEDB PASSWORD 'archive'" -c "CREATE DATABASE archive OWNER archive") \
	&& echo "PostgreSQL $$($(PG_BIN)postgres --version | cut -d' ' -f3) on 127.0.0.1:$(PG_PORT) ($$tmp)" \
	&& DATABASE_URL=postgres://archive:archive@127.0.0.1:$(PG_PORT)/archive $(BIN)/pytest $(PYTEST_ARGS)

# Comparison benchmark (bench/run.py): BENCH_ARGS=--quick for 2,000 articles in a few minutes.
bench: install-dev
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
