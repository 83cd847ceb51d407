# Consult: `make run` serves the demo on http://127.0.0.1:5000; `make test` runs every check and the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
FLASK := $(BIN)/flask --app consult
# The address `make run` serves: outside debug the app needs CONSULT_EXTERNAL_URL (invitation links
# are built from it), so the set-up commands are given it too.
LOCAL := CONSULT_EXTERNAL_URL=http://127.0.0.1:5000

.PHONY: install bytecode browser-tools catalogs translations lint test test-sqlite setup run db demo clean

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=23"
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

install: $(INSTALLED)

# pip compiles the installed libraries to bytecode, but not this checkout (installed editable):
# without it every start compiles Consult's own modules again where .pyc files are not written
# (PYTHONDONTWRITEBYTECODE, a read-only folder), 0.05-0.1 s of a 1 s start. Only changed files
# are compiled again.
bytecode: install
	$(BIN)/python -m compileall -q consult

# The browser tests (tests/browser) drive Debian's Chromium through Python Playwright (never a
# browser download) and inject axe-core from node_modules (pinned in package-lock.json).
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
/usr/bin/chromium:
	$(SUDO) apt-get install -y chromium || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

browser-tools: /usr/bin/chromium node_modules/.installed

# Compiled catalogs (.mo) are build output: never committed, never edited by hand.
catalogs: install
	$(BIN)/python -m consult.i18n.catalogs compile

# The whole gettext workflow after changing user-facing strings: extract -> update -> compile -> check.
translations: install
	$(BIN)/python -m consult.i18n.catalogs extract
	$(BIN)/python -m consult.i18n.catalogs update
	$(BIN)/python -m consult.i18n.catalogs compile
	$(BIN)/python -m consult.i18n.catalogs check

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r consult -c pyproject.toml
	$(BIN)/python -m consult.i18n.catalogs extract --check
	$(BIN)/python -m consult.i18n.catalogs check

test: install browser-tools catalogs lint
	$(BIN)/python -m pytest

instance/config.py: | install
	$(BIN)/python -m consult.core.instance_setup

db: install instance/config.py
	$(LOCAL) $(FLASK) db upgrade

demo: db
	$(LOCAL) $(FLASK) load-demo

# Everything `make run` does before it serves; CI runs it before the suite (.ci/run), so the tests
# are proven not to depend on what it leaves in instance/.
setup: catalogs bytecode demo

run: setup
	# Plain http on the loopback address: cookies cannot be Secure here (see docs/decisions.md).
	CONSULT_SECURE_COOKIES=0 $(LOCAL) $(FLASK) run --host 127.0.0.1 --port 5000

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
	find translations -name '*.mo' -delete
