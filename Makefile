# Two commands on a fresh clone: `make run` and `make test`. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# xstatic-bootstrap builds with pkg_resources, which newer setuptools no longer ship.
PIP_INSTALL := PIP_CONSTRAINT=requirements-build.txt $(BIN)/pip install --disable-pip-version-check -q
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format install install-dev migrate demo lock clean bench backup restore

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock requirements-build.txt | $(BIN)/python
	$(PIP_INSTALL) -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock requirements-build.txt | $(BIN)/python
	$(PIP_INSTALL) -r requirements-dev.lock
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

var:
	mkdir -p var

migrate: install | var
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo_data

# A mail worker runs beside the server (emails print to this console, or go to EMAIL_HOST
# when set) and stops with it. It does not reload on code changes: the templates are rendered
# by the server, so only a change to wmasn/mail/ or wmasn/jobs/ needs `make run` again.
run: demo
	@$(BIN)/python manage.py db_worker --no-reload --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install-dev | var
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=wmasn.settings.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Regenerate the lock files after changing pyproject.toml.
lock: install-dev
	$(BIN)/pip install -q uv
	$(BIN)/uv pip compile pyproject.toml -q -o requirements.lock --python-version 3.11
	$(BIN)/uv pip compile pyproject.toml --extra dev -q -o requirements-dev.lock --python-version 3.11

clean:
	rm -rf $(VENV) var/db.sqlite3 var/staticfiles

# Seed networks of 100, 1,000 and 10,000 agencies into PostgreSQL, measure pages and feeds,
# load-test gunicorn with wrk, send a newsletter to 5,000 through the mail worker to a local
# SMTP sink, and write docs/performance.md; then read a mailbox of 1,000 messages from Dovecot
# (prints "[bench] 1,000 inbound messages read …"). Needs PostgreSQL up and wrk installed.
bench: install-dev
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } || { echo "make bench needs wrk (apt-get install wrk)"; exit 1; }
	$(BIN)/python -m benchmarks.run
	$(BIN)/pytest tests/inbox/test_end_to_end.py -k thousand -q -p no:cacheprovider -s

# Backups (docs/backups.md): a pg_dump of DATABASE_URL into var/backups/, older ones pruned.
backup: | var
	$(BIN)/python manage.py backup_database --output-dir var/backups

# Load a backup back: make restore BACKUP=var/backups/wmasn-<time>.dump [RESTORE_DATABASE_URL=...]
# (default target: DATABASE_URL). It replaces everything in the target, after asking.
restore:
	@test -n "$(BACKUP)" || { echo "make restore needs BACKUP=path/to/wmasn-....dump" >&2; exit 2; }
	$(BIN)/python manage.py restore_database "$(BACKUP)"
