"""The load test (part of make bench): gunicorn with 2 workers on MariaDB, a mixed workload from many
concurrent clients for a bounded time on loopback, then a check of the books.

Clients browse, search, register, log in and buy. Afterwards: no negative balance or stock, money and
stock conserved (initial = final + what the orders took), the ledger equals every balance, and every
order has exactly one confirmation email in the outbox. Prints a table; bench/run.py stores the figures in bench/results.json.
"""
import os
import random
import re
import secrets
import subprocess
import sys
import threading
import time
from collections import defaultdict
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import pymysql  # noqa: E402

from shop import create_app  # noqa: E402
from shop.accounts.passwords import ARGON2_PROFILES  # noqa: E402
from shop.db import database, transaction_with_retry  # noqa: E402
from shop.migrations import migrate  # noqa: E402
from shop.models import EmailOutbox, Order, OrderItem, Product, User  # noqa: E402
from shop.orders.ledger import mismatches  # noqa: E402
from shop.seeding import generate_products, seed_catalogue  # noqa: E402

CLIENTS = int(os.environ.get("LOAD_CLIENTS", "16"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "30"))
PRODUCTS = int(os.environ.get("LOAD_PRODUCTS", "5000"))
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
TOTAL = re.compile(r'name="expected_total_cents" value="(\d+)"')
SEARCHES = ["mo", "fern", "monstera", "cactus", "FH-10042", "palm", "ph", "aloe", "green wave"]


def percentile(samples, fraction):
    """The value below which `fraction` of the samples fall."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))] if ordered else 0


class Client:
    """One simulated customer with its own cookie jar, recording every request's latency."""

    def __init__(self, base, stats, errors):
        self.base, self.stats, self.errors = base, stats, errors
        self.http = requests.Session()
        # Each customer comes from their own address, as through the TLS proxy in production
        # (gunicorn runs with TRUSTED_PROXY_HOPS=1): the per-client rate limits count each apart.
        octets = (secrets.randbelow(250), secrets.randbelow(250), secrets.randbelow(250) + 1)
        self.http.headers["X-Forwarded-For"] = "10.{}.{}.{}".format(*octets)
        self.user = None

    def call(self, route, method, path, **kwargs):
        """Send one request, time it under `route`, and count a 5xx or a failure as an error (a 429 is
        counted apart: a limit doing its job, but not the workload the test means to measure)."""
        started = time.perf_counter()
        try:
            response = self.http.request(method, self.base + path, timeout=30, allow_redirects=False, **kwargs)
        except requests.RequestException as error:
            self.errors[route].append(str(error))
            return None
        self.stats[route].append((time.perf_counter() - started) * 1000)
        if response.status_code >= 500:
            self.errors[route].append(f"{response.status_code} on {path}")
        if response.status_code == 429:
            self.stats["429 rate-limited"].append(0.0)
        return response

    def token(self, path="/"):
        """The CSRF token of a page."""
        response = self.call("GET " + path.split("?")[0], "GET", path)
        match = CSRF.search(response.text) if response is not None else None
        return match.group(1) if match else ""

    def browse(self, rng):
        """Look at the catalogue and a product."""
        self.call("GET /", "GET", "/")
        self.call("GET /products/<sku>", "GET", f"/products/FH-{10001 + rng.randrange(68)}")

    def search(self, rng):
        """Type a search, as htmx sends it."""
        query = rng.choice(SEARCHES)
        for end in range(2, len(query) + 1, 2):
            self.call("GET /products?q (fragment)", "GET", f"/products?q={query[:end]}", headers={"HX-Request": "true"})

    def register_and_log_in(self, rng, verify):
        """Register a new account, verify it (straight in the database, as clicking the link would), log in."""
        name = f"load{secrets.token_hex(4)}"
        token = self.token("/register")
        response = self.call("POST /register", "POST", "/register", data={
            "username": name, "email": f"{name}@example.com", "password": "Tea&Cactus-Morning",
            "password_confirm": "Tea&Cactus-Morning", "csrf_token": token})
        if response is None or response.status_code != 303:
            return
        verify(name)
        token = self.token("/login")
        response = self.call("POST /login", "POST", "/login", data={"login": name, "password": "Tea&Cactus-Morning",
                                                                     "csrf_token": token})
        if response is not None and response.status_code == 303:
            self.user = name

    def buy(self, rng):
        """Add one or two plants and check out (refusals for balance or stock are fine, errors are not)."""
        token = self.token("/")
        for _ in range(rng.randint(1, 2)):
            self.call("POST /cart/add", "POST", "/cart/add", headers={"HX-Request": "true", "X-CSRFToken": token},
                      data={"sku": f"FH-{10001 + rng.randrange(68)}", "quantity": rng.randint(1, 3)})
        page = self.call("GET /cart", "GET", "/cart")
        key = KEY.search(page.text) if page is not None else None
        total = TOTAL.search(page.text) if page is not None else None
        if key and total:
            self.call("POST /checkout", "POST", "/checkout", data={"idempotency_key": key.group(1),
                                                                   "expected_total_cents": total.group(1),
                                                                   "csrf_token": token})


def run_clients(base, verify, seconds, clients):
    """Every client loops over a random mix until the time is up."""
    stats, errors = defaultdict(list), defaultdict(list)
    deadline = time.monotonic() + seconds

    def work(n):
        rng = random.Random(n)
        client = Client(base, stats, errors)
        while time.monotonic() < deadline:
            action = rng.random()
            if action < 0.35:
                client.browse(rng)
            elif action < 0.7:
                client.search(rng)
            elif client.user is None:
                client.register_and_log_in(rng, verify)
            elif action < 0.75:
                client = Client(base, stats, errors)  # a new customer arrives
            else:
                client.buy(rng)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return stats, errors, time.monotonic() - started


def books(app, balances_before, stock_before):
    """The books after the run: negative values, conservation of money and stock, one email per order."""
    with app.app_context(), database.connection_context():
        orders = list(Order.select())
        spent = defaultdict(int)
        for order in orders:
            spent[order.user_id] += order.total_cents
        balances = {user.id: user.balance_cents for user in User.select()}
        sold = defaultdict(int)
        for item in OrderItem.select():
            sold[item.product_id] += item.quantity
        stock = {product.id: product.stock for product in Product.select(Product.id, Product.stock)}
        ledger_mismatches = len(mismatches())
        confirmations = defaultdict(int)
        for mail in EmailOutbox.select().where(EmailOutbox.subject.startswith("Your Fernhouse order ")):
            confirmations[mail.subject.rsplit(" ", 1)[1]] += 1
    money_ok = all(balances_before[uid] == balances[uid] + spent[uid] for uid in balances_before)
    return {
        "orders": len(orders),
        "negative_balances": sum(1 for value in balances.values() if value < 0),
        "negative_stock": sum(1 for value in stock.values() if value < 0),
        "money_conserved": money_ok,
        "ledger_equals_balance": ledger_mismatches == 0,
        "ledger_mismatches": ledger_mismatches,
        "stock_conserved": all(stock_before[pid] == stock[pid] + sold[pid] for pid in stock_before),
        "orders_with_exactly_one_email": sum(1 for order in orders if confirmations[order.number] == 1),
        "lost_or_duplicate_emails": sum(1 for order in orders if confirmations[order.number] != 1),
    }


def load_test(mysql_server_url, port=5700):
    """Seed a fresh MariaDB database, serve it with gunicorn, run the clients, check the books."""
    parts = urlsplit(mysql_server_url)
    with pymysql.connect(host=parts.hostname, port=parts.port or 3306, user=parts.username or "root",
                         password=parts.password or "", autocommit=True) as conn, conn.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS fh_load")
        cursor.execute("CREATE DATABASE fh_load CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    url = urlunsplit((parts.scheme, parts.netloc, "/fh_load", "", ""))
    app = create_app({"DATABASE_URL": url, "SHOP_ENV": "testing", "SECRET_KEY": "l" * 40})
    with app.app_context(), database.connection_context():
        migrate()
        seed_catalogue()
        generate_products(PRODUCTS)
        stock_before = {p.id: p.stock for p in Product.select(Product.id, Product.stock)}

    balances_before = {}

    def verify(username):
        """What clicking the emailed link does, done directly so the load test needs no mailbox;
        the starting balance is noted for the books (nothing can be bought before logging in)."""
        with app.app_context(), database.connection_context():
            transaction_with_retry(  # the shop's own writes lock users rows too: retried like theirs
                lambda: User.update(verified_at=User.created_at).where(User.username_lower == username).execute())
            user = User.get(User.username_lower == username)
            balances_before[user.id] = user.balance_cents

    # SHOP_ENV=testing: debug off as in production, but cookies without the Secure flag, because this
    # plain-HTTP loopback test has no TLS proxy in front (production cookies would not come back).
    env = {**os.environ, "DATABASE_URL": url, "SHOP_ENV": "testing", "SECRET_KEY": secrets.token_hex(32),
           "TRUSTED_PROXY_HOPS": "1"}  # the clients play customers behind one proxy, each with its address
    process = subprocess.Popen([os.path.join(ROOT, ".venv", "bin", "gunicorn"), "--workers", "2", "--threads", "4",
                                "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
                               cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        stats, errors, elapsed = run_clients(f"http://127.0.0.1:{port}", verify, SECONDS, CLIENTS)
    finally:
        process.terminate()
        process.wait(15)
    requests_total = sum(len(samples) for samples in stats.values())
    routes = {route: {"requests": len(samples), "p50_ms": round(percentile(samples, 0.5), 1),
                      "p95_ms": round(percentile(samples, 0.95), 1), "p99_ms": round(percentile(samples, 0.99), 1),
                      "errors": len(errors.get(route, []))} for route, samples in sorted(stats.items())}
    result = {"clients": CLIENTS, "seconds": round(elapsed, 1), "products": PRODUCTS + 68,
              "argon2": ARGON2_PROFILES["owasp"], "requests": requests_total,
              "requests_per_second": round(requests_total / elapsed, 1),
              "errors": sum(len(e) for e in errors.values()), "error_samples": sum(errors.values(), [])[:5],
              "routes": routes, "books": books(app, balances_before, stock_before)}
    return result


def print_load(result):
    """The load test's table."""
    print(f"\nload test: {result['clients']} clients for {result['seconds']} s on MariaDB, gunicorn 2 workers")
    print(f"{'route':34} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for route, row in result["routes"].items():
        print(f"{route:34} {row['requests']:>8} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['p99_ms']:>8} {row['errors']:>7}")
    print(f"total {result['requests']} requests, {result['requests_per_second']} req/s, {result['errors']} errors")
    print("books:", ", ".join(f"{key} {value}" for key, value in result["books"].items()))


if __name__ == "__main__":
    print_load(load_test(os.environ.get("SHOP_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306")))
