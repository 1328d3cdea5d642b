# Sổ thi đua, khen thưởng — everyday commands.
#
#   make run     set up, load the demo data and serve http://127.0.0.1:$(PORT)/admin/
#   make test    set up, lint, then the whole suite on SQLite and on a throwaway PostgreSQL 15
#
# Other targets: venv, system-deps, messages, lint, format, bench, help.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
PYTEST_ARGS ?=

# Debian packages the tests need: headless Chromium for the browser journeys, pdftotext for
# certificates, Pango and HarfBuzz subsetting for WeasyPrint, PostgreSQL 15 for the second pass,
# gettext's msgfmt for the Vietnamese messages, SoftHSM2 for the PKCS#11 signing tests.
SYSTEM_PACKAGES := chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
	postgresql-15 fonts-dejavu-core gettext softhsm2

# The registry's own catalogues (registry/locale); the compiled .mo files are not committed.
MESSAGES_PO := $(wildcard registry/locale/*/LC_MESSAGES/*.po)
MESSAGES_MO := $(MESSAGES_PO:.po=.mo)

.PHONY: help venv install system-deps messages run test test-sqlite test-postgres lint format bench

help:
	@echo "make run          set up and serve the admin with demo data at http://127.0.0.1:$(PORT)/admin/ (PORT=... overrides)"
	@echo "make test         set up and run lint, migrations check and the suite on SQLite and PostgreSQL 15"
	@echo "make venv         create .venv and install the pinned dependencies"
	@echo "make system-deps  apt-get install the Debian packages the tests need, where missing"
	@echo "make messages     compile the Vietnamese messages (registry/locale/*/LC_MESSAGES/*.po)"
	@echo "make lint         ruff check and ruff format --check"
	@echo "make format       ruff format and ruff check --fix"
	@echo "make bench        run every benchmarks/bench_*.py"

# --- Python environment -------------------------------------------------------------------------

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when pyproject.toml changed since the last install.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[dev]'
	touch $@

venv install: $(STAMP)

# --- Debian packages ----------------------------------------------------------------------------

system-deps:
	@if ! command -v dpkg-query >/dev/null 2>&1; then \
	  echo "system-deps: not a Debian system; install by hand: $(SYSTEM_PACKAGES)"; exit 0; \
	fi; \
	missing=""; \
	for pkg in $(SYSTEM_PACKAGES); do \
	  if ! dpkg-query -W -f='$${Status}' "$$pkg" 2>/dev/null | grep -q "install ok installed"; then \
	    missing="$$missing $$pkg"; \
	  fi; \
	done; \
	if [ -z "$$missing" ]; then echo "system-deps: all present ($(SYSTEM_PACKAGES))"; exit 0; fi; \
	echo "system-deps: installing$$missing"; \
	if [ "$$(id -u)" -eq 0 ]; then SUDO=""; \
	elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; \
	else echo "system-deps: missing$$missing and not root; install them with apt-get" >&2; exit 1; fi; \
	export DEBIAN_FRONTEND=noninteractive; \
	$$SUDO apt-get update -q; \
	$$SUDO apt-get install -y -q --no-install-recommends $$missing </dev/null

# --- Messages -----------------------------------------------------------------------------------

# Only registry/locale: compilemessages would also walk .venv and rewrite other packages' files.
messages: $(MESSAGES_MO)

%.mo: %.po
	@command -v msgfmt >/dev/null 2>&1 || $(MAKE) --no-print-directory system-deps
	msgfmt --check-format -o $@ $<

# --- Running ------------------------------------------------------------------------------------

# A local .env (DEBUG=1, a generated SECRET_KEY and the demo signing key), written once and never
# overwritten: manage.py reads it when the environment sets neither, so the README's commands run
# as shown.
.env: | $(BIN)/python
	$(BIN)/python -m registry.devenv $@

# Signing with a test certificate authority made on the first run (var/signing-demo), unless the
# environment names the office's own key and trust folder (README, "Ký số").
run: export SIGNING_TRUST_DIR ?= $(CURDIR)/var/signing-demo/trust
run: export SIGNING_PKCS12_PATH ?= $(CURDIR)/var/signing-demo/office.p12
run: export SIGNING_PKCS12_PASSWORD_FILE ?= $(CURDIR)/var/signing-demo/office.pass
run: venv messages .env
	$(BIN)/python manage.py migrate
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py ensure_demo_admin
	$(BIN)/python manage.py signing_demo_pki --folder $(CURDIR)/var/signing-demo
	@# The background worker (large print batches) runs beside the web server and stops with it.
	$(BIN)/python manage.py db_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# --- Checks -------------------------------------------------------------------------------------

# The two passes run side by side, each printing its report when it ends: one pass keeps one
# core busy, so on two cores the suite takes about the PostgreSQL pass's time instead of the sum.
# TEST_JOBS=1 runs them one after the other.
TEST_JOBS ?= 2

test: export DEBUG := 1
test: system-deps venv messages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory -j$(TEST_JOBS) --output-sync=target test-sqlite test-postgres

# SQLite pass: everything but the browser journeys (DATABASE_URL unset: SQLite).
test-sqlite: export DEBUG := 1
test-sqlite: venv messages
	env -u DATABASE_URL $(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

# PostgreSQL pass: the whole suite, browser journeys included, on a server started for it.
test-postgres: export DEBUG := 1
test-postgres: venv messages
	$(BIN)/python tests/pgserver.py -- $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: export DEBUG := 1
bench: venv
	@shopt -s nullglob; files=(benchmarks/bench_*.py); \
	if [ $${#files[@]} -eq 0 ]; then echo "bench: no benchmarks yet (benchmarks/bench_*.py)"; exit 0; fi; \
	for f in "$${files[@]}"; do echo "== $$f"; $(BIN)/python "$$f"; done

# make bench-import runs benchmarks/bench_import.py, and so on (BENCH_SCALE shrinks each).
bench-%: export DEBUG := 1
bench-%: venv
	$(BIN)/python benchmarks/bench_$*.py
