# Two commands: `make demo` sets up and traces the bundled example; `make test` sets up and runs
# the tests. Both are idempotent.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NPM := npm ci --no-audit --no-fund --loglevel=error

.PHONY: setup chromium demo test lint bench wheel clean corpus transparency

# The corpus (corpus/README.md): real npm apps, each with its own locked npm folder. The few that
# tests/corpus/ runs are installed by setup; `make corpus` and `make transparency` install all.
CORPUS_APPS := $(patsubst %/app.json,%,$(wildcard corpus/*/app.json))
CORPUS_TESTED := corpus/plain-http corpus/koa-router corpus/gifsockets-server corpus/fastify-standard \
	corpus/express5-lowdb \
	corpus/esm-express
APPS := tests/apps/frameworks
# eslint for the shim: its own npm folder, for development only (the wheel ships node_shim/).
LINT := tools/lint
ESLINT := $(LINT)/node_modules/.bin/eslint

setup: $(VENV)/.installed node_shim/node_modules/.installed examples/node_modules/.installed examples/express4/node_modules/.installed \
	jitflux/report/assets/node_modules/.installed $(CORPUS_TESTED:%=%/node_modules/.installed) \
	$(APPS:%=%/node_modules/.installed) $(LINT)/node_modules/.installed chromium

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

%/node_modules/.installed: %/package.json %/package-lock.json
	cd $* && $(NPM)
	@mkdir -p $(@D)  # an app without dependencies gets no node_modules from npm
	touch $@

# The report's browser tests drive Debian's Chromium: installed when setup runs as root with
# apt-get; elsewhere those tests are skipped and say why.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
			>/dev/null 2>&1 || echo "note: chromium could not be installed: browser tests will skip"; \
	else \
		echo "note: no chromium (as root, make setup installs Debian's): browser tests will skip"; \
	fi

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

lint: setup
	$(BIN)/ruff check jitflux tests bench corpus
	$(ESLINT) node_shim eslint.config.js

test: lint
	node --test node_shim/test/
	$(BIN)/pytest

# Every corpus app untraced and traced (with and without --include), answers compared byte for
# byte, then its verdict expectations; `transparency` compares answers only. Slow: not in test.
corpus: setup $(CORPUS_APPS:%=%/node_modules/.installed)
	$(BIN)/python corpus/run.py

transparency: setup $(CORPUS_APPS:%=%/node_modules/.installed)
	$(BIN)/python corpus/run.py --transparency

bench: setup bench/node_modules/.installed
	$(BIN)/python bench/overhead.py
	$(BIN)/python bench/scale.py

# A wheel that traces wherever it is installed: it carries node_shim/ and its npm dependencies.
wheel: setup
	$(BIN)/pip wheel --quiet --no-deps -w dist .

clean:
	rm -rf $(VENV) node_shim/node_modules examples/node_modules examples/express4/node_modules \
		jitflux/report/assets/node_modules $(CORPUS_APPS:%=%/node_modules) $(APPS:%=%/node_modules) \
		$(LINT)/node_modules
