# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
BILLING_PORT ?= 8001
WEB_CONCURRENCY ?= 2

.PHONY: run run-prod run-split extract extract-demo ctl test pacts lint lock migrate seed clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Dependencies come from the lock files (requirements/*.txt, `make lock`), hash-checked;
# the project itself is installed editable on top, without resolving anything again.
PIP_INSTALL := $(BIN)/pip install --quiet --disable-pip-version-check

$(VENV)/.installed-run: pyproject.toml requirements/base.txt | $(BIN)/python
	$(PIP_INSTALL) --require-hashes -r requirements/base.txt
	$(PIP_INSTALL) --no-deps -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml requirements/dev.txt requirements/local.txt \
		packages/contextgate/pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) --require-hashes -r requirements/dev.txt
	$(PIP_INSTALL) --no-deps -r requirements/local.txt
	touch $@ $(VENV)/.installed-run

## run: install, create every store, seed demo data, serve on 127.0.0.1:$(PORT)
# --no-control-socket: gunicorn's control socket would otherwise be one fixed file in the
# home directory, shared by every copy of the shop on the host (the Procfile passes it too).
run: export SHOP_DEBUG ?= 1
run: export SHOP_LOG_FORMAT ?= console
run: $(VENV)/.installed-run migrate seed
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "shop is serving on http://127.0.0.1:$(PORT)/ (API docs: /api/docs/)"
	exec $(BIN)/gunicorn shop.site.wsgi --bind 127.0.0.1:$(PORT) \
		--workers $(WEB_CONCURRENCY) --no-control-socket --access-logfile -

## run-prod: production mode on this machine, over the local PostgreSQL and Redis: provision and
## migrate, then web, worker and beat (the Procfile) under supervisord, each restarted when it
## exits (docker/supervisord.conf), through docker/entrypoint.sh as the container runs them.
## Every SHOP_* below can be overridden from the environment. `make ctl` talks to it.
run-prod: export SHOP_DEBUG := 0
run-prod: export SHOP_EVENT_TRANSPORT := celery
run-prod: export SHOP_DATABASE_URL ?= postgresql://127.0.0.1:5432/shop
run-prod: export SHOP_DATABASE_ADMIN_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
run-prod: export SHOP_REDIS_URL ?= redis://127.0.0.1:6379/0
# A key for THIS MACHINE ONLY, so the target runs as is; a real deployment sets its own.
run-prod: export SHOP_SECRET_KEY ?= local-run-prod-key-this-machine-only-never-deploy
run-prod: export SHOP_BIND ?= 127.0.0.1:$(PORT)
# Served over plain HTTP here: no redirect to HTTPS, no HSTS, and no Secure cookies (they
# would never come back: no admin sign-in). A deployment behind TLS keeps SHOP_HTTPS on.
run-prod: export SHOP_HTTPS ?= 0
run-prod: export PROMETHEUS_MULTIPROC_DIR ?= $(CURDIR)/var/prometheus
run-prod: export PATH := $(abspath $(BIN)):$(PATH)
run-prod: $(VENV)/.installed-run
	docker/entrypoint.sh manage collectstatic --noinput --verbosity 0
	@echo "shop (web, worker, beat) will serve on http://$$SHOP_BIND/ once migrated"
	@case "$$SHOP_HTTPS" in 0|false|no|off) echo "plain HTTP (SHOP_HTTPS=$$SHOP_HTTPS): redirect to HTTPS, HSTS and Secure cookies are OFF; for this machine only, never a deployment";; esac
	exec docker/entrypoint.sh

## run-split: the sample split topology (topology/split.toml) on this machine, over the local
## PostgreSQL and Redis: service shop (identity, catalog, inventory, ordering) on
## 127.0.0.1:$(PORT), service billing (its store in database shop_billing) on
## 127.0.0.1:$(BILLING_PORT), each provisioned, migrated and run (web, worker, beat under its
## own supervisord) by docker/entrypoint.sh; demo data seeded through shop. Ctrl-C stops both.
## `make ctl SHOP_SERVICE=billing` talks to billing's supervisord.
run-split: export SHOP_DEBUG := 0
run-split: export SHOP_EVENT_TRANSPORT := celery
run-split: export SHOP_DATABASE_URL ?= postgresql://127.0.0.1:5432/shop
run-split: export SHOP_DATABASE_ADMIN_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
run-split: export SHOP_REDIS_URL ?= redis://127.0.0.1:6379/0
# For THIS MACHINE ONLY; both services share it, so their internal calls are signed alike.
run-split: export SHOP_SECRET_KEY ?= local-run-split-key-this-machine-only-never-deploy
run-split: export SHOP_HTTPS ?= 0
run-split: export PROMETHEUS_MULTIPROC_DIR ?= $(CURDIR)/var/prometheus
run-split: export PATH := $(abspath $(BIN)):$(PATH)
run-split: $(VENV)/.installed-run
	mkdir -p var/split
	sed -e 's#127.0.0.1:8000#127.0.0.1:$(PORT)#' -e 's#127.0.0.1:8001#127.0.0.1:$(BILLING_PORT)#' \
		topology/split.toml > var/split/topology.toml
	@case "$$SHOP_HTTPS" in 0|false|no|off) echo "plain HTTP (SHOP_HTTPS=$$SHOP_HTTPS): for this machine only, never a deployment";; esac
	exec $(BIN)/python topology/run.py var/split/topology.toml --seed --collectstatic

## extract: one step of billing's extraction behind the strangler proxy, on this machine
## (docs/extracting-a-context.md): `make extract STEP=up`, then move-store, shadow, report,
## cutover, rollback, status, down. The monolith on 127.0.0.1:$(PORT), service billing on
## 127.0.0.1:$(BILLING_PORT), nginx on 127.0.0.1:$(PROXY_PORT); state in var/extract/.
PROXY_PORT ?= 8080
STEP ?= status
extract: export SHOP_DATABASE_URL ?= postgresql://127.0.0.1:5432/shop
extract: export SHOP_DATABASE_ADMIN_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
extract: export SHOP_REDIS_URL ?= redis://127.0.0.1:6379/0
# For THIS MACHINE ONLY; both services share it, so their internal calls are signed alike.
extract: export SHOP_SECRET_KEY ?= local-extract-key-this-machine-only-never-deploy
extract: export SHOP_HTTPS ?= 0
extract: export PORT := $(PORT)
extract: export BILLING_PORT := $(BILLING_PORT)
extract: export PROXY_PORT := $(PROXY_PORT)
extract: export PATH := $(abspath $(BIN)):$(PATH)
extract: $(VENV)/.installed-run
	$(BIN)/python topology/extract.py $(STEP)

## extract-demo: every step of the extraction unattended, each step's evidence printed, on
## databases, a Redis, ports and an nginx of its own; exits 1 if any evidence is missing,
## and leaves nothing running (about 4 minutes)
extract-demo: export SHOP_DATABASE_ADMIN_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
extract-demo: export SHOP_HTTPS ?= 0
extract-demo: export PATH := $(abspath $(BIN)):$(PATH)
extract-demo: $(VENV)/.installed-run
	scripts/install-nginx
	$(BIN)/python topology/extract.py demo

## ctl: supervisorctl against the supervisord of `make run-prod` (CTL=status by default:
## `make ctl CTL="restart worker"`, `make ctl CTL="tail -f web"`), or of one service of
## `make run-split` (`make ctl SHOP_SERVICE=billing`)
CTL ?= status
ctl: export PATH := $(abspath $(BIN)):$(PATH)
ctl:
	docker/entrypoint.sh ctl $(CTL)

## migrate: provision PostgreSQL when SHOP_DATABASE_URL is set, then migrate every alias
migrate: export SHOP_DEBUG ?= 1
migrate: $(VENV)/.installed-run
	@if [ -n "$$SHOP_DATABASE_URL" ]; then $(BIN)/python manage.py provision_postgres; fi
	$(BIN)/python manage.py migrate_all --verbosity 0

seed: export SHOP_DEBUG ?= 1
seed: $(VENV)/.installed-run
	$(BIN)/python manage.py seed_demo

## test: the architecture gate from the source alone (no settings, no environment), the
## same gate in Django mode, then the whole test suite (the shop's and contextgate's)
test: $(VENV)/.installed-dev
	env -i $(BIN)/contextgate check .
	SHOP_DEBUG=1 $(BIN)/python manage.py contextgate
	SHOP_DEBUG=1 $(BIN)/python manage.py contextgate_docs --check
	$(BIN)/pytest

## pacts: rewrite contracts/pacts/*.json from the consumer tests alone (`make test` rewrites
## them too, and verifies the providers against them); commit what changed (docs/contracts.md)
pacts: $(VENV)/.installed-dev
	rm -f contracts/pacts/*.json
	$(BIN)/pytest -q tests/contracts/test_consumer_*.py

## lint: ruff's checks and its formatter, as CI runs them
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench packages
	$(BIN)/ruff format --check src tests bench packages

## lock: write requirements/base.txt (runtime) and requirements/dev.txt (runtime + dev extra)
## from pyproject.toml, with hashes; dev is constrained to base's versions. Run it after
## changing a dependency; a test fails while the lock files disagree with pyproject.toml.
PIP_COMPILE := $(BIN)/pip-compile --quiet --strip-extras --generate-hashes --allow-unsafe \
	--no-emit-index-url --no-emit-find-links
lock: $(VENV)/.installed-dev
	$(PIP_COMPILE) --output-file requirements/base.txt pyproject.toml
	$(PIP_COMPILE) --extra dev --constraint requirements/base.txt \
		--output-file requirements/dev.txt pyproject.toml

clean:
	rm -rf $(VENV) var
