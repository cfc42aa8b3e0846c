# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test lint bench rush messages backup restore clean screens

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Serving the portal at http://127.0.0.1:8000 (Ctrl-C stops it)"
	$(PY) manage.py runserver 127.0.0.1:8000

test: $(VENV)/.installed-dev
	@$(PY) tests/check_services.py
	DJANGO_SETTINGS_MODULE=gwangmyeong_portal.settings.test $(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l ko -l en --ignore=.venv --ignore=static/vendor
	$(PY) manage.py compilemessages --ignore=.venv

bench: $(VENV)/.installed-dev
	@$(PY) tests/check_services.py
	@mkdir -p bench/results
	@# Every benchmark runs and writes bench/results/; the run fails at the end if any missed its target.
	@failed=""; for script in bench/*.py; do echo "== $$script"; \
	  DJANGO_SETTINGS_MODULE=gwangmyeong_portal.settings.test $(PY) $$script || failed="$$failed $$script"; done; \
	  if [ -n "$$failed" ]; then echo "bench: target missed or error in:$$failed"; exit 1; fi

# PNGs of the most used pages for each demo role, 360 and 1280 px, Korean and English, into docs/screens/.
screens: $(VENV)/.installed-dev
	$(PY) scripts/screens.py
# The opening-morning rush alone (bench/rush.py: nginx, two gunicorn nodes, worker, beat, faults); exits 1
# if an invariant breaks or a target is missed. BENCH_USERS, BENCH_SECONDS, BENCH_SCALE make it smaller.
rush: $(VENV)/.installed-dev
	@mkdir -p bench/results
	DJANGO_SETTINGS_MODULE=gwangmyeong_portal.settings.test $(PY) bench/rush.py

# Database + uploads into backups/; restore with `make restore BACKUP=backups/db-….dump [MEDIA=…tar.gz]`.
backup:
	scripts/backup.sh

restore:
	scripts/restore.sh "$(BACKUP)" "$(MEDIA)"

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
