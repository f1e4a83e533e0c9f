# The README's commands. `make help` lists them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PORT ?= 8000
LOCAL := DJANGO_SETTINGS_MODULE=iop_site.settings.local

.DEFAULT_GOAL := help
.PHONY: help install setup tools deploy-tools run test test-deploy guide-pictures fuzz mutation bench audit lint format clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

install: $(BIN)/.installed ## Create .venv and install the pinned requirements

setup: install ## Compile the Spanish interface text, migrate the database, load content/, collect static files
	$(LOCAL) $(PY) manage.py compile_translations
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

deploy-tools: ## Install nginx, wrk, OpenSSL and the PostgreSQL client (deploy tests, make bench) from Debian if missing; needs root
	@missing=""; [ -x /usr/sbin/nginx ] || missing="nginx"; command -v wrk >/dev/null || missing="$$missing wrk"; \
	command -v openssl >/dev/null || missing="$$missing openssl"; command -v pg_dump >/dev/null || missing="$$missing postgresql-client"; \
	command -v systemd-socket-activate >/dev/null || missing="$$missing systemd"; command -v unshare >/dev/null || missing="$$missing util-linux"; \
	command -v ip >/dev/null || missing="$$missing iproute2"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "The deploy tests need:$$missing. Install them: sudo apt-get install$$missing"; exit 1; fi; \
	fi

# The MDN HTTP Observatory scanner for the deploy tests, pinned by deploy/observatory/package-lock.json. Its install
# scripts download the HSTS preload list and CA bundles from sites this machine cannot reach, so they do not run;
# the scanner needs a preload list file, and an empty one is right for the test's host name, which is on no list.
deploy/observatory/node_modules/.installed: deploy/observatory/package.json deploy/observatory/package-lock.json
	cd deploy/observatory && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	echo '{}' > deploy/observatory/node_modules/@mdn/mdn-http-observatory/conf/hsts-preload.json
	touch $@

# axe-core for the accessibility tests and Lighthouse for `make audit`, pinned by their package-lock.json files.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

audit/node_modules/.installed: audit/package.json audit/package-lock.json
	cd audit && npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: setup tools deploy-tools node_modules/.installed deploy/observatory/node_modules/.installed ## Set up, then run every test
	$(BIN)/pytest

test-deploy: setup deploy-tools deploy/observatory/node_modules/.installed ## Only the production front's tests: nginx, units, backups, alerts
	$(BIN)/pytest tests/test_deploy_*.py tests/test_proxy_cache.py tests/test_backups.py tests/test_observability.py

guide-pictures: install tools ## Redraw the staff guide's pictures (static/staff-guide/) from the admin as it is now
	STAFF_GUIDE_PICTURES=static/staff-guide $(BIN)/pytest tests/test_staff_guide.py -q

fuzz: install ## The no-edit-lost state machine at length (FUZZ_EXAMPLES, default 300 sequences of 30 steps)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest tests/test_no_edit_lost.py -p no:cacheprovider -q

$(BIN)/.mutation-installed: requirements-mutation.txt $(BIN)/.installed
	$(BIN)/pip install --quiet -r requirements-mutation.txt
	touch $@

# Not part of `make test`: mutants of each module against its own tests; results stay in mutants/ for the next run.
mutation: install $(BIN)/.mutation-installed ## Mutation testing (mutmut) of the sanitiser, the content parser and the sync decisions
	$(PY) tools/mutation.py run

audit: install tools audit/node_modules/.installed ## Lighthouse scores (mobile) for the home page, FAQ index and an FAQ page
	$(PY) audit/run.py

bench: setup deploy-tools ## Benchmark load speed, pages vs a static file, memory (writes bench/RESULTS.md)
	$(PY) bench/run.py

lint: install ## Check style with ruff
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install ## Reformat with ruff
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean: ## Remove the virtualenv, node_modules, local database and collected static files
	rm -rf $(VENV) node_modules audit/node_modules deploy/observatory/node_modules staticfiles db.sqlite3
