# `make run` and `make test` do all the set-up on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup db run test lint demo bench clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

setup: $(STAMP)

db: setup
	$(BIN)/python -m hall_server init-db

run: db
	$(BIN)/python -m hall_server run --host $(HOST) --port $(PORT)

# the demo drives its own database (var/demo.db), never the live one
demo: setup
	$(BIN)/python -m hall_server demo

test: setup
	$(BIN)/python -m ruff check hall_server tests bench
	$(BIN)/python -m pytest -n 2 --dist loadgroup --timeout 300

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var
