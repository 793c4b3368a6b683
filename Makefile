# e-surat: `make demo` starts the service on the embedded database; `make test` runs every test.
# Both do all set-up on a fresh machine (virtualenv, Python packages, Debian packages).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
RUN_STAMP := $(VENV)/.installed-run-stamp
APT_STAMP := $(VENV)/.apt-stamp
# pytest-xdist: most of the run waits (service restarts, leases, timeouts), so 4 workers on 2 cores; the
# longest tests start first (tests/conftest.py). PYTEST_PARALLEL= runs everything in one process.
PYTEST_PARALLEL ?= -n 4 --dist load --maxschedchunk 1
# pytest keeps its compiled test modules (assertion rewriting) and the project's bytecode in __pycache__ even
# where PYTHONDONTWRITEBYTECODE=1 is set (CI images): otherwise every worker and every service subprocess parses
# and compiles them again (about 3.8 CPU-s per pytest process at collection, measured on 2 cores).
PYTEST_ENV := PYTHONDONTWRITEBYTECODE=
APT_PACKAGES := chromium fonts-dejavu-core
BENCH_APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 wrk

.PHONY: demo test bench lint install system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# What the service itself needs (make demo); the test tools come with $(STAMP).
$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

install: $(STAMP)

# Debian packages for the browser test (and the fonts Chromium renders with).
$(APT_STAMP): | $(BIN)/python
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(APT_PACKAGES); \
	  else sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(APT_PACKAGES); fi; \
	fi
	touch $@

system-deps: $(APT_STAMP)

demo: $(RUN_STAMP)
	$(BIN)/esurat demo

lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP) $(APT_STAMP)
	$(BIN)/ruff check .
	@# mypy runs beside pytest (much of pytest's time is waiting on restarts and timeouts); both must pass.
	@echo "$(BIN)/mypy (beside pytest; its report follows the tests)"; \
	$(BIN)/mypy > $(VENV)/mypy.log 2>&1 & mypy=$$!; \
	echo "$(BIN)/pytest -q -p no:cacheprovider $(PYTEST_PARALLEL)"; \
	$(PYTEST_ENV) $(BIN)/pytest -q -p no:cacheprovider $(PYTEST_PARALLEL); tests=$$?; \
	wait $$mypy; types=$$?; echo "mypy:"; cat $(VENV)/mypy.log; \
	[ $$tests -eq 0 ] && [ $$types -eq 0 ]

bench: $(STAMP)
	@if ! ldconfig -p | grep -q libpango-1.0 || ! command -v wrk >/dev/null; then \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(BENCH_APT_PACKAGES); fi
	$(BIN)/pip install -q -e '.[test,bench]'
	@failed=""; for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || failed="$$failed $$b"; done; \
	if [ -n "$$failed" ]; then echo "failed or missed a target:$$failed"; exit 1; fi

clean:
	rm -rf $(VENV) var .pytest_cache
