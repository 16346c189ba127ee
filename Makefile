# Fernhouse: the whole set-up is `make dev`; the whole check is `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
# pytest-xdist processes for make test: the suite waits on databases, browsers and sockets more than on
# the CPU, so three share two cores well. Each file runs whole on one worker (--dist loadfile), so a
# module's fixtures (the Galera cluster, the app servers) are made once.
TEST_WORKERS ?= 3

# Links in the dev mailbox point at the server make dev starts (PORT=5071 make dev -> :5071), unless
# BASE_URL is set already.
DEV_BASE_URL := $(or $(BASE_URL),http://$(HOST):$(PORT))
# make dev-mysql: the dev server on a local MariaDB/MySQL database it creates and seeds.
DEV_MYSQL_SERVER ?= mysql://root@127.0.0.1:3306
DEV_MYSQL_DATABASE ?= fernhouse_dev

.PHONY: dev dev-mysql test test-fast lint serve bench clean

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# First run only: create the embedded SQLite database and load the seed catalogue.
instance/shop.db: | $(VENV)/.runtime
	SHOP_ENV=development $(FLASK) init-db
	SHOP_ENV=development $(FLASK) seed --staff

# The outbox worker runs beside the dev server (it exits at once when MAIL_BACKEND is outbox,
# the default, because then /dev/mailbox shows the messages); Ctrl+C stops both.
dev: $(VENV)/.runtime instance/shop.db
	SHOP_ENV=development $(FLASK) init-db  # adds what a newer version needs to an existing database
	trap 'kill 0' EXIT INT TERM; \
	SHOP_ENV=development BASE_URL=$(DEV_BASE_URL) $(FLASK) send-mail & \
	SHOP_ENV=development BASE_URL=$(DEV_BASE_URL) $(FLASK) run --debug --host $(HOST) --port $(PORT)

# The same dev server on MariaDB/MySQL: creates the database if it is missing, migrates, seeds (the
# first seed prints the staff account's password), serves.
dev-mysql: $(VENV)/.runtime
	$(PY) -c "import pymysql, sys; from urllib.parse import urlsplit; u = urlsplit(sys.argv[1]); \
	pymysql.connect(host=u.hostname, port=u.port or 3306, user=u.username or 'root', password=u.password or '', \
	autocommit=True).cursor().execute('CREATE DATABASE IF NOT EXISTS \x60' + sys.argv[2] + '\x60 CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci')" \
	$(DEV_MYSQL_SERVER) $(DEV_MYSQL_DATABASE)
	SHOP_ENV=development DATABASE_URL=$(DEV_MYSQL_SERVER)/$(DEV_MYSQL_DATABASE) $(FLASK) seed --staff
	trap 'kill 0' EXIT INT TERM; \
	SHOP_ENV=development DATABASE_URL=$(DEV_MYSQL_SERVER)/$(DEV_MYSQL_DATABASE) BASE_URL=$(DEV_BASE_URL) $(FLASK) send-mail & \
	SHOP_ENV=development DATABASE_URL=$(DEV_MYSQL_SERVER)/$(DEV_MYSQL_DATABASE) BASE_URL=$(DEV_BASE_URL) \
	$(FLASK) run --debug --host $(HOST) --port $(PORT)

test: $(VENV)/.dev
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

# The inner loop: SQLite only, no MariaDB, browser or cluster (the REQUIRE flags cleared, so nothing fails
# for a missing service). make test before a pull request.
test-fast: $(VENV)/.dev
	SHOP_REQUIRE_MYSQL= SHOP_REQUIRE_BROWSER= SHOP_REQUIRE_CLUSTER= \
	$(PY) -m pytest -n 2 --dist loadfile -m "not mysql and not browser and not cluster"

# ruff, configured in ruff.toml; .ci/run runs it before the suite.
lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .

serve: $(VENV)/.runtime
	$(FLASK) init-db
	$(VENV)/bin/gunicorn --config deploy/gunicorn.conf.py --workers $(WORKERS) --bind $(HOST):8000 wsgi:app

# make bench: everything at 100,000 products. make bench SIZE=1000000 (or 10000): the search figures only,
# at that size, kept beside the others in bench/results.json. BENCH_ENGINES=sqlite for one engine.
SIZE ?= 100000
bench: $(VENV)/.dev
	BENCH_PRODUCTS=$(SIZE) $(PY) bench/run.py

clean:
	rm -rf $(VENV) instance/shop.db instance/shop.db-* .pytest_cache test-artifacts
