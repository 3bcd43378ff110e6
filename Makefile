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
	.venv/bin/threadline makemigrations --check --dry-run

clean:
	rm -rf .venv node_modules var $(STATIC)/dist $(STATIC)/govuk

# Benchmarks, on demand (not part of `make test`): one PostgreSQL database per size at
# BENCH_SERVER, generated once and reused while its sizes and the generator are unchanged;
# the figures are written into docs/benchmarks.md. The timed pass stops after
# BENCH_MINUTES per size with the children measured so far (slow pages measure fewer).
# The referral, chronology, risk and clock benchmarks write, so they work on a copy of
# their bench database they drop after. The chronology one has a database of its own,
# threadline_bench_chronology (100,000 children, no risk factors or clock events, which
# no chronology request reads), and generates its 1,000,000 entries in the copy. The
# generator adds the risk factors (2.5 per person) and then the statutory clock's events
# (every open case's history) as steps of their own, each redone alone when only that
# step changed.
BENCH_SERVER ?= postgres://postgres@127.0.0.1:5432
BENCH_SAMPLES ?= 200
BENCH_MINUTES ?= 15

.PHONY: bench
bench: .venv/.installed
	.venv/bin/python bench/generate.py --small --seed 42 --if-needed \
		--database-url $(BENCH_SERVER)/threadline_bench_small
	.venv/bin/python bench/generate.py --people 200000 --children 50000 --seed 42 --if-needed \
		--database-url $(BENCH_SERVER)/threadline_bench
	.venv/bin/python bench/generate.py --people 400000 --children 100000 --seed 42 \
		--risk-factors 0 --no-clock --if-needed \
		--database-url $(BENCH_SERVER)/threadline_bench_chronology
	.venv/bin/python bench/child_page.py --database-url $(BENCH_SERVER)/threadline_bench_small \
		--samples $(BENCH_SAMPLES) --budget-minutes $(BENCH_MINUTES) \
		--json var/bench/child-page-small.json
	.venv/bin/python bench/child_page.py --database-url $(BENCH_SERVER)/threadline_bench \
		--samples $(BENCH_SAMPLES) --budget-minutes $(BENCH_MINUTES) --explain 3 \
		--json var/bench/child-page-full.json
	.venv/bin/python bench/referral_submit.py --database-url $(BENCH_SERVER)/threadline_bench \
		--samples $(BENCH_SAMPLES) --budget-minutes $(BENCH_MINUTES) --explain 1 \
		--json var/bench/referral-submit.json
	.venv/bin/python bench/chronology_page.py \
		--database-url $(BENCH_SERVER)/threadline_bench_chronology \
		--samples 150 --budget-minutes $(BENCH_MINUTES) --json var/bench/chronology.json
	.venv/bin/python bench/risks.py --database-url $(BENCH_SERVER)/threadline_bench \
		--samples 300 --moves 200 --budget-minutes $(BENCH_MINUTES) --json var/bench/risks.json
	.venv/bin/python bench/clock.py --database-url $(BENCH_SERVER)/threadline_bench \
		--samples 300 --budget-minutes $(BENCH_MINUTES) --json var/bench/clock.json
	.venv/bin/python bench/endpoints.py --database-url $(BENCH_SERVER)/threadline_bench_small \
		--samples $(BENCH_SAMPLES) --budget-minutes $(BENCH_MINUTES) \
		--json var/bench/endpoints-small.json
	.venv/bin/python bench/endpoints.py --database-url $(BENCH_SERVER)/threadline_bench \
		--samples $(BENCH_SAMPLES) --budget-minutes $(BENCH_MINUTES) \
		--json var/bench/endpoints-full.json
	.venv/bin/python bench/endpoints.py --report var/bench/endpoints-small.json \
		var/bench/endpoints-full.json --docs docs/benchmarks.md
	.venv/bin/python bench/report.py var/bench/child-page-small.json \
		var/bench/child-page-full.json --referral-submit var/bench/referral-submit.json \
		--chronology var/bench/chronology.json --risks var/bench/risks.json \
		--clock var/bench/clock.json --out docs/benchmarks.md

# Proving it (on demand, not part of `make test`; docs/benchmarks.md has the figures and
# the commands): `make load` (50 users for 5 minutes through gunicorn on PostgreSQL),
# `make chaos` (kill workers and restart PostgreSQL under a write load, then check
# nothing acknowledged was lost or done twice), `make fuzz` (schemathesis against every
# API operation). Small variants of load and chaos run in `make test`.
.PHONY: load chaos fuzz

# --- load ---
# bench/load.py on a copy of threadline_bench (dropped after): LOAD_USERS practitioners
# (allocated social workers, partner agencies, the front door, a cross-agency probe) sign
# in through the form and work for LOAD_MINUTES (after 30 s of warm-up, 2–6 s between
# requests) through gunicorn (4 workers × 2 threads) with production settings and the
# task worker, driven by locust. Writes var/bench/load.json and the "Load" section of
# docs/benchmarks.md; fails if there were errors or p95 is over 300 ms. LOAD_ARGS passes
# more (--think-min 1 --think-max 3, --workers, --conn-max-age, …).
# The smoke variant is tests/reliability/test_load_smoke.py, in `make test`.
LOAD_USERS ?= 50
LOAD_MINUTES ?= 5
LOAD_ARGS ?=

load: .venv/.installed
	.venv/bin/python bench/generate.py --people 200000 --children 50000 --seed 42 --if-needed \
		--database-url $(BENCH_SERVER)/threadline_bench
	.venv/bin/python bench/load.py --database-url $(BENCH_SERVER)/threadline_bench \
		--users $(LOAD_USERS) --minutes $(LOAD_MINUTES) $(LOAD_ARGS) \
		--json var/bench/load.json --docs docs/benchmarks.md

# --- chaos ---
# bench/chaos.py on a database of its own (threadline_chaos at BENCH_SERVER, dropped
# after): CHAOS_SECONDS of API writes through gunicorn while web workers and the task
# worker are killed with SIGKILL and PostgreSQL is restarted (the server is shared: it
# waits up to a minute for other databases' sessions to end, and CHAOS_ARGS=--no-db-restart
# leaves it alone), then the checks. Writes var/bench/chaos.json and the "Faults (chaos)"
# section of docs/benchmarks.md; fails if a check fails. The smoke variant is
# tests/reliability/test_chaos_smoke.py, in `make test`.
CHAOS_SECONDS ?= 150
CHAOS_ARGS ?=

chaos: .venv/.installed
	.venv/bin/python bench/chaos.py --database-url $(BENCH_SERVER)/threadline_chaos \
		--duration $(CHAOS_SECONDS) $(CHAOS_ARGS)

# --- fuzz ---
# bench/fuzz.py: a throwaway SQLite database under var/fuzz/ (FUZZ_DATABASE=postgres://…
# for PostgreSQL: created and dropped) with the demo loaded, gunicorn on a free loopback
# port with production settings, and schemathesis over every operation of /api/v1/schema/
# as five personas (examples, coverage and fuzzing phases; FUZZ_EXAMPLES per operation
# and phase). Writes var/bench/fuzz.json and the "Fuzzing" section of
# docs/benchmarks.md; fails on any 5xx or response the schema does not document.
FUZZ_EXAMPLES ?= 50
FUZZ_DATABASE ?=
FUZZ_ARGS ?=

fuzz: .venv/.installed
	nice .venv/bin/python bench/fuzz.py --max-examples $(FUZZ_EXAMPLES) \
		$(if $(FUZZ_DATABASE),--database-url $(FUZZ_DATABASE)) $(FUZZ_ARGS)
