# Two entry points: `make run` (install, build the index from seeds/, serve the chat page)
# and `make test` (install with test tools, lint, run the whole suite). Both reuse .venv/.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
# The CPU build of torch must come in before sentence-transformers, or pip picks a CUDA one.
TORCH_SPEC ?= torch==2.13.0

.PHONY: run test install install-test browser lint

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.torch: | $(PY)
	$(PIP) install "$(TORCH_SPEC)"
	touch $@

$(VENV)/.installed: pyproject.toml $(VENV)/.torch
	$(PIP) install -e ".[fast]"
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) install -e ".[fast,test]"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test browser

# Debian's chromium drives the browser tests; playwright never downloads a browser of its own.
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

run: install
	$(VENV)/bin/qa build
	$(VENV)/bin/qa serve

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: install-test lint
	$(VENV)/bin/pytest
