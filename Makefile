# The two front-door commands (see README.md): `make run` and `make test`.
PYTHON ?= python3
VENV := .venv

$(VENV)/.installed: requirements/base.txt requirements/prod.txt requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements/dev.txt
	touch $@

.PHONY: run test lint
run: $(VENV)/.installed
	$(VENV)/bin/python manage.py rundev

# Parallel: one worker per core (pytest-xdist), a test module's tests on one worker.
test: $(VENV)/.installed
	$(VENV)/bin/python -m pytest -n auto --dist loadfile

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
