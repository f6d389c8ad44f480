# The two commands of the README: `make demo` and `make test`. Both create .venv if needed.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean catalogues

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/jcg demo

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/python -m pytest

bench: $(STAMP)
	$(VENV)/bin/python bench/append.py

clean:
	rm -rf $(VENV) jcg-demo.sqlite*

# gettext catalogues (docs/i18n.md): extract + update the .po, compile the shipped .mo, check.
catalogues: $(STAMP)
	$(VENV)/bin/python -m i18n.catalogue all
