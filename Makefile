# notes-kg: two commands on a fresh machine, `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
STORE  ?= .kg-store
PORT   ?= 8501

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: setup run store test test-fast lint format bench bench-quality bench-scale train screenshots browser-deps virtuoso-deps clean

## setup: create .venv and install the project (editable) with its test and dev extras; quick when nothing changed
setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -e ".[test,dev]"
	touch $(STAMP)

## store: build the store from the bundled notes (skipped when it is up to date)
store: setup
	$(BIN)/kg ingest --store $(STORE) --if-changed

## run: set up, build the store from the bundled notes, open the app on http://127.0.0.1:$(PORT)
run: store
	$(BIN)/kg app --store $(STORE) --port $(PORT)

## browser-deps: Debian's Chromium for the real-browser tests (never `playwright install`)
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## virtuoso-deps: Debian's OpenLink Virtuoso for the remote-graph tests; when it cannot be installed they are skipped
virtuoso-deps:
	@command -v virtuoso-t >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  { $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -qq virtuoso-opensource >/dev/null; } \
	  || echo "virtuoso-opensource could not be installed: the Virtuoso tests will be skipped"; }

## test: set up, install the browser and Virtuoso, run the whole suite (slow, browser and server tests included)
test: setup browser-deps virtuoso-deps
	$(BIN)/python -m pytest -q

## test-fast: the suite without slow, browser and server tests
test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow and not browser and not server"

## lint: ruff (lint and format check) and mypy
lint: setup
	$(BIN)/ruff check kg ingest ontology app tests benchmarks
	$(BIN)/ruff format --check kg ingest ontology app tests benchmarks
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format kg ingest ontology app tests benchmarks
	$(BIN)/ruff check --fix kg ingest ontology app tests benchmarks

## bench: speed and quality figures (benchmarks/)
bench: setup
	$(BIN)/python -m benchmarks

## train: fit the relation check from hand-checked relations, then the answer path's models from the tune question sets (on graphs built with that check), into kg/models (deterministic)
train: setup
	$(BIN)/python -m kg.learn.relations
	$(BIN)/python -m kg.learn

## bench-scale: ingest and answer at 1x, 3x and 10x the project's real notes, embedded and on oxigraph serve (not in `make test`; long)
bench-scale: setup
	$(BIN)/python -m benchmarks.scale 1 3 10 --remote

## bench-quality: answer quality per corpus, tune and unseen apart, leave-one-corpus-out (after `make train`)
bench-quality: setup
	$(BIN)/python -m benchmarks.quality --baseline

## screenshots: one screenshot per app page into docs/screenshots/
screenshots: store browser-deps
	$(BIN)/python -m benchmarks.screenshots --store $(STORE)

clean:
	rm -rf $(STORE) .pytest_cache .mypy_cache .ruff_cache
