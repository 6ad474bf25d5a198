# Two commands do all the set-up on a fresh Debian machine with Python >= 3.11 and
# git, make, python3 and python3-venv (`apt-get install git make python3 python3-venv`):
#   make briefing   installs what is missing, then builds output/briefing.{pdf,docx,html}
#   make test       installs what is missing (test tools too), then runs the tests
# Both are quick when everything is already installed. Python packages are installed from
# the lock files (pinned, with hashes), so a new release elsewhere cannot change a build.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Chromium draws the charts (kaleido); Noto CJK sets Chinese; Noto Sans sets Latin text.
APT_RUNTIME := chromium fonts-noto-cjk fonts-noto-core
# LibreOffice opens the DOCX (Writer) and data.xlsx (Calc) in the tests; poppler-utils renders
# PDF pages for a look.
APT_TEST := libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils
QUIET := $(if $(CI),--quiet,)

# The Python packages come from two lock files, every one pinned with its hashes:
# requirements.lock for the briefing, requirements-dev.lock (the same pins plus the test
# tools) for the tests. pyproject.toml keeps ranges for anyone installing the package as a
# library. `make lock` refreshes both on purpose; `make drift` tests the newest allowed.
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
# Installed from the locks besides the project's own requirements: pip itself, and
# setuptools to install the project (without build isolation, which would fetch it unpinned).
LOCK_TOOLS := pip setuptools>=68
# Quoted for the shell: unquoted, `>=68` redirected printf into a file named `=68` and the
# locks lost pip and setuptools.
LOCK_TOOLS_QUOTED := $(foreach tool,$(LOCK_TOOLS),'$(tool)')
LOCK_UPGRADE ?= --upgrade
LOCK_FLAGS := --universal --python-version 3.11 --generate-hashes --no-emit-index-url \
  --no-emit-find-links --custom-compile-command "make lock" --quiet

.PHONY: briefing test setup setup-test bench golden schema reference-docx clean lock drift

briefing: setup
	$(BIN)/report build --strict $(QUIET)

test: setup-test
	$(BIN)/ruff check report tests
	$(BIN)/lint-imports
	$(BIN)/pytest -q -n 2 --dist loadgroup

bench: setup-test
	$(BIN)/python -m tests.bench

# Regenerate the golden Markdown after an intended change to the templates.
golden: setup-test
	UPDATE_GOLDEN=1 $(BIN)/pytest -q tests/test_compose.py

schema: setup
	$(BIN)/report schema > report/schema/case.schema.json

reference-docx: setup-test
	$(BIN)/python -m report.render.styles.reference_docx

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
$(VENV)/.runtime-installed: $(LOCK) pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "report needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1)"; exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
	  echo "$(PYTHON) cannot make a virtual environment: apt-get install python3-venv"; exit 1; }
	@if [ -e $(VENV) ] && ! $(BIN)/python -m pip --version >/dev/null 2>&1; then \
	  echo "$(VENV) is half-made (from an earlier failed attempt): making it again"; \
	  rm -rf $(VENV); \
	fi
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.test-installed: $(DEV_LOCK) $(VENV)/.runtime-installed
	$(BIN)/python -m pip install -q --require-hashes -r $(DEV_LOCK)
	touch $@

# Refresh the locks on purpose: the newest versions pyproject.toml allows, for Python 3.11
# and newer on every platform. `make lock LOCK_UPGRADE="--upgrade-package babel"` moves one
# package. Then `make test` and `make golden`, and read the diff of the golden file and of
# the documents (README, "Updating the locked versions").
lock: setup-test
	printf '%s\n' $(LOCK_TOOLS_QUOTED) | $(BIN)/uv pip compile pyproject.toml - $(LOCK_FLAGS) \
	  $(LOCK_UPGRADE) -o $(LOCK)
	printf '%s\n' $(LOCK_TOOLS_QUOTED) | $(BIN)/uv pip compile pyproject.toml - --extra dev \
	  -c $(LOCK) $(LOCK_FLAGS) $(LOCK_UPGRADE) -o $(DEV_LOCK)

# The tests against the newest versions pyproject.toml allows, in a venv of their own, so
# a new release that breaks something shows up by name, not as a red main (the scheduled
# workflow .github/workflows/drift.yml runs it weekly).
DRIFT_VENV := .venv-drift
drift: apt-runtime apt-test
	rm -rf $(DRIFT_VENV)
	$(PYTHON) -m venv $(DRIFT_VENV)
	$(DRIFT_VENV)/bin/python -m pip install -q --upgrade pip setuptools
	$(DRIFT_VENV)/bin/python -m pip install -q --upgrade --upgrade-strategy eager -e '.[dev]'
	$(DRIFT_VENV)/bin/python -m tests.drift $(DEV_LOCK)

clean:
	rm -rf output/briefing.* output/manifest.json figures/*.png .pytest_cache
