# Two commands a user needs: `make demo` and `make test`.
# Each creates .venv and installs the package on first use; later runs reuse it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,compat,serve,cluster]'
	@# the fastText tool is built from source (no wheel): its tests skip if it cannot be
	$(BIN)/python -m pip install --quiet 'fasttext>=0.9.2' || \
	  echo "the fasttext package could not be built: its comparison tests will skip"
	@# compile the kernels of the default shape (100) and the demo's (50) now, so that
	@# the first run does not wait for them
	$(BIN)/wordvec warmup --size 50,100 || echo "the kernels will be compiled by the first run instead"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/wordvec demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools

# The browser tests of `wordvec serve` drive Debian's Chromium: install it when we are root
# with apt and it is missing. Never fails: without it those tests skip (or fail under CI).
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium and chromium-driver for the browser tests (apt-get)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      chromium chromium-driver) >/dev/null 2>&1 || \
	      echo "could not install chromium: the browser tests will skip"; \
	  else echo "chromium is not installed: the browser tests will skip"; fi; \
	fi

test: lint browser
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python bench/speed.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
