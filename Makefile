# Kontakt: one command to run the demo, one to run the tests.
.PHONY: demo test install install-dev lint format typecheck test-sqlite test-postgres run worker periodic bench-quick

demo: install            ## Install everything, seed the demo municipality and serve it on :8000
	KONTAKT_MUNICIPALITY_NAME="$${KONTAKT_MUNICIPALITY_NAME:-Sjöstad kommun}" \
	KONTAKT_CENTER_PHONE="$${KONTAKT_CENTER_PHONE:-040-628 04 00}" \
	KONTAKT_CENTER_EMAIL="$${KONTAKT_CENTER_EMAIL:-kontakt@sjostad.example}" \
	KONTAKT_MFA_REQUIRED="$${KONTAKT_MFA_REQUIRED:-0}" \
	KONTAKT_SWITCHBOARD_NUMBER="$${KONTAKT_SWITCHBOARD_NUMBER:-+46406280400}" \
	.venv/bin/kontakt demo

test: install-dev        ## Install everything and run lint, type checks and the suite on SQLite and PostgreSQL
	scripts/test --require-services

install:
	scripts/bootstrap

install-dev:
	scripts/bootstrap --dev

lint: install-dev
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: install-dev
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

typecheck: install-dev
	.venv/bin/mypy kontakt
	.venv/bin/lint-imports

test-sqlite: install-dev
	scripts/test --sqlite-only

test-postgres: install-dev
	scripts/test --postgres-only

run: install             ## Serve with gunicorn, without seeding (settings from the environment: docs/operations.md)
	.venv/bin/kontakt migrate --no-input
	.venv/bin/kontakt collectstatic --no-input
	.venv/bin/gunicorn --config gunicorn.conf.py kontakt.wsgi

worker: install          ## A task worker: the database queue by default, RQ when REDIS_URL is set
	.venv/bin/kontakt worker

periodic: install        ## The scheduler that enqueues periodic tasks for the workers (run one)
	.venv/bin/kontakt periodic

bench-quick: install-dev
	for script in bench/*.py; do .venv/bin/python $$script --quick || exit 1; done
