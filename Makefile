# The two commands of README.md: `make demo` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: setup demo test lint typecheck check bench clean mutation

setup:
	@scripts/bootstrap.sh

# make demo FRESH=1: start from the demo data again; make demo STAY=1: keep the simulators
# running (the demo prints the environment that reaches its cards, journal and clearing)
demo: setup
	@$(PY) -m demo $(if $(FRESH),--fresh) $(if $(STAY),--stay)

test: setup
	@scripts/run-tests.sh

lint: setup
	@$(VENV)/bin/ruff check .

typecheck: setup
	@$(VENV)/bin/mypy kiosk cardsvc drivers simulators config backoffice bench demo

check: lint typecheck test

# The mutation check of recovery and the money-critical decision points (issue 15): minutes,
# not part of `make test`. Exit 1 when a mutant survives that bench/mutation/targets.py does
# not explain.
mutation: setup
	@$(PY) -m bench.mutation

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
