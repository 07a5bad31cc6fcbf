# gradviz — `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYINSTALLER := $(VENV)/bin/pyinstaller
LINT_PATHS := gradviz tests bench packaging/*.py

.PHONY: run test install lint bench bench-deps icons dist bundle bundle-check \
	install-desktop uninstall-desktop clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/gradviz

# Every test, slow ones included, headless.
test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/ruff format --check $(LINT_PATHS)
	$(VENV)/bin/mypy gradviz
	$(VENV)/bin/mypy --follow-imports=silent bench packaging/*.py
	$(PY) -m pytest -q tests/test_layers.py

# One table of every bench/bench_*.py; `make bench ONLY=engine` runs just those.
bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) bench/run.py $(ONLY)

# torch and jax for the engine comparisons (optional; about 1 GB).
bench-deps: $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,bench]'

# Re-render resources/icons/gradviz-*.png after editing gradviz.svg.
icons: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) packaging/make_icons.py

# Wheel and sdist in dist/ (they hold the examples and icons).
dist: $(STAMP)
	@$(PY) -c "import sys; from setuptools import build_meta as b; \
		w = b.build_wheel('dist'); s = b.build_sdist('dist'); \
		print(f'built dist/{w} and dist/{s}', file=sys.stderr)" > /dev/null

# Menu entry, icons, file type and AppStream data for this user (~/.local/share).
install-desktop: $(STAMP)
	$(PY) packaging/install_desktop.py

uninstall-desktop:
	$(PYTHON) packaging/install_desktop.py --uninstall

$(PYINSTALLER): $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,bundle]'

# One-folder application in dist/gradviz/ (PyInstaller).
bundle: $(PYINSTALLER)
	$(PYINSTALLER) --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
		packaging/gradviz.spec

# Build the bundle, then run it: report, export and a headless start of the window.
bundle-check: bundle
	$(PY) packaging/bundle_check.py dist/gradviz

clean:
	rm -rf build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
