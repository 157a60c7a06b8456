# topicsite: `make build` sets up and builds the sample site into output/; `make serve` previews it;
# `make check` checks it; `make test` runs every test; `make bench` compares build times with Hugo and Pelican.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SETUP_STAMP := $(VENV)/.setup-done

.PHONY: setup build serve check test bench clean

setup: $(SETUP_STAMP)

$(SETUP_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

build: setup
	$(BIN)/topicsite build .

serve: setup
	$(BIN)/topicsite serve .

check: setup
	$(BIN)/topicsite check .

test: setup
	$(BIN)/python -m pytest -q

# Not part of `make test`: minutes of builds. Writes docs/benchmarks.md. Hugo and Pelican are measured when installed.
bench: setup
	$(BIN)/python bench/run.py --n 10000

clean:
	rm -rf $(VENV) output .cache .output.* build dist *.egg-info .pytest_cache .mypy_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
