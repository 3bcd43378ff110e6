# Threadline: `make run` for the demo, `make test` for the suite.
# The venv, node_modules and built CSS are real files, so repeat runs only redo what changed.

STATIC := src/threadline/web/static
SCSS := $(wildcard src/threadline/web/static_src/*.scss)

.PHONY: setup run test lint clean
.DEFAULT_GOAL := setup

setup: .venv/.installed $(STATIC)/dist/app.css $(STATIC)/dist/govuk-frontend.min.js
	mkdir -p var

# find-python fails with a clear message if there is no Python 3.12+.
.venv/bin/python:
	python=$$(scripts/find-python) && "$$python" -m venv .venv

.venv/.installed: .venv/bin/python pyproject.toml
	.venv/bin/pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

node_modules/.installed: package.json $(wildcard package-lock.json)
	if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
	touch $@

# One npm build writes both files (a grouped target, GNU make 4.3+).
$(STATIC)/dist/app.css $(STATIC)/dist/govuk-frontend.min.js &: node_modules/.installed $(SCSS)
	npm run build

run: setup
	.venv/bin/threadline migrate
	.venv/bin/threadline demo
	.venv/bin/threadline serve

# SQLite by default; set DATABASE_URL=postgres://… to run the suite on PostgreSQL.
test: setup
	.venv/bin/pytest $(PYTEST_ARGS)

lint: .venv/.installed
	.venv/bin/ruff check src tests bench
	.venv/bin/ruff format --check src tests bench

clean:
	rm -rf .venv node_modules var $(STATIC)/dist $(STATIC)/govuk
