"""Money on a multi-primary cluster: two app servers writing through two nodes of a 3-node Galera cluster.

Server A (gunicorn) talks to node 0 and server B to node 1; the test reads the books through node 2.
Row locks are local to a node, so two purchases of one cart on two nodes both run until COMMIT,
where Galera's certification refuses the second (error 1213) and transaction_with_retry() runs it
again, now seeing the empty cart. Each race runs 5 times. Afterwards: exact counts, ledger = balance,
money and stock conserved, one email per order, no 5xx, no traceback, identical tables on all nodes.
"""
import os
import re
import subprocess
import sys
import time
from collections import Counter

import pytest
import requests

from shop import PROJECT_ROOT, create_app
from shop.db import database
from shop.migrations import migrate
from shop.models import (
    BalanceLedger,
    Booking,
    CartItem,
    EmailOutbox,
    Order,
    OrderItem,
    Product,
    Review,
    User,
    Workshop,
)
from shop.orders.ledger import mismatches
from shop.seeding import seed_catalogue

from .conftest import (
    TEST_SECRET,
    buy,
    close_pool,
    create_user,
    free_port,
    mysql_connect,
    with_database,
)
from .helpers import HX
from .test_money import run_together

pytestmark = [pytest.mark.cluster, pytest.mark.mysql]
ROUNDS = 5
DB_NAME = "fh_cluster"


def wait_for_http(url, process, log_path, seconds=60):
    """Wait until the server answers /healthz (or fail with its log)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if requests.get(url + "/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or its first answer is slow under load
            pass
        time.sleep(0.2)
    raise AssertionError(f"app server {url} did not start:\n{open(log_path).read()[-3000:]}")


class Cluster:
    """The shop on the cluster: two gunicorn servers on two nodes, and the books read through a third."""

    def __init__(self, node_urls, workdir):
        self.node_urls = node_urls
        self.db_urls = [with_database(url, DB_NAME) for url in node_urls]
        self.servers, self.logs, self.urls = [], [], []
        self.workdir = workdir
        self.statuses = []  # every HTTP status the races saw

    def start_server(self, node):
        """gunicorn, 2 workers x 8 threads, on a free port, writing through the given node."""
        port = free_port()
        log_path = os.path.join(self.workdir, f"server-{node}.log")
        env = {**os.environ, "SHOP_ENV": "testing", "SECRET_KEY": TEST_SECRET, "DATABASE_URL": self.db_urls[node],
               "MAIL_BACKEND": "outbox", "BASE_URL": f"http://127.0.0.1:{port}"}
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "gthread", "--threads", "8",
             "--bind", f"127.0.0.1:{port}", "--error-logfile", "-", "wsgi:app"],
            cwd=PROJECT_ROOT, env=env, stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        self.servers.append(process)
        self.logs.append(log_path)
        self.urls.append(url)
        wait_for_http(url, process, log_path)

    def stop(self):
        """Stop both servers."""
        for process in self.servers:
            process.terminate()
        for process in self.servers:
            process.wait(20)


@pytest.fixture(scope="module")
def cluster(galera_cluster, tmp_path_factory):
    """A shop database on the cluster, created through node 0, seeded; two app servers; the
    test process reads and writes its set-up through node 2."""
    with mysql_connect(galera_cluster[0]) as conn, conn.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        cursor.execute(f"CREATE DATABASE {DB_NAME} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    shop = Cluster(galera_cluster, str(tmp_path_factory.mktemp("cluster")))
    app = create_app({"DATABASE_URL": shop.db_urls[0], "SHOP_ENV": "testing", "SECRET_KEY": TEST_SECRET})
    with app.app_context():
        migrate()
        with database.connection_context():
            seed_catalogue()
    close_pool(app)
    shop.start_server(0)
    shop.start_server(1)
    shop.app = create_app({"DATABASE_URL": shop.db_urls[2], "SHOP_ENV": "testing", "SECRET_KEY": TEST_SECRET,
                           "MAIL_BACKEND": "outbox", "ARGON2_PROFILE": "fast", "DATABASE_POOL_SIZE": 30})
    with database.connection_context():
        shop.stock_before = sum(stock for (stock,) in Product.select(Product.stock).tuples())
    yield shop
    shop.stop()
    close_pool(shop.app)
    with mysql_connect(galera_cluster[0]) as conn, conn.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")


def rebind(shop):
    """Point the test process's database at node 2 again, on a fresh pool."""
    close_pool(shop.app)
    shop.app = create_app({"DATABASE_URL": shop.db_urls[2], "SHOP_ENV": "testing", "SECRET_KEY": TEST_SECRET,
                           "MAIL_BACKEND": "outbox", "ARGON2_PROFILE": "fast", "DATABASE_POOL_SIZE": 30})


class Customer:
    """A customer logged in once (on server A); tabs on either server share the cookie."""

    def __init__(self, shop, username):
        self.shop = shop
        self.session = requests.Session()
        self.session.post(shop.urls[0] + "/login", data={"login": username, "password": "Gr33n-Fingers",
                                                         "csrf_token": self.token(0, "/login")})

    def token(self, server, path="/"):
        """The CSRF token of a page on server 0 or 1."""
        html = self.session.get(self.shop.urls[server] + path).text
        return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)

    def tab(self):
        """Another tab with the same cookies."""
        tab = requests.Session()
        tab.cookies.update(self.session.cookies)
        return tab

    def cart_form(self, tab, server):
        """The checkout form's fields as /cart on that server renders them."""
        html = tab.get(self.shop.urls[server] + "/cart").text
        form = html[html.index('id="checkout-form"'):]
        return {name: re.search(rf'name="{name}" value="([^"]*)"', form).group(1)
                for name in ("csrf_token", "idempotency_key", "expected_total_cents")}


def new_customer(shop, name, balance_cents=1500_00):
    """A verified customer with the given balance (opening ledger row included), logged in."""
    create_user(username=name, email=f"{name}@example.com", balance_cents=balance_cents)
    return Customer(shop, name)


def product_id(sku):
    """A product's id."""
    with database.connection_context():
        return Product.get(Product.sku == sku).id


def buy_together(cluster, buyers):
    """Each (customer, server) opens /cart in a tab of its own on that server, then all press Buy at one
    moment; returns the status codes (also kept for the module's last check: no 5xx)."""
    tabs = [(customer.tab(), server) for customer, server in buyers]
    forms = [customer.cart_form(tab, server) for (customer, _), (tab, server) in zip(buyers, tabs)]
    answers = []

    def press_buy(n):
        tab, server = tabs[n]
        response = tab.post(cluster.urls[server] + "/checkout", data=forms[n], allow_redirects=False)
        answers.append(response.status_code)

    assert run_together(len(buyers), press_buy) == []
    cluster.statuses += answers
    return answers


def test_one_cart_checked_out_from_tabs_on_both_servers(cluster):
    rebind(cluster)
    customer = new_customer(cluster, "tabs")
    with database.connection_context():
        user = User.get(User.username_lower == "tabs")
    for round_number in range(ROUNDS):
        with database.connection_context():
            CartItem.create(user=user, product=product_id("FH-10007"), quantity=2)
        answers = buy_together(cluster, [(customer, server) for server in (0, 1, 0, 1)])
        assert sorted(answers) == [303, 409, 409, 409], (round_number, answers)
        with database.connection_context():
            assert Order.select().where(Order.user == user).count() == round_number + 1
    with database.connection_context():
        assert User.get_by_id(user.id).balance_cents == 1500_00 - ROUNDS * 2 * 24_00


def test_twenty_bookers_for_three_seats(cluster):
    rebind(cluster)
    customers = [new_customer(cluster, f"booker{n}", 200_00) for n in range(20)]
    with database.connection_context():
        # A workshop per round: one customer may hold at most bookings.SEATS_PER_CUSTOMER seats of one workshop,
        # and a customer who won a seat in every round would pass it in the same workshop.
        workshops = list(Workshop.select().order_by(Workshop.id).limit(ROUNDS))
    assert len(workshops) == ROUNDS
    for round_number, workshop in enumerate(workshops):
        with database.connection_context():
            Workshop.update(seats_left=3, price_cents=25_00).where(Workshop.id == workshop.id).execute()
        tokens = [customer.token(n % 2, "/workshops") for n, customer in enumerate(customers)]
        answers = []

        def book(n):
            response = customers[n].session.post(
                f"{cluster.urls[n % 2]}/workshops/{workshop.slug}/book", headers=HX,
                data={"seats": "1", "idempotency_key": f"r{round_number}-{n}", "expected_total_cents": "2500",
                      "csrf_token": tokens[n]})
            answers.append(response.status_code)

        assert run_together(20, book) == []
        cluster.statuses += answers
        assert Counter(answers) == {200: 3, 409: 17}, (round_number, answers)
        with database.connection_context():
            assert Workshop.get_by_id(workshop.id).seats_left == 0
            assert Booking.select().where(Booking.workshop == workshop).count() == 3


def test_simultaneous_adds_of_one_plant_on_both_servers(cluster):
    rebind(cluster)
    customer = new_customer(cluster, "adder")
    token = customer.token(0)
    with database.connection_context():
        user = User.get(User.username_lower == "adder")
    for round_number in range(ROUNDS):
        tabs = [customer.tab() for _ in range(20)]
        answers = []

        def add(n):
            response = tabs[n].post(cluster.urls[n % 2] + "/cart/add", headers=HX,
                                    data={"sku": "FH-10042", "quantity": "1", "csrf_token": token})
            answers.append(response.status_code)

        assert run_together(20, add) == []
        cluster.statuses += answers
        assert answers == [200] * 20, (round_number, answers)
        with database.connection_context():
            assert [line.quantity for line in CartItem.select().where(CartItem.user == user)] == [20]
            CartItem.delete().where(CartItem.user == user).execute()


def test_reviews_against_purchases_of_the_same_plant(cluster):
    rebind(cluster)
    monstera = product_id("FH-10001")
    with database.connection_context():
        ratings_before = Product.get_by_id(monstera).rating_count
    for round_number in range(ROUNDS):
        reviewers, buyers = [], []
        for n in range(3):
            name = f"rev{round_number}x{n}"
            create_user(username=name, email=f"{name}@example.com")
            with database.connection_context():
                user = User.get(User.username_lower == name)
            order, _ = buy(cluster.app, user, [(monstera, 1)], key=f"seed-{name}")
            with database.connection_context():  # a review needs the plant to have arrived
                Order.update(status="delivered").where(Order.id == order.id).execute()
            reviewers.append(Customer(cluster, name))
        for n in range(3):
            name = f"buy{round_number}x{n}"
            buyers.append(new_customer(cluster, name))
            with database.connection_context():
                CartItem.create(user=User.get(User.username_lower == name), product=monstera, quantity=1)
        tokens = [reviewer.token(n % 2, "/products/FH-10001") for n, reviewer in enumerate(reviewers)]
        forms = [buyer.cart_form(buyer.session, n % 2) for n, buyer in enumerate(buyers)]
        answers = []

        def act(n):
            server = n % 2
            if n < 3:
                response = reviewers[n].session.post(
                    cluster.urls[server] + "/products/FH-10001/reviews", headers=HX,
                    data={"rating": "5", "body": "Thriving.", "csrf_token": tokens[n]})
            else:
                response = buyers[n - 3].session.post(cluster.urls[server] + "/checkout", data=forms[n - 3],
                                                      allow_redirects=False)
            answers.append((n, response.status_code))

        assert run_together(6, act) == []
        cluster.statuses += [status for _, status in answers]
        assert sorted(answers) == [(0, 200), (1, 200), (2, 200), (3, 303), (4, 303), (5, 303)], answers
    with database.connection_context():
        assert Review.select().where(Review.product == monstera).count() == ROUNDS * 3
        assert Product.get_by_id(monstera).rating_count == ratings_before + ROUNDS * 3


def test_sell_outs_on_both_nodes_at_once_each_move_the_catalogue_version(cluster):
    """Four customers, two on each server, each buy the last one of a different plant at one moment: each
    checkout's trigger moves catalogue_state's one row on its own node, so Galera certification refuses
    all but one at COMMIT and transaction_with_retry() runs them again. Every purchase goes through, the
    version moves once per plant sold out (the same on every node), and both servers stop listing them
    as in stock at once (their kept search answers are for the old version)."""
    rebind(cluster)
    skus = ["FH-10001", "FH-10002", "FH-10003", "FH-10004"]
    customers = [new_customer(cluster, f"lastone{n}") for n in range(4)]
    with database.connection_context():
        users = [User.get(User.username_lower == f"lastone{n}") for n in range(4)]
    for round_number in range(ROUNDS):
        with database.connection_context():
            for user, sku in zip(users, skus):
                cluster.stock_before += 1 - Product.get(Product.sku == sku).stock  # the books stay exact
                Product.update(stock=1).where(Product.sku == sku).execute()
                CartItem.create(user=user, product=product_id(sku), quantity=1)
        for server in (0, 1):  # both servers keep the answer "in stock" for the version before the sale
            listed = requests.get(cluster.urls[server] + "/products?availability=in_stock&q=FH-1000", headers=HX)
            assert all(sku in listed.text for sku in skus), round_number
        with mysql_connect(cluster.node_urls[2], DB_NAME) as conn, conn.cursor() as cursor:
            cursor.execute("SET SESSION wsrep_sync_wait = 15")
            cursor.execute("SELECT version FROM catalogue_state WHERE id = 1")
            before = cursor.fetchone()[0]
        answers = buy_together(cluster, [(customer, n % 2) for n, customer in enumerate(customers)])
        assert answers == [303] * 4, (round_number, answers)
        versions = []
        for node_url in cluster.node_urls:
            with mysql_connect(node_url, DB_NAME) as conn, conn.cursor() as cursor:
                cursor.execute("SET SESSION wsrep_sync_wait = 15")
                cursor.execute("SELECT version FROM catalogue_state WHERE id = 1")
                versions.append(cursor.fetchone()[0])
        assert versions == [before + 4] * 3, round_number
        for server in (0, 1):
            listed = requests.get(cluster.urls[server] + "/products?availability=in_stock&q=FH-1000", headers=HX)
            assert not any(sku in listed.text for sku in skus), round_number


def test_a_receipt_opened_through_the_other_node_right_after_checkout(cluster):
    """Read your own writes: buy through server A (node 0), open the receipt at once through server B
    (node 1). wsrep_sync_wait makes node 1 apply the order before it answers."""
    rebind(cluster)
    customer = new_customer(cluster, "reader")
    with database.connection_context():
        user = User.get(User.username_lower == "reader")
    receipts = []
    for _ in range(30):
        with database.connection_context():
            CartItem.create(user=user, product=product_id("FH-10042"), quantity=1)
        form = customer.cart_form(customer.session, 0)
        bought = customer.session.post(cluster.urls[0] + "/checkout", data=form, allow_redirects=False)
        receipts.append(customer.session.get(cluster.urls[1] + bought.headers["Location"]).status_code)
    cluster.statuses += receipts
    assert receipts == [200] * 30


def checksums(node_url):
    """CHECKSUM TABLE of every shop table on one node (after it has applied everything it received)."""
    with mysql_connect(node_url, DB_NAME) as conn, conn.cursor() as cursor:
        cursor.execute("SET SESSION wsrep_sync_wait = 15")
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
                       "ORDER BY table_name", (DB_NAME,))
        tables = [row[0] for row in cursor.fetchall()]
        cursor.execute("CHECKSUM TABLE " + ", ".join(f"`{table}`" for table in tables))
        return dict(cursor.fetchall())


def test_the_books_after_every_race(cluster):
    """Runs last in this module: the books of everything the races did, read through node 2."""
    rebind(cluster)
    with database.connection_context():
        assert mismatches() == []
        assert User.select().where(User.balance_cents < 0).count() == 0
        assert Product.select().where(Product.stock < 0).count() == 0
        sold = sum(quantity for (quantity,) in OrderItem.select(OrderItem.quantity).tuples())
        stock_now = sum(stock for (stock,) in Product.select(Product.stock).tuples())
        assert stock_now == cluster.stock_before - sold
        opening = sum(b for (b,) in User.select(User.balance_cents).tuples())
        spent = (sum(t for (t,) in Order.select(Order.total_cents).tuples())
                 + sum(t for (t,) in Booking.select(Booking.total_cents).tuples()))
        openings = sum(d for (d,) in BalanceLedger.select(BalanceLedger.delta_cents)
                       .where(BalanceLedger.reason == "opening_balance").tuples())
        assert opening == openings - spent  # money conserved: what came in, less what was spent
        subjects = Counter(subject for (subject,) in EmailOutbox.select(EmailOutbox.subject).tuples())
        for (number,) in Order.select(Order.number).tuples():
            assert subjects[f"Your Fernhouse order {number}"] == 1
        assert Booking.select().count() == sum(count for subject, count in subjects.items()
                                               if subject.startswith("Booked: "))
    assert cluster.statuses and all(status < 500 for status in cluster.statuses)
    for log_path in cluster.logs:
        log = open(log_path).read()
        assert "Traceback" not in log and "[ERROR]" not in log, log[-3000:]
    sums = [checksums(url) for url in cluster.node_urls]
    assert sums[0] == sums[1] == sums[2]


def test_connections_to_a_galera_node_wait_for_the_cluster_before_reads(cluster, make_mysql_database):
    """Each pooled connection to a Galera node gets wsrep_sync_wait = 1 (0 when configured off);
    a connection to a server that is not a Galera node is left as it is."""
    rebind(cluster)
    with database.connection_context():
        assert database.execute_sql("SELECT @@session.wsrep_sync_wait").fetchone()[0] == 1
    close_pool(cluster.app)
    off = create_app({"DATABASE_URL": cluster.db_urls[2], "SHOP_ENV": "testing", "SECRET_KEY": TEST_SECRET,
                      "DATABASE_WSREP_SYNC_WAIT": 0})
    with database.connection_context():
        assert database.execute_sql("SELECT @@session.wsrep_sync_wait").fetchone()[0] == 0
    close_pool(off)
    single = create_app({"DATABASE_URL": make_mysql_database("fh_single"), "SHOP_ENV": "testing",
                         "SECRET_KEY": TEST_SECRET})
    with database.connection_context():
        assert database.execute_sql("SELECT @@session.wsrep_on").fetchone()[0] == 0
        assert database.execute_sql("SELECT @@session.wsrep_sync_wait").fetchone()[0] == 0
    close_pool(single)
