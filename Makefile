# fzmediate — every set-up step lives here so that a fresh machine needs only `make run` or `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PO     := $(wildcard resources/locale/*/LC_MESSAGES/fzmediate.po)
MO     := $(PO:.po=.mo)

.PHONY: run test lint typecheck pytest bench soak locale extract sysdeps clean catalogue catalogue-zh-tw screenshots \
  dist deb nsis dist-test

run: $(STAMP) locale
	$(PY) main.py desk

test: sysdeps $(STAMP) locale lint typecheck pytest

sysdeps:
	@bash .ci/sysdeps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[gui,test,server]'
	@touch $@

locale: $(STAMP) $(MO)

%.mo: %.po
	$(VENV)/bin/pybabel -q compile -i $< -o $@

extract: $(STAMP)
	$(VENV)/bin/pybabel extract -F resources/locale/babel.cfg -k _ -k N_ -o resources/locale/fzmediate.pot \
	  --no-location --sort-output --project fzmediate fzmediate ui main.py
	$(VENV)/bin/pybabel update -i resources/locale/fzmediate.pot -d resources/locale -D fzmediate \
	  --no-fuzzy-matching --ignore-obsolete

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

# Tests run in parallel, one worker per CPU (PYTEST_WORKERS=0: all in this process; tests that must share a worker
# say so with xdist_group). The sync fault scenarios: 200 on PostgreSQL and a quick tier on SQLite; `make soak`
# runs 2,000 on PostgreSQL (FZ_SYNC_SCENARIOS, FZ_SYNC_SQLITE_SCENARIOS, FZ_SYNC_SEED: tests/sync/fault).
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist loadgroup

pytest: $(STAMP) locale
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest -q $(PYTEST_PARALLEL)

soak: sysdeps $(STAMP) locale
	FZMEDIATE_SOAK=1 FZ_SYNC_SCENARIOS=$${FZ_SYNC_SCENARIOS:-2000} QT_QPA_PLATFORM=offscreen \
	  $(VENV)/bin/pytest -q $(PYTEST_PARALLEL) -m soak

bench: $(STAMP) locale
	QT_QPA_PLATFORM=offscreen $(PY) -m bench

# Every main screen of the desk, offscreen, in zh_CN/zh_TW/en at 100 % and 175 % text: build/screenshots/*.png;
# then the kiosk's screens and every step of its application form in the three languages at 1920×1080 and
# 1280×1024 (tools/kiosk_screenshots.py, tools/kiosk_application_shots.py).
screenshots: $(STAMP) locale
	QT_QPA_PLATFORM=offscreen $(PY) -m tools.screenshots
	QT_QPA_PLATFORM=offscreen $(PY) -m tools.kiosk_screenshots
	QT_QPA_PLATFORM=offscreen $(PY) -m tools.kiosk_application_shots

# The district's publishing step: refresh procedures, validate, sign with FZMEDIATE_CATALOGUE_KEY (a path on the
# signing machine, never in this repository), then rebuild the Traditional Chinese display map.
catalogue: $(STAMP)
	$(PY) -m fzmediate.catalogue.publish
	$(MAKE) catalogue-zh-tw

catalogue-zh-tw: $(STAMP)
	$(PY) -m pip install -q -e '.[catalogue-build]'
	$(PY) -m fzmediate.catalogue.translate_build

# Installers (installer/README.md): the PyInstaller one-folder bundle in dist/fzmediate, the .deb built from it,
# the Windows installer script checked with makensis; `make dist-test` builds them and runs the tests marked
# `dist` (the bundle, the .deb, the NSIS script, the wheel), which `make test` leaves out.
DIST_STAMP := $(VENV)/.dist-installed

$(DIST_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install -q -e '.[dist]'
	@touch $@

dist: $(DIST_STAMP) locale
	$(VENV)/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
	  installer/fzmediate.spec

deb: dist
	$(PY) installer/deb/build_deb.py --bundle dist/fzmediate --out dist

nsis: $(STAMP)
	$(PY) installer/windows/check_nsis.py

dist-test: sysdeps deb
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest -q -m dist tests/packaging

clean:
	rm -rf $(VENV) build dist *.egg-info
