# Two commands on a fresh clone: `make run` and `make test`. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# xstatic-bootstrap builds with pkg_resources, which newer setuptools no longer ship.
PIP_INSTALL := PIP_CONSTRAINT=requirements-build.txt $(BIN)/pip install --disable-pip-version-check -q
HOST ?= 127.0.0.1
PORT ?= 8000
# The server and the mail worker see them: SITE_URL (every link in emails and feeds) follows
# them unless it is set (wmasn/settings/environment.py).
export HOST PORT

.PHONY: run test lint format install install-dev migrate demo lock clean bench backup restore assets static validate lighthouse

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

# Browser code from npm (assets/package.json), served from the portal's own static files:
# the QR decoder of the check-in page (events/registration/door.py).
static/vendor/jsqr/jsQR.js: assets/package.json assets/package-lock.json
	npm ci --prefix assets --no-audit --no-fund --silent
	mkdir -p static/vendor/jsqr
	cp assets/node_modules/jsqr/dist/jsQR.js assets/node_modules/jsqr/LICENSE static/vendor/jsqr/

# Without npm (a laptop with only Python) the portal still runs: the check-in page then scans
# with the browser's own BarcodeDetector where it has one, and by typed code or name anyway.
assets:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory static/vendor/jsqr/jsQR.js; \
	else echo "npm not found: skipping the check-in page's QR decoder (static/vendor/jsqr/)"; fi

demo: migrate assets
	$(BIN)/python manage.py load_demo_data

# A mail worker runs beside the server (emails print to this console, or go to EMAIL_HOST
# when set) and stops with it. It does not reload on code changes: the templates are rendered
# by the server, so only a change to wmasn/mail/ or wmasn/jobs/ needs `make run` again.
run: demo
	@$(BIN)/python manage.py db_worker --no-reload --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install-dev assets | var
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

# The CSS the pages use (docs/quality.md): Bootstrap's Sass, only the parts the portal uses,
# compiled and purged of every selector no template, crispy form or script names into
# static/css/bootstrap.min.css. That file is committed, so `make run` needs no npm; CI runs
# this and fails if the committed file differs. Needs npm (package.json pins the tools).
static: install
	npm ci --no-audit --no-fund --ignore-scripts
	mkdir -p var/build
	node_modules/.bin/sass --load-path=node_modules --style=compressed --no-source-map \
		--quiet-deps --silence-deprecation=import,global-builtin,color-functions \
		static/scss/bootstrap-portal.scss var/build/bootstrap-portal.css
	PYTHON=$(BIN)/python node_modules/.bin/purgecss --config purgecss.config.cjs

# The Nu HTML checker over every page of the demo site for every role (benchmarks/validate.py).
validate: install-dev
	@test -d node_modules/vnu-jar || npm ci --no-audit --no-fund --ignore-scripts
	$(BIN)/python -m benchmarks.validate

# Lighthouse (mobile) on /, an event page and an issue page of the demo site
# (benchmarks/lighthouse.py); needs chromium.
lighthouse: install-dev
	@test -d node_modules/lighthouse || npm ci --no-audit --no-fund --ignore-scripts
	$(BIN)/python -m benchmarks.lighthouse

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
