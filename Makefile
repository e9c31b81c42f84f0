# `make run` and `make test` do all the set-up on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
# the pages' front-end packages (package-lock.json), installed again when the lock changes
NPM_STAMP := node_modules/.installed-$(shell cksum < package-lock.json | cut -d' ' -f1)
# the pages' translation catalogues, one per package, compiled when a .po changes. Babel
# calls Chinese of China zh_Hans_CN and Flask-Babel loads the catalogue of that name; the
# source keeps the name translators know, zh_CN, and compiles to where Babel looks.
PO_FILES := $(wildcard $(addsuffix /translations/*/LC_MESSAGES/messages.po,hall_server kiosk display))
MO_FILES := $(subst /zh_CN/,/zh_Hans_CN/,$(PO_FILES:.po=.mo))
# real footage for the demo hall's camera and the people-counting tests: vtest.avi (and its
# licence) from Debian's opencv-doc, fetched once (apt-get download needs no root)
FOOTAGE := var/cameras/vtest.avi
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup db run test lint demo bench messages clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

$(NPM_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "Node.js 20 and npm are needed (e.g. apt-get install nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

%/zh_Hans_CN/LC_MESSAGES/messages.mo: %/zh_CN/LC_MESSAGES/messages.po $(STAMP)
	@mkdir -p $(@D)
	$(BIN)/pybabel -q compile -i $< -o $@

%.mo: %.po $(STAMP)
	$(BIN)/pybabel -q compile -i $< -o $@

$(FOOTAGE):
	@mkdir -p $(@D)
	@tmp=$$(mktemp -d) && cd $$tmp && \
	{ apt-get download -qq opencv-doc 2>/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get download -qq opencv-doc; }; } && \
	dpkg-deb --fsys-tarfile opencv-doc_*.deb | tar -x ./usr/share/doc/opencv-doc/examples/data/vtest.avi ./usr/share/doc/opencv-doc/copyright && \
	cp usr/share/doc/opencv-doc/copyright $(CURDIR)/$(@D)/vtest-copyright.txt && \
	mv usr/share/doc/opencv-doc/examples/data/vtest.avi $(CURDIR)/$@ && cd / && rm -rf $$tmp \
	|| { echo "could not fetch $@ from Debian's opencv-doc (apt-get download opencv-doc)"; rm -rf $$tmp; exit 1; }

setup: $(STAMP) $(NPM_STAMP) $(MO_FILES) $(FOOTAGE)

# after changing the text of a page: gather each package's msgids into its catalogues,
# then translate what is new (an empty msgstr) in the zh_CN .po
messages: setup
	for dir in $(sort $(dir $(PO_FILES:%/LC_MESSAGES/messages.po=%))); do dir=$${dir%/translations/}; \
	  $(BIN)/pybabel -q extract -F babel.cfg --no-location --project hall-server -o $$dir/translations/messages.pot $$dir && \
	  $(BIN)/pybabel -q update -i $$dir/translations/messages.pot -d $$dir/translations --ignore-obsolete \
	    --no-fuzzy-matching -w 100 && \
	  rm $$dir/translations/messages.pot || exit 1; \
	done

db: setup
	$(BIN)/python -m hall_server init-db

run: db
	$(BIN)/python -m hall_server run --host $(HOST) --port $(PORT)

# the demo drives its own database (var/demo.db), never the live one, and serves it at
# HOST:PORT meanwhile, so the pages opened from its start page follow the simulated day (while
# the hall is open: the rest of today's customers, in real time)
demo: setup
	$(BIN)/python -m hall_server demo --serve --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/python -m ruff check hall_server tests bench devices kiosk display
	$(BIN)/python -m pytest -n 2 --dist loadgroup --timeout 300

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var node_modules
