"""Shared fixtures: the app on SQLite and on MariaDB, a client, a loopback SMTP server, a browser."""
import os
import re
import secrets
import shutil
import socket
import threading
from email import message_from_bytes, policy
from urllib.parse import urlsplit, urlunsplit

import pymysql
import pytest
from argon2 import PasswordHasher
from werkzeug.serving import make_server

from shop import PROJECT_ROOT, create_app
from shop.db import database
from shop.migrations import migrate as create_schema
from shop.models import ALL_MODELS, CatalogueState, SchemaMigration
from shop.seeding import seed_catalogue

DEFAULT_MYSQL_URL = "mysql://root@127.0.0.1:3306"  # a local MariaDB is used when none is named
MYSQL_URL = os.environ.get("SHOP_TEST_MYSQL_URL", "").strip() or DEFAULT_MYSQL_URL
REQUIRE_MYSQL = os.environ.get("SHOP_REQUIRE_MYSQL") == "1"
REQUIRE_BROWSER = os.environ.get("SHOP_REQUIRE_BROWSER") == "1"
REQUIRE_CLUSTER = os.environ.get("SHOP_REQUIRE_CLUSTER") == "1"
GALERA_SCRIPT = os.path.join(PROJECT_ROOT, "scripts", "galera-cluster")
CHROMIUM = os.environ.get("SHOP_CHROMIUM", "/usr/bin/chromium")
SCHEMA = os.path.join(PROJECT_ROOT, "schema.sql")
ARTIFACTS = os.path.join(PROJECT_ROOT, "test-artifacts")
TEST_SECRET = "test-secret-key-" + "x" * 32


def missing(reason, required):
    """Skip a test for a missing service, or fail the run when CI says the service is required."""
    if required:
        pytest.fail(f"{reason} (required by SHOP_REQUIRE_*=1)", pytrace=False)
    pytest.skip(reason)


def mysql_connect(url, database_name=None):
    """A raw PyMySQL connection to the server in a mysql:// URL."""
    parts = urlsplit(url)
    return pymysql.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 3306,
                           user=parts.username or "root", password=parts.password or "",
                           database=database_name, charset="utf8mb4", autocommit=True, connect_timeout=5)


def with_database(url, name):
    """The server URL with a database name as its path."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, "", ""))


def pytest_report_header(config):
    """Say at the start which databases, browser and cluster this run will use."""
    try:
        mysql_connect(MYSQL_URL).close()
        mysql = f"MariaDB/MySQL at {MYSQL_URL}"
    except pymysql.MySQLError:
        mysql = f"no MariaDB/MySQL at {MYSQL_URL}: those tests {'FAIL' if REQUIRE_MYSQL else 'are skipped'}"
    browser = CHROMIUM if os.path.exists(CHROMIUM) else f"no Chromium at {CHROMIUM}"
    galera = "galera-4 installed" if os.path.exists("/usr/lib/galera/libgalera_smm.so") else "no galera-4"
    return [f"databases: SQLite and {mysql}", f"browser: {browser}", f"cluster: {galera}"]


def pytest_collection_modifyitems(items):
    """Mark what needs MariaDB, Chromium or the cluster by the fixtures it uses, so `-m "not mysql"` (make
    test-fast) also leaves out the MariaDB half of every test that runs on both engines."""
    for item in items:
        params = getattr(item, "callspec", None) and item.callspec.params
        names = set(getattr(item, "fixturenames", ()))
        if (params and "mysql" in params.values()) or names & {"mysql_server_url", "make_mysql_database"}:
            item.add_marker(pytest.mark.mysql)
        if names & {"browser", "page"}:
            item.add_marker(pytest.mark.browser)
        if "galera_cluster" in names:
            item.add_marker(pytest.mark.cluster)


@pytest.fixture(scope="session")
def mysql_server_url():
    """The MariaDB/MySQL server URL for tests, or a skip (a failure when it is required)."""
    try:
        mysql_connect(MYSQL_URL).close()
    except pymysql.MySQLError as error:
        missing(f"MariaDB/MySQL at {MYSQL_URL} is not answering: {error}", REQUIRE_MYSQL)
    return MYSQL_URL


@pytest.fixture(scope="session")
def make_mysql_database(mysql_server_url):
    """A factory of fresh, empty databases on the test server; all are dropped at the end."""
    made = []

    def make(prefix="fh_test"):
        name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
        with mysql_connect(mysql_server_url) as conn, conn.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        made.append(name)
        return with_database(mysql_server_url, name)

    yield make
    with mysql_connect(mysql_server_url) as conn, conn.cursor() as cursor:
        for name in made:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")


class GaleraNodes(list):
    """The three nodes' server URLs, with the cluster's directory and base port (the fault tests need them)."""

    def __init__(self, urls, workdir, base):
        super().__init__(urls)
        self.workdir, self.base = workdir, base


def ports_free(base, count=32):
    """True when none of the ports base .. base+count-1 is listening on loopback."""
    for port in range(base, base + count):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return False
    return True


@pytest.fixture(scope="session")
def galera_cluster():
    """A real 3-node MariaDB Galera cluster on loopback (scripts/galera-cluster), started once per
    session: yields the three nodes' server URLs. A skip when galera-4 is missing (a failure when
    SHOP_REQUIRE_CLUSTER=1)."""
    import subprocess
    import tempfile

    needs = ["/usr/sbin/mariadbd", "/usr/lib/galera/libgalera_smm.so", shutil.which("rsync") or "/nonexistent"]
    if not all(os.path.exists(path) for path in needs) or os.geteuid() != 0:
        missing("a Galera cluster needs mariadb-server, galera-4, rsync and root to start it", REQUIRE_CLUSTER)
    # each xdist worker starts its search elsewhere: two workers starting clusters at one moment (test_cluster,
    # test_failover) would otherwise both find 23306 free
    first = 23306 + 1000 * int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0)
    base = next((port for port in range(first, 33306, 1000) if ports_free(port)), None)
    if base is None:
        missing("no free ports for the Galera cluster", REQUIRE_CLUSTER)
    workdir = tempfile.mkdtemp(prefix="fh-galera-")
    started = subprocess.run([GALERA_SCRIPT, "start", workdir, str(base)], capture_output=True, text=True, timeout=400)
    try:
        if started.returncode != 0:
            missing(f"the Galera cluster did not start: {started.stderr[-2000:]}", REQUIRE_CLUSTER)
        yield GaleraNodes([f"mysql://root@127.0.0.1:{base + 10 * node}" for node in range(3)], workdir, base)
    finally:
        subprocess.run([GALERA_SCRIPT, "stop", workdir], capture_output=True, timeout=120)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session", params=["sqlite", "mysql"])
def database_url(request, tmp_path_factory):
    """One database per engine for the whole session, with the schema created; tests run on both."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'shop.db'}"
    else:
        url = request.getfixturevalue("make_mysql_database")()
    app = create_app({"DATABASE_URL": url, "SHOP_ENV": "testing", "SECRET_KEY": TEST_SECRET})
    with app.app_context():
        create_schema()
    close_pool(app)
    return url


def close_pool(app):
    """Close this thread's connection and every pooled one no other thread is using, so tests leak
    nothing. A connection still in use is left to its thread: a live server's request thread can outlive
    the server (the browser asked for one more picture), and closing a SQLite connection under a thread
    that is using it crashes the process (it did: a segmentation fault in sqlite3)."""
    if not database.is_closed():
        database.close()
    pool = app.extensions["database"]
    if hasattr(pool, "close_idle"):
        pool.close_idle()


def empty_all_tables():
    """Delete every row, children before parents, so each test starts from nothing (the record of
    applied migrations stays: it describes the schema, which the tests share; so does the catalogue's
    version, which only ever moves forward, so no test meets another's remembered search answers)."""
    with database.connection_context():
        for model in reversed(ALL_MODELS):
            if model not in (SchemaMigration, CatalogueState):
                model.delete().execute()


def assert_ledger_balanced():
    """The money invariant: for every user, balance_cents = SUM(balance_ledger.delta_cents), and no
    balance or stock below zero. Every test that used the database ends with it (fixture `app`)."""
    from shop.models import Product, User
    from shop.orders.ledger import mismatches

    with database.connection_context():
        assert mismatches() == [], "balance differs from the sum of the ledger: (user id, balance, ledger sum)"
        assert User.select().where(User.balance_cents < 0).count() == 0
        assert Product.select().where(Product.stock < 0).count() == 0


@pytest.fixture
def app(database_url):
    """The app bound to a clean database of the current engine."""
    app = create_app({
        "TESTING": True,
        "SHOP_ENV": "testing",
        "SECRET_KEY": TEST_SECRET,
        "DATABASE_URL": database_url,
        "DATABASE_POOL_SIZE": 30,
        "BASE_URL": "http://shop.test",
        "MAIL_BACKEND": "outbox",
        "ARGON2_PROFILE": "fast",
    })
    empty_all_tables()
    yield app
    assert_ledger_balanced()
    close_pool(app)


@pytest.fixture
def engine(database_url):
    """'sqlite' or 'mysql': the engine the current test runs on."""
    return "mysql" if database_url.startswith("mysql") else "sqlite"


@pytest.fixture
def client(app):
    """A test client for the app."""
    return app.test_client()


SEED_ROWS = {}  # database URL -> {model: rows}: the seed catalogue as the first load left it


@pytest.fixture
def seeded(app, database_url):
    """The app with the hand-written seed catalogue loaded. The first test on each database loads it
    through seed_catalogue(); later ones put back the same rows (same ids) with one INSERT per table,
    which is ten times faster and gives every test exactly the same data."""
    from shop.models import Category, Guide, Product, Workshop

    seed_models = (Category, Guide, Product, Workshop)
    with database.connection_context():
        rows = SEED_ROWS.get(database_url)
        if rows is None:
            seed_catalogue()
            SEED_ROWS[database_url] = {model: list(model.select(*model._meta.sorted_fields).tuples())
                                       for model in seed_models}
        else:
            with database.atomic():
                for model in seed_models:
                    model.insert_many(rows[model], fields=model._meta.sorted_fields).execute()
    return app


def csrf_token(client, url="/"):
    """The CSRF token of a page, as a browser would read it from the meta tag."""
    html = client.get(url).get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


def create_user(username="fernfan", email="fern@example.com", password="Gr33n-Fingers", verified=True,
                balance_cents=100_00):
    """A customer straight in the database (fast: used where registration itself is not tested),
    with the opening-balance row the ledger needs."""
    from shop.accounts.registration import new_member_id
    from shop.db import transaction_with_retry
    from shop.models import User, utcnow
    from shop.orders.ledger import open_balance

    def create():
        user = User.create(member_id=new_member_id(), username=username, username_lower=username.lower(),
                           email=email, password_hash=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
                           .hash(password), balance_cents=balance_cents,
                           verified_at=utcnow() if verified else None)
        open_balance(user.id, balance_cents)
        return user

    with database.connection_context():
        return transaction_with_retry(create)


def buy(app, user, items, key="test-order"):
    """Put (product id, quantity) pairs in the customer's cart and check out: the real checkout."""
    from shop.db import transaction_with_retry
    from shop.models import CartItem, User
    from shop.orders.checkout import place_order

    def fill_cart():
        for product_id, quantity in items:
            CartItem.create(user=user.id, product=product_id, quantity=quantity)

    with app.test_request_context(), database.connection_context():
        # as the shop's own cart writes do: an insert racing other customers' checkouts of the same plant
        # (the foreign key's shared lock against their exclusive one) can be a deadlock's victim on MariaDB
        transaction_with_retry(fill_cart)
        return place_order(User.get_by_id(user.id), key)


class AuthActions:
    """Log in and out through the real forms (CSRF included)."""

    def __init__(self, client):
        self.client = client

    def login(self, login="fernfan", password="Gr33n-Fingers", next_url=None):
        """POST the login form."""
        data = {"login": login, "password": password, "csrf_token": csrf_token(self.client)}
        if next_url:
            data["next"] = next_url
        return self.client.post("/login", data=data)

    def logout(self):
        """POST the logout form."""
        return self.client.post("/logout", data={"csrf_token": csrf_token(self.client, "/")})


@pytest.fixture
def auth(client):
    """Helpers to log in and out through the real forms."""
    return AuthActions(client)


class CollectingHandler:
    """An aiosmtpd handler that keeps every message it receives, parsed."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        """Store the message and accept it."""
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "message": message})
        return "250 Message accepted for delivery"


def free_port():
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback that collects what it receives (stop()/start() to take it down)."""
    from aiosmtpd.controller import Controller

    handler = CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    controller.messages = handler.messages
    yield controller
    try:
        controller.stop()
    except AssertionError:
        pass  # already stopped by the test


class LiveServer:
    """The app served over real HTTP on a loopback port, in a thread."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def live_server(app):
    """The app on a real HTTP port for browser tests."""
    with LiveServer(app) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (a skip, or a failure when required, if missing)."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        missing(f"Chromium not found at {CHROMIUM}", REQUIRE_BROWSER)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright is not installed", REQUIRE_BROWSER)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
        ])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser tab; console errors (CSP violations included) are collected in page.errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.errors = []
    tab.on("console", lambda msg: tab.errors.append(f"{msg.text} at {msg.location}") if msg.type == "error" else None)
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    yield tab
    context.close()


def log_in_browser(tab, base_url, login="fernfan", password="Gr33n-Fingers"):
    """Log in through the real form in a browser tab and wait for the account page."""
    tab.goto(base_url + "/login")
    tab.fill("#login", login)
    tab.fill("#password", password)
    tab.click("button:has-text('Log in')")
    tab.wait_for_url("**/account")


def screenshot(tab, name):
    """Save a screenshot under test-artifacts/ for a person to look at."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, name)
    tab.screenshot(path=path, full_page=True)
    return path
