# BudStack: `make run` for a working platform with demo data, `make test` for the suite.
SHELL := /bin/bash
# Parallel pytest workers for `make test` (pytest-xdist); each has its own database,
# Redis databases and files (budstack/settings/test.py). TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
# The local fake Dr. Green API that `make run` starts next to the site.
DRGREEN_FAKE_PORT ?= 8765
STAMP := $(VENV)/.installed

.PHONY: run test lint format install migrate demo clean-var bench bench-scale bench-search audit

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

## run: the whole platform with demo data on SQLite, eager tasks and local files,
## talking to a fake Dr. Green API that runs for as long as the site does.
run: demo
	@echo ""
	@echo "BudStack is starting at http://$(HOST):$(PORT)/"
	@echo "  Storefronts: http://$(HOST):$(PORT)/store/healingbuds/  http://$(HOST):$(PORT)/store/greenleaf/"
	@echo "               http://healingbuds.localhost:$(PORT)/  (BUDSTACK_DOMAIN=localhost, the default)"
	@echo "  Admin:       http://$(HOST):$(PORT)/admin/"
	@echo "  Logins (password budstack-demo): admin@budstack.test, owner@healingbuds.test,"
	@echo "    owner@greenleaf.test, editor@healingbuds.test, marketer@healingbuds.test,"
	@echo "    patient@healingbuds.test (verified), patient@greenleaf.test (pending)"
	@echo "  Dr. Green:   fake API at http://127.0.0.1:$(DRGREEN_FAKE_PORT)/api/v1 (test controls under /_control/)"
	@echo ""
	@# The fake server runs in the background and is stopped whenever runserver ends
	@# (Ctrl-C, error or kill): background jobs of make's shell ignore Ctrl-C themselves.
	@$(BIN)/python -m integrations.drgreen.fake --host 127.0.0.1 --port $(DRGREEN_FAKE_PORT) --quiet \
		--webhook-url http://127.0.0.1:$(PORT)/api/v1/integrations/drgreen/webhook \
		--webhook-secret "$${DRGREEN_WEBHOOK_SECRET:-dev-drgreen-webhook-secret}" & \
	FAKE_PID=$$!; \
	trap 'kill $$FAKE_PID 2>/dev/null; wait $$FAKE_PID 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM HUP; \
	DRGREEN_API_URL="$${DRGREEN_API_URL:-http://127.0.0.1:$(DRGREEN_FAKE_PORT)/api/v1}" \
	PORT=$(PORT) $(BIN)/python manage.py runserver $(HOST):$(PORT)

## test: the whole suite against real PostgreSQL and Redis started for the run.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	scripts/ensure-browser.sh
	scripts/ensure-deploy-tools.sh
	BUDSTACK_REQUIRE_SERVICES=1 scripts/with-services.sh $(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

## audit: pip-audit over constraints.txt (needs PyPI's JSON API or OSV; not part of `make test`).
audit:
	scripts/audit-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## bench: gunicorn + production settings on throwaway PostgreSQL and Redis, a generated
## dataset (BENCH_TENANTS, BENCH_PRODUCTS, BENCH_ARTICLES) and wrk; prints the table.
bench: $(STAMP)
	PYTHON=$(BIN)/python bench/run.sh

## bench-scale: catalog, catalog filtered, search and API p95 at 50 tenants, then the same
## database grown to 500 (BENCH_SCALE_TENANTS) and measured again; prints both and the ratio.
bench-scale: $(STAMP)
	PYTHON=$(BIN)/python bench/run.sh --scale

## bench-search: storefront search latency (median, p95) on 100 tenants, 100,000 products and
## 20,000 pages on throwaway PostgreSQL; `make bench-search ARGS=--small` for a quick run.
bench-search: $(STAMP)
	PYTHON=$(BIN)/python scripts/with-services.sh $(BIN)/python bench/search_bench.py $(ARGS)
