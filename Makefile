# empathy — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Compile the translation catalogs when GNU gettext is here; without it the committed .mo files serve.
COMPILEMESSAGES = command -v msgfmt >/dev/null && $(PY) manage.py compilemessages --ignore=$(VENV) -v0 || true

.PHONY: run test test-fast bench lint fmt worker beat migrate demo clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

## run: zero-setup server on SQLite with eager Celery and console email, demo data loaded
run: $(VENV)/.runtime
	@$(COMPILEMESSAGES)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo
	@echo ""
	@echo "  empathy is running at http://127.0.0.1:$(PORT)/  (Ctrl+C to stop)"
	@echo ""
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## test: the whole suite. Uses DATABASE_URL and REDIS_URL when set, SQLite otherwise.
## The browser tests run in a session of their own: Playwright's event loop must not meet
## state left by the in-process SMTP and Celery tests.
test: $(VENV)/.dev
	@$(COMPILEMESSAGES)
	$(PY) -m pytest -m "not browser" $(PYTEST_ARGS)
	$(PY) -m pytest -m browser $(PYTEST_ARGS)

## test-fast: skip the browser tests while developing (CI always runs them)
test-fast: $(VENV)/.dev
	@$(COMPILEMESSAGES)
	$(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

bench: $(VENV)/.dev
	$(PY) -m bench.run

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: $(VENV)/.dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

worker: $(VENV)/.runtime
	$(VENV)/bin/celery -A empathy worker --loglevel=INFO -Q default,email,exports

beat: $(VENV)/.runtime
	$(VENV)/bin/celery -A empathy beat --loglevel=INFO

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles var
