# The two front-door commands (see README.md): `make run` and `make test`.
PYTHON ?= python3
VENV := .venv

$(VENV)/.installed: requirements/base.txt requirements/prod.txt requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements/dev.txt
	touch $@

.PHONY: run test lint bench schemathesis
run: $(VENV)/.installed
	$(VENV)/bin/python manage.py rundev

# Parallel: one worker per core (pytest-xdist), a test module's tests on one worker.
test: $(VENV)/.installed
	$(VENV)/bin/python -m pytest -n auto --dist loadfile

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The project under load beside its raw-pymongo floors (bench/README in README.md,
# "Performance"); flags: make bench ARGS="--jobs 20000 --batches 200 --only cancel".
bench: $(VENV)/.installed
	@command -v wrk >/dev/null || { echo "make bench drives the server with wrk: sudo apt-get install wrk (Debian/Ubuntu), brew install wrk (macOS)"; exit 1; }
	$(VENV)/bin/python -m bench.run $(ARGS)

# schemathesis --checks all over every operation of a live development server
# (README, "Tests"); flags: make schemathesis ARGS="--include-path-regex accounts".
schemathesis: $(VENV)/.installed
	bench/schemathesis.sh $(ARGS)
