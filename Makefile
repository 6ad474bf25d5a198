# Two commands do all the set-up on a fresh Debian machine with Python >= 3.11 and
# git, make, python3 and python3-venv (`apt-get install git make python3 python3-venv`):
#   make briefing   installs what is missing, then builds output/briefing.{pdf,docx,html}
#   make test       installs what is missing (test tools too), then runs the tests
# Both are quick when everything is already installed.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Chromium draws the charts (kaleido); Noto CJK sets Chinese; Noto Sans sets Latin text.
APT_RUNTIME := chromium fonts-noto-cjk fonts-noto-core
# LibreOffice opens the DOCX in the tests; poppler-utils renders PDF pages for a look.
APT_TEST := libreoffice-writer-nogui poppler-utils
QUIET := $(if $(CI),--quiet,)

.PHONY: briefing test setup setup-test bench golden schema reference-docx clean

briefing: setup
	$(BIN)/report build --strict $(QUIET)

test: setup-test
	$(BIN)/ruff check report tests
	$(BIN)/pytest -q -n 2 --dist loadgroup

bench: setup-test
	$(BIN)/python -m tests.bench

# Regenerate the golden Markdown after an intended change to the templates.
golden: setup-test
	UPDATE_GOLDEN=1 $(BIN)/pytest -q tests/test_compose.py

schema: setup
	$(BIN)/report schema > report/schema/case.schema.json

reference-docx: setup-test
	$(BIN)/python -m report.styles.reference_docx

setup: $(VENV)/.runtime-installed apt-runtime
setup-test: $(VENV)/.test-installed apt-runtime apt-test

# apt-get runs only when a package is missing. Its download (about 400 MB on a bare
# machine: Chromium, the CJK fonts, LibreOffice) prints a line per package as it comes.
define apt_ensure
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
	  | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages (a large download on a bare machine):" $$missing; \
	  $(SUDO) apt-get update && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -o Dpkg::Use-Pty=0 $$missing; \
	fi
endef

.PHONY: apt-runtime apt-test
apt-runtime:
	$(call apt_ensure,$(APT_RUNTIME))
apt-test:
	$(call apt_ensure,$(APT_TEST))

# A .venv left half-made by an earlier failed attempt (python3-venv missing: no pip in it,
# or a Python that no longer runs) is removed and made again.
$(VENV)/.runtime-installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "report needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1)"; exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
	  echo "$(PYTHON) cannot make a virtual environment: apt-get install python3-venv"; exit 1; }
	@if [ -e $(VENV) ] && ! $(BIN)/python -m pip --version >/dev/null 2>&1; then \
	  echo "$(VENV) is half-made (from an earlier failed attempt): making it again"; \
	  rm -rf $(VENV); \
	fi
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	$(BIN)/python -m report.vendor  # the partial plotly.js bundle for the HTML page
	touch $@

$(VENV)/.test-installed: pyproject.toml $(VENV)/.runtime-installed
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

clean:
	rm -rf output/briefing.* output/manifest.json figures/*.png .pytest_cache
