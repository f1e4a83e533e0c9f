# The README's commands. `make help` lists them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PORT ?= 8000
LOCAL := DJANGO_SETTINGS_MODULE=iop_site.settings.local

.DEFAULT_GOAL := help
.PHONY: help install setup tools run test fuzz bench audit lint format clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

install: $(BIN)/.installed ## Create .venv and install the pinned requirements

setup: install ## Migrate the database, load content/, collect static files
	$(LOCAL) $(PY) manage.py migrate --noinput
	@# Exit code 3 means conflicts were reported and left alone: still serve the site.
	$(LOCAL) $(PY) manage.py load_content || [ $$? -eq 3 ]
	$(LOCAL) $(PY) manage.py collectstatic --noinput --verbosity 0

run: setup ## Set up, then serve on http://127.0.0.1:$(PORT) with gunicorn
	$(LOCAL) PORT=$(PORT) $(BIN)/gunicorn iop_site.wsgi --config gunicorn.conf.py

tools: ## Install Chromium (browser tests), Java (HTML checker) and npm (axe-core) from Debian if missing; needs root
	@missing=""; [ -x /usr/bin/chromium ] || missing="chromium"; command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "The browser and HTML-checker tests need:$$missing. Install them: sudo apt-get install$$missing"; exit 1; fi; \
	fi

# axe-core for the accessibility tests and Lighthouse for `make audit`, pinned by their package-lock.json files.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

audit/node_modules/.installed: audit/package.json audit/package-lock.json
	cd audit && npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: setup tools node_modules/.installed ## Set up, then run every test
	$(BIN)/pytest

fuzz: install ## The no-edit-lost state machine at length (FUZZ_EXAMPLES, default 300 sequences of 30 steps)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest tests/test_no_edit_lost.py -p no:cacheprovider -q

audit: install tools audit/node_modules/.installed ## Lighthouse scores (mobile) for the home page, FAQ index and an FAQ page
	$(PY) audit/run.py

bench: setup ## Benchmark load speed, pages vs a static file, memory (writes bench/RESULTS.md)
	$(PY) bench/run.py

lint: install ## Check style with ruff
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install ## Reformat with ruff
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean: ## Remove the virtualenv, node_modules, local database and collected static files
	rm -rf $(VENV) node_modules audit/node_modules staticfiles db.sqlite3
