# Two commands for a newcomer: `make run` (demo at http://127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint typecheck check messages translations lock clean-db

run: $(STAMP)
	$(BIN)/borneliv serve

# Runs on SQLite by default; set DATABASE_URL=postgres://… to run the same suite on PostgreSQL.
# One worker per core (pytest-xdist; each has its own test database, test_<name>_gw0… on
# PostgreSQL). `--dist load` hands out tests in collection order, so on every worker the
# transactional tests (which flush the tables) still run after the others, as pytest-django
# orders them. PYTEST_ARGS replaces the options: `make test PYTEST_ARGS="-n 0 -x"` runs serially.
PYTEST_ARGS ?= -n auto --dist load
test: $(STAMP)
	$(BIN)/borneliv init-local --quiet
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy's Django plugin imports the settings, which need the local secrets on a fresh clone.
typecheck: $(STAMP)
	$(BIN)/borneliv init-local --quiet
	$(BIN)/mypy borneliv

check: lint typecheck test

# The environment, from the pinned lock file; rebuilt when the lock or pyproject changes.
$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed")'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Extract UI strings and compile translations (needs GNU gettext); the .mo files are committed.
messages: $(STAMP)
	cd borneliv && ../$(BIN)/django-admin makemessages -l da -l en --no-obsolete --ignore 'static/vendor/*'
	cd borneliv && ../$(BIN)/django-admin compilemessages

# Extract, fill Danish translations from a JSON file ({"msgid": "msgstr"}; see scripts/po_fill.py)
# and compile, under a lock so that parallel work never overwrites the catalogue.
translations: $(STAMP)
	mkdir -p var
	flock var/.messages.lock sh -c '$(MAKE) --no-print-directory messages >/dev/null && \
	  $(BIN)/python scripts/po_fill.py da $(FILE) && \
	  cd borneliv && ../$(BIN)/django-admin compilemessages >/dev/null'

# Re-pin dependencies after editing pyproject.toml.
lock:
	$(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean-db:
	rm -f var/borneliv.sqlite3 var/borneliv.sqlite3-wal var/borneliv.sqlite3-shm

# Benchmarks (never part of `make test`): the schedule engine against its per-child peer, the growth
# engine against pedgrowth and rcpchgrowth, growth end to end (import 100,000 school-start rows,
# recompute, prevalence by area × year, on a fresh temporary SQLite file), the Nærhedscirkel
# engine and poster against the equivalent OSMnx pipeline (Østerbro and a synthetic 15 × 15 km
# municipality, both as OSM XML, ~3 minutes), then the
# worklist on a 600,000-child registry in PostgreSQL (database borneliv_bench on 127.0.0.1:5432,
# built once with COPY in a few minutes, reused afterwards; BENCH_ARGS=--rebuild reloads it).
.PHONY: bench
bench: $(STAMP)
	@if ! pg_isready -h 127.0.0.1 -p 5432 -q; then \
	  pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql | head -1)" main start; \
	  for _ in $$(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done; \
	fi
	$(BIN)/python benchmarks/bench_schedule_engine.py
	$(BIN)/python benchmarks/bench_growth.py
	$(BIN)/python benchmarks/bench_growth_import.py
	$(BIN)/python benchmarks/bench_nearby.py
	$(BIN)/python benchmarks/bench_worklist.py $(BENCH_ARGS)
