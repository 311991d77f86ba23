# CallDeck: `make run` launches the app, `make test` runs the whole suite;
# `make package` builds the desktop bundle and the .deb, `make package-test` proves them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PACKAGE_STAMP := $(VENV)/.installed-package

.PHONY: setup run demo test lint bench package-tools package package-test clean

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/install-system-deps.sh
	@bash scripts/install-system-deps.sh
	@$(PYTHON) -c 'import sys; sys.exit("CallDeck needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: setup
	$(BIN)/calldeck

demo: setup
	$(BIN)/calldeck demo

test: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/ruff check .
	QT_QPA_PLATFORM=offscreen $(BIN)/lint-imports
	# Three workers on two cores: much of the suite waits on sockets and subprocesses.
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n 3

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

bench: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m benchmarks

# PyInstaller is a build tool, not a runtime dependency: the `package` extra. It reads shared
# libraries with binutils (readelf, strip); dpkg-dev's dpkg-deb builds the .deb.
package-tools: $(PACKAGE_STAMP)

$(PACKAGE_STAMP): $(STAMP)
	@bash scripts/install-system-deps.sh binutils dpkg-dev
	$(BIN)/python -m pip install --quiet -e '.[test,package]'
	@touch $(PACKAGE_STAMP)

package: package-tools
	bash packaging/build.sh

package-test: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python packaging/package_test.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
