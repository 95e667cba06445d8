# fzmediate — every set-up step lives here so that a fresh machine needs only `make run` or `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PO     := $(wildcard resources/locale/*/LC_MESSAGES/fzmediate.po)
MO     := $(PO:.po=.mo)

.PHONY: run test lint typecheck pytest bench soak locale extract sysdeps clean catalogue catalogue-zh-tw screenshots

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

pytest: $(STAMP) locale
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest -q

soak: sysdeps $(STAMP) locale
	FZMEDIATE_SOAK=1 FZ_SYNC_SCENARIOS=$${FZ_SYNC_SCENARIOS:-400} QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest -q -m soak

bench: $(STAMP) locale
	QT_QPA_PLATFORM=offscreen $(PY) -m bench

# Every main screen of the desk, offscreen, in zh_CN/zh_TW/en at 100 % and 175 % text: build/screenshots/*.png.
screenshots: $(STAMP) locale
	QT_QPA_PLATFORM=offscreen $(PY) -m tools.screenshots

# The district's publishing step: refresh procedures, validate, sign with FZMEDIATE_CATALOGUE_KEY (a path on the
# signing machine, never in this repository), then rebuild the Traditional Chinese display map.
catalogue: $(STAMP)
	$(PY) -m fzmediate.catalogue.publish
	$(MAKE) catalogue-zh-tw

catalogue-zh-tw: $(STAMP)
	$(PY) -m pip install -q -e '.[catalogue-build]'
	$(PY) -m fzmediate.catalogue.translate_build

clean:
	rm -rf $(VENV) build dist *.egg-info
