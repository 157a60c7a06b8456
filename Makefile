# topicsite: `make build` sets up and builds the sample site into output/; `make serve` previews it;
# `make check` checks it; `make test` runs every test; `make bench` compares build times with Hugo and Pelican.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SETUP_STAMP := $(VENV)/.setup-done
NPM_STAMP := node_modules/.npm-ci-done
USWDS_STAMP := generator/static/uswds/.vendored
# apt-get as root, through sudo otherwise (CI runs as root).
APT := $(shell [ "$$(id -u)" = 0 ] && echo apt-get || echo sudo apt-get)

.PHONY: setup assets browser-deps bench-deps build serve check test screenshots bench clean

setup: $(SETUP_STAMP)

# npm: USWDS (the theme), axe-core and vnu-jar (the checks). --ignore-scripts: vnu-jar's
# postinstall would download a Java runtime; the tests use the system's java instead.
$(NPM_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# Copy only the USWDS files the pages use into the package's static assets.
assets: $(USWDS_STAMP)
$(USWDS_STAMP): $(NPM_STAMP) scripts/vendor_uswds.py
	$(PYTHON) scripts/vendor_uswds.py

$(SETUP_STAMP): pyproject.toml hatch_build.py $(USWDS_STAMP)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Debian's Chromium (driven by Playwright, never downloaded by it) and a Java runtime for vnu.jar.
browser-deps:
	@command -v chromium >/dev/null || { $(APT) install -y chromium || { $(APT) update && $(APT) install -y chromium; }; }
	@command -v java >/dev/null || { $(APT) install -y default-jre-headless || { $(APT) update && $(APT) install -y default-jre-headless; }; }

build: setup
	$(BIN)/topicsite build .

serve: setup
	$(BIN)/topicsite serve .

check: setup
	$(BIN)/topicsite check .

test: setup browser-deps
	$(BIN)/python -m pytest -q

screenshots: setup browser-deps
	$(BIN)/python scripts/screenshots.py

# Not part of `make test`: minutes of builds. Writes docs/benchmarks.md. Hugo and Pelican are measured when installed.
bench: setup bench-deps
	$(BIN)/python bench/run.py --n 10000

# The peers the benchmark measures: Hugo from Debian, Pelican from PyPI in a virtualenv of its own.
bench-deps:
	@command -v hugo >/dev/null || { $(APT) install -y hugo || { $(APT) update && $(APT) install -y hugo; }; }
	@[ -x bench/work/venv-pelican/bin/pelican ] || { $(PYTHON) -m venv bench/work/venv-pelican && bench/work/venv-pelican/bin/pip install --quiet pelican markdown; }

clean:
	rm -rf $(VENV) output .cache .output.* build dist *.egg-info .pytest_cache .mypy_cache .hypothesis node_modules generator/static/uswds
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
