# make run  - create .venv, install, build the seed graph and its HTML, say where they are
# make test - create .venv, install the test dependencies (and Chromium for the browser tests), run the suite

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STORE ?= out

.PHONY: run test install install-test browser servers bench bench-html fuzz load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Debian's Chromium for the browser tests (Playwright's own browser download cannot work offline).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }
	@command -v chromium >/dev/null 2>&1 && echo "chromium: $$(command -v chromium)"

# The SPARQL servers the remote-store tests and the benchmark start on 127.0.0.1: Oxigraph's server comes with
# the test extra (PyPI `oxigraph`); Virtuoso is Debian's virtuoso-opensource-7-bin (scripts/virtuoso/virtuoso.ini).
servers: install-test
	@command -v virtuoso-t >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource-7-bin >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource-7-bin >/dev/null; fi; }
	@command -v virtuoso-t >/dev/null 2>&1 && echo "virtuoso: $$(command -v virtuoso-t)"
	@test -x $(BIN)/oxigraph && echo "oxigraph: $(BIN)/oxigraph"

run: install
	$(BIN)/kg build --store $(STORE)
	$(BIN)/kg docs -o $(STORE)/docs
	@echo
	@echo "The graph:      $(STORE)/graph.trig  (TriG, one named graph per article)"
	@echo "The HTML graph: $(STORE)/graph.html  (open it in a browser; works offline)"
	@echo "The ontology:   $(STORE)/docs/index.html  (classes, properties, doctrines, extensions; works offline)"
	@echo "Ask it:         $(BIN)/kg query --list"

test: install-test browser servers
	$(BIN)/python -m pytest -q

# The store against pyoxigraph's bulk loader, per store kind; README "Performance" has the 1M-triple figures
# (`$(BIN)/python scripts/bench.py --size 1000000`, about an hour on 2 cores).
bench: install-test servers
	$(BIN)/python scripts/bench.py --size 50000

# graph.html at 1k, 5k and 20k nodes: generation and page-load time (scipy only for the spring_layout baseline)
bench-html: install-test browser
	$(BIN)/python -m pip install --quiet scipy
	$(BIN)/python scripts/bench_html.py

# README "Reliability": fuzzing with fresh random inputs (CI runs a fixed set), and kg serve under 1, 8 and 32 clients
fuzz: install-test
	KG_FUZZ_EXAMPLES=$${KG_FUZZ_EXAMPLES:-3000} KG_FUZZ_SEED=random $(BIN)/python -m pytest -q -p no:cacheprovider \
	  tests/test_fuzz_loader.py --hypothesis-show-statistics

load: install
	$(BIN)/python scripts/load.py --clients 1,8,32 --requests 400

clean:
	rm -rf $(STORE) .pytest_cache tests/artifacts
