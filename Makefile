# Two commands: `make demo` sets up and traces the bundled example; `make test` sets up and runs
# the tests. Both are idempotent.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NPM := npm ci --no-audit --no-fund --loglevel=error

.PHONY: setup demo test lint bench clean

setup: $(VENV)/.installed node_shim/node_modules/.installed examples/node_modules/.installed examples/express4/node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

%/node_modules/.installed: %/package.json %/package-lock.json
	cd $* && $(NPM)
	touch $@

# PORT=0: the examples listen where $PORT says; 0 lets the system pick a free port, and the
# shim tells jitflux which one.
demo: setup
	PORT=0 $(BIN)/jitflux trace --requests examples/paper-counter/requests.txt \
		-o examples/paper-counter/trace.json -- node examples/paper-counter/server.js
	$(BIN)/jitflux emit --from examples/paper-counter/trace.json
	$(BIN)/jitflux explain --from examples/paper-counter/trace.json
	PORT=0 $(BIN)/jitflux trace --requests examples/paper-gifsockets/requests.txt \
		-o examples/paper-gifsockets/trace.json -- node examples/paper-gifsockets/server.js
	$(BIN)/jitflux emit --from examples/paper-gifsockets/trace.json
	$(BIN)/jitflux explain --from examples/paper-gifsockets/trace.json anonymous_12

test: setup
	$(BIN)/ruff check jitflux tests bench
	node --test node_shim/test/
	$(BIN)/pytest

bench: setup bench/node_modules/.installed
	$(BIN)/python bench/overhead.py
	$(BIN)/python bench/scale.py

clean:
	rm -rf $(VENV) node_shim/node_modules examples/node_modules examples/express4/node_modules
