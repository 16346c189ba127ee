"""A node killed under load: HAProxy (deploy/haproxy.cfg) in front of the 3-node Galera cluster, one app
server whose DATABASE_URL names the proxy, customers checking out in threads, and `kill -9` of the node
taking the writes. Every request ends in success or a clear 503, no order is lost or charged twice,
ledger = balance, one email per order; the node then rejoins by IST and its tables equal the others'.
The 503s and the longest gap a customer saw are printed (docs/SCALING.md keeps the figures)."""
import os
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter

import pytest

from shop import PROJECT_ROOT, create_app
from shop.db import database
from shop.migrations import migrate
from shop.models import BalanceLedger, CartItem, EmailOutbox, Order, Product, User
from shop.orders.ledger import mismatches
from shop.seeding import seed_catalogue

from .conftest import GALERA_SCRIPT, TEST_SECRET, close_pool, create_user, mysql_connect, with_database
from .test_cluster import Cluster, Customer

pytestmark = [pytest.mark.cluster, pytest.mark.mysql]
DB_NAME = "fh_failover"
CUSTOMERS = 6
LOAD_AFTER_KILL = 12.0  # seconds of checkouts after the kill: Galera evicts a silent node after 5 s


def galera(*args):
    """Run scripts/galera-cluster with these arguments; fail with its output if it fails."""
    done = subprocess.run([GALERA_SCRIPT, *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def proxied(galera_cluster, tmp_path_factory):
    """The shop database on the cluster, HAProxy and its checks in front, an app server behind the proxy;
    the test process reads the books through node 2 directly."""
    nodes = galera_cluster
    galera("proxy", nodes.workdir, str(nodes.base))
    proxy_url = f"mysql://root@127.0.0.1:{nodes.base + 30}"
    with mysql_connect(proxy_url) as conn, conn.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        cursor.execute(f"CREATE DATABASE {DB_NAME} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    shop = Cluster(nodes, str(tmp_path_factory.mktemp("failover")))
    shop.db_urls = [with_database(proxy_url, DB_NAME)] * 2 + [with_database(nodes[2], DB_NAME)]
    setup = create_app({"DATABASE_URL": shop.db_urls[0], "SHOP_ENV": "testing", "SECRET_KEY": TEST_SECRET})
    with setup.app_context():
        migrate()
        with database.connection_context():
            seed_catalogue()
            Product.update(stock=10_000).where(Product.sku == "FH-10042").execute()
    close_pool(setup)
    shop.start_server(0)  # DATABASE_URL: the proxy
    shop.app = create_app({"DATABASE_URL": shop.db_urls[2], "SHOP_ENV": "testing", "SECRET_KEY": TEST_SECRET,
                           "MAIL_BACKEND": "outbox", "ARGON2_PROFILE": "fast", "DATABASE_POOL_SIZE": 20})
    yield shop
    shop.stop()
    close_pool(shop.app)
    for name in ("haproxy.pid", "galera-check.pid"):
        with open(os.path.join(nodes.workdir, name)) as pid:
            os.kill(int(pid.read()), signal.SIGTERM)
    with mysql_connect(nodes[2]) as conn, conn.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")


def node_pid(nodes, n):
    """The process id of node n's mariadbd."""
    with open(os.path.join(nodes.workdir, f"node{n}", "mysqld.pid")) as pid:
        return int(pid.read())


def writer_port(proxy_port):
    """The SQL port of the node the proxy sends a new connection to."""
    with mysql_connect(f"mysql://root@127.0.0.1:{proxy_port}") as conn, conn.cursor() as cursor:
        cursor.execute("SELECT @@port")
        return cursor.fetchone()[0]


class Shopper:
    """One customer checking out round after round; every answer kept as (status, finished at)."""

    def __init__(self, shop, n):
        self.shop, self.name = shop, f"failover{n}"
        create_user(username=self.name, email=f"{self.name}@example.com", balance_cents=100_000_00)
        with database.connection_context():
            self.user_id = User.get(User.username_lower == self.name).id
            self.plant = Product.get(Product.sku == "FH-10042").id
        self.customer = Customer(shop, self.name)
        self.answers, self.rounds = [], 0

    def ask(self, method, path, **kwargs):
        """One request; a 503 is asked again after a pause, as the page tells the customer to."""
        while True:
            response = self.customer.session.request(method, self.shop.urls[0] + path, allow_redirects=False,
                                                     timeout=30, **kwargs)
            self.answers.append((response.status_code, time.monotonic()))
            if response.status_code != 503:
                return response
            time.sleep(0.2)

    def one_round(self):
        """Fill the cart (straight in the database, through node 2), open /cart, press Buy."""
        with database.connection_context():
            # wait for node 2 to apply the last checkout (its emptied cart) before inserting, not only before reads
            database.execute_sql("SET SESSION wsrep_sync_wait = 7")
            CartItem.create(user=self.user_id, product=self.plant, quantity=1)
        html = self.ask("GET", "/cart").text
        form = html[html.index('id="checkout-form"'):]
        fields = {name: form.split(f'name="{name}" value="', 1)[1].split('"', 1)[0]
                  for name in ("csrf_token", "idempotency_key", "expected_total_cents")}
        bought = self.ask("POST", "/checkout", data=fields)
        assert bought.status_code == 303, bought.text[:500]
        self.rounds += 1

    def keep_buying(self, stop, errors):
        """Rounds until stop is set."""
        try:
            while not stop.is_set():
                self.one_round()
        except Exception as error:  # kept for the assertion in the test
            errors.append(error)
        finally:
            database.close()

    def longest_gap(self):
        """The longest time between two answers that were not 503s (seconds)."""
        times = [at for status, at in self.answers if status != 503]
        return max((b - a for a, b in zip(times, times[1:])), default=0.0)


def test_killing_the_writing_node_under_load(proxied):
    nodes, proxy_port = proxied.node_urls, proxied.node_urls.base + 30
    assert writer_port(proxy_port) == nodes.base  # node 0 takes the writes
    shoppers = [Shopper(proxied, n) for n in range(CUSTOMERS)]
    stop, errors = threading.Event(), []
    threads = [threading.Thread(target=shopper.keep_buying, args=(stop, errors)) for shopper in shoppers]
    for thread in threads:
        thread.start()
    killed = False
    try:
        while sum(shopper.rounds for shopper in shoppers) < 2 * CUSTOMERS and not errors:
            time.sleep(0.05)
        before_kill = sum(shopper.rounds for shopper in shoppers)
        os.kill(node_pid(nodes, 0), signal.SIGKILL)
        killed = True
        time.sleep(LOAD_AFTER_KILL)
        assert writer_port(proxy_port) == nodes.base + 10  # the first backup took over
        after_kill = sum(shopper.rounds for shopper in shoppers) - before_kill
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
        if killed:
            galera("restart-node", nodes.workdir, "0", str(nodes.base))
    assert errors == []
    statuses = Counter(status for shopper in shoppers for status, _ in shopper.answers)
    assert set(statuses) <= {200, 303, 503}, statuses  # never a 500
    assert after_kill >= CUSTOMERS  # every customer went on buying after the kill
    rejoin = open(os.path.join(nodes.workdir, "node0", "error.log")).read()
    assert "IST received" in rejoin or "Receiving IST" in rejoin, rejoin[-3000:]
    for _ in range(40):  # HAProxy takes node 0 back after three good checks
        if writer_port(proxy_port) == nodes.base:
            break
        time.sleep(0.25)
    assert writer_port(proxy_port) == nodes.base
    for shopper in shoppers:  # and checkouts go on through it
        shopper.one_round()

    with database.connection_context():
        database.execute_sql("SET SESSION wsrep_sync_wait = 15")
        numbers = {}
        for shopper in shoppers:
            orders = list(Order.select(Order.number).where(Order.user == shopper.user_id).tuples())
            assert len(orders) == shopper.rounds  # none lost, none twice
            numbers.update({number: shopper.name for (number,) in orders})
        charged = Counter(reference for (reference,) in BalanceLedger.select(BalanceLedger.reference)
                          .where(BalanceLedger.reason == "order").tuples())
        assert charged == Counter(list(numbers))  # each order charged exactly once
        assert mismatches() == []
        subjects = Counter(subject for (subject,) in EmailOutbox.select(EmailOutbox.subject).tuples())
        assert all(subjects[f"Your Fernhouse order {number}"] == 1 for number in numbers)
    log = open(proxied.logs[0]).read()
    assert "Traceback" not in log, log[-3000:]
    sums = [checksums_of(url) for url in nodes]
    assert sums[0] == sums[1] == sums[2]
    gap = max(shopper.longest_gap() for shopper in shoppers)
    print(f"\nnode kill: {sum(statuses.values())} requests, {statuses[503]} answered 503, "
          f"{sum(s.rounds for s in shoppers)} orders ({after_kill} in the {LOAD_AFTER_KILL:.0f} s after the kill), "
          f"longest gap a customer saw {gap:.2f} s")


def checksums_of(node_url):
    """CHECKSUM TABLE of every table of the failover database on one node."""
    with mysql_connect(node_url, DB_NAME) as conn, conn.cursor() as cursor:
        cursor.execute("SET SESSION wsrep_sync_wait = 15")
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (DB_NAME,))
        tables = sorted(row[0] for row in cursor.fetchall())
        cursor.execute("CHECKSUM TABLE " + ", ".join(f"`{table}`" for table in tables))
        return dict(cursor.fetchall())


def test_the_haproxy_config_is_valid():
    """haproxy -c on deploy/haproxy.cfg with production-like addresses (no cluster needed)."""
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not os.path.exists(haproxy):
        pytest.skip("haproxy is not installed (apt-get install haproxy)")
    env = {**os.environ, "GALERA_PROXY_BIND": "127.0.0.1:3306", "GALERA_PROXY_STATS": "127.0.0.1:8404",
           **{f"GALERA_NODE{n}": f"10.0.0.1{n}:3306" for n in range(3)},
           **{f"GALERA_CHECK{n}": "9200" for n in range(3)}}
    checked = subprocess.run([haproxy, "-c", "-f", os.path.join(PROJECT_ROOT, "deploy", "haproxy.cfg")],
                             capture_output=True, text=True, env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
