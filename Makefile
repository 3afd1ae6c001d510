# The two commands of the README: `make serve` and `make test`. Each sets up what it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
ARGS ?=

.PHONY: setup serve test lint check-python

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "arrears needs Python 3.11 or newer: set PYTHON=/path/to/python3.11")'

$(STAMP): pyproject.toml | check-python
	@echo "Setting up $(VENV) (Python packages from PyPI) ..."
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

setup: $(STAMP)
	@scripts/ensure-fonts

serve: setup
	$(BIN)/arrears serve $(ARGS)

lint: setup
	$(BIN)/ruff check src tests
	$(BIN)/mypy

test: lint
	@scripts/ensure-chromium
	@scripts/ensure-postgres
	$(BIN)/python -m pytest $(ARGS)

# The benchmark (bench/README.md): installs wrk, localstripe and matplotlib when missing, then runs every
# scenario side by side. QUICK=1: a few seconds per scenario, growth at 10k instead of 1M invoices.
.PHONY: bench
bench: setup
	@bash bench/setup.sh
	@scripts/ensure-postgres
	$(BIN)/python -m bench.run $(if $(QUICK),--quick) $(BENCH_ARGS)
