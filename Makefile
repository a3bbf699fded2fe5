# Beschlusskasse: `make run` starts the app with demo data, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 3

.PHONY: run serve test e2e lint format browser vendor bench load screenshots clean

# Reinstall only when the declared dependencies change.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-run

run: export DEBUG ?= true
run: $(VENV)/.installed-run
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_telefonaktion --demo
	@echo "Beschlusskasse läuft auf http://$(HOST):$(PORT)/  (Anmeldung: /accounts/login/, Verwaltung: /admin/)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Production-style: the environment (SECRET_KEY, DATABASE_URL, ALLOWED_HOSTS, …) comes from the
# caller or systemd; gunicorn serves the app, WhiteNoise the collected static files. Gunicorn's
# default 30 s timeout holds: no page or export takes that long (see Performance in README.md).
serve: $(VENV)/.installed-run
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/gunicorn telefonaktion.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) \
	  --access-logfile - --forwarded-allow-ips 127.0.0.1

test: $(VENV)/.installed-dev browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The end-to-end tests drive Debian's Chromium. Install it when we can (root with apt-get);
# otherwise the browser tests say they are skipped, except under CI where they fail.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "Chromium konnte nicht installiert werden."; \
	  else echo "Hinweis: /usr/bin/chromium fehlt (apt-get install chromium); Browser-Tests werden übersprungen."; fi; \
	fi

# Refresh the vendored front-end assets from the npm registry (they are committed under static/vendor).
vendor:
	npm install --no-audit --no-fund
	mkdir -p static/vendor/bootstrap
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map \
	   node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map \
	   node_modules/bootstrap/LICENSE static/vendor/bootstrap/
	mkdir -p tests/e2e/vendor/axe-core
	cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE tests/e2e/vendor/axe-core/

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/dashboard.py

# Load test through gunicorn (4 workers) on PostgreSQL (DATABASE_URL's server), then SQLite.
load: $(VENV)/.installed-dev
	$(BIN)/python bench/load.py

# Renew the README's screenshots (phone booking flow, dashboard) in docs/screenshots/.
screenshots: $(VENV)/.installed-dev browser
	SCREENSHOTS_DIR=docs/screenshots $(BIN)/python -m pytest tests/e2e/test_screenshots.py -q

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* test_db.sqlite3* staticfiles .pytest_cache
