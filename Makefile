# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test bench install

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(INSTALLED)

# Install, migrate, load the demo data into an empty database, serve on :5000,
# and send due visit reminders beside the server (stopped when the server stops).
run: $(INSTALLED)
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app seed-demo --if-empty
	$(BIN)/flask --app app reminders run & reminders=$$!; \
	trap 'kill $$reminders 2>/dev/null; wait $$reminders 2>/dev/null' EXIT; \
	trap 'exit 130' INT; trap 'exit 143' TERM; \
	$(BIN)/flask --app app run --host 127.0.0.1 --port 5000

# Every test. Set TEST_DATABASE_URL to run the database tests on PostgreSQL too.
test: $(INSTALLED)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks (not tests): prints figures, see README. Lighthouse comes from
# bench/package-lock.json (no browser is downloaded: Debian's Chromium is used).
bench: $(INSTALLED)
	if [ -f bench/package-lock.json ]; then npm ci --prefix bench --no-audit --no-fund; \
	else npm install --prefix bench --no-audit --no-fund; fi
	$(BIN)/python -m bench
