"""What read-your-writes costs on a Galera cluster: `python bench/cluster.py` (part of `make bench`
when galera-4 is installed and it runs as root).

Starts a 3-node cluster (scripts/galera-cluster), a shop database on it, and two gunicorn servers per
setting of DATABASE_WSREP_SYNC_WAIT (0 = off, 1 = reads wait for the cluster): one on node 0 and one
on node 1. For each setting: a customer buys through node 0 and at once opens the receipt through
node 1 (how often is it missing?), and the cart page is read through node 1 (what does a read cost?),
once on an idle cluster and once while 4 other clients keep node 0 writing.
Also checkout latency through one node, for comparison with a single server.
Prints a table and returns the figures; bench/run.py stores them in bench/results.json.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import pymysql  # noqa: E402
import requests  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402

from shop import create_app  # noqa: E402
from shop.db import database, transaction_with_retry  # noqa: E402
from shop.migrations import migrate  # noqa: E402
from shop.models import CartItem, Product, User, utcnow  # noqa: E402
from shop.orders.ledger import open_balance  # noqa: E402
from shop.seeding import seed_catalogue  # noqa: E402

SCRIPT = os.path.join(ROOT, "scripts", "galera-cluster")
BASE_PORT = int(os.environ.get("BENCH_GALERA_PORT", "25306"))
ROUNDS = int(os.environ.get("BENCH_CLUSTER_ROUNDS", "100"))
SECRET = "c" * 40
FIELDS = ("csrf_token", "idempotency_key", "expected_total_cents")
ALERT = re.compile(r'role="alert">([^<]+)')


def percentile(samples, fraction):
    """The value below which `fraction` of the samples fall."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def free_port():
    """A TCP port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db_url, sync_wait):
    """gunicorn on one node with the given wsrep_sync_wait; returns (process, base url)."""
    port = free_port()
    env = {**os.environ, "SHOP_ENV": "testing", "SECRET_KEY": SECRET, "DATABASE_URL": db_url,
           "MAIL_BACKEND": "outbox", "DATABASE_WSREP_SYNC_WAIT": str(sync_wait)}
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4", "--bind",
                                f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
                               cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if requests.get(url + "/healthz", timeout=1).ok:
                return process, url
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def cart_form(session, url):
    """The checkout form's hidden fields from /cart."""
    html = session.get(url + "/cart").text
    form = html[html.index('id="checkout-form"'):]
    return {name: re.search(rf'name="{name}" value="([^"]*)"', form).group(1) for name in FIELDS}


def log_in(url, username):
    """A requests session logged in as the bench customer, and its CSRF token."""
    session = requests.Session()
    token = re.search(r'name="csrf-token" content="([^"]+)"', session.get(url + "/login").text).group(1)
    session.post(url + "/login", data={"login": username, "password": "Gr33n-Fingers", "csrf_token": token})
    token = re.search(r'name="csrf-token" content="([^"]+)"', session.get(url + "/").text).group(1)
    return session, token


def background_writes(url, stop):
    """Keep node 0 writing (another customer adding and removing a plant) so replication has a queue."""
    session, token = log_in(url, "clusterload")
    while not stop.is_set():
        for path in ("/cart/add", "/cart/remove"):
            session.post(url + path, data={"sku": "FH-10001", "csrf_token": token}, headers={"HX-Request": "true"})


def measure(db_urls, sync_wait, user_id, sku_id, load):
    """Buy through node 0, read the receipt through node 1; time cart reads and checkouts."""
    servers = [start_server(db_urls[0], sync_wait), start_server(db_urls[1], sync_wait)]
    (_, url_a), (_, url_b) = servers
    stop, writers = threading.Event(), []
    try:
        session, _ = log_in(url_a, "clusterbench")
        writers = [threading.Thread(target=background_writes, args=(url_a, stop)) for _ in range(load)]
        for writer in writers:
            writer.start()
        missing, checkout_ms, receipt_ms, cart_ms = 0, [], [], []
        for _ in range(ROUNDS):
            with database.connection_context():
                CartItem.create(user=user_id, product=sku_id, quantity=1)
            form = cart_form(session, url_a)
            started = time.perf_counter()
            bought = session.post(url_a + "/checkout", data=form, allow_redirects=False)
            if bought.status_code != 303:
                alerts = ALERT.findall(bought.text)
                raise RuntimeError(f"checkout answered {bought.status_code}: {alerts}")
            checkout_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            receipt = session.get(url_b + bought.headers["Location"])
            receipt_ms.append((time.perf_counter() - started) * 1000)
            missing += receipt.status_code == 404
            started = time.perf_counter()
            session.get(url_b + "/cart")
            cart_ms.append((time.perf_counter() - started) * 1000)
        return {"wsrep_sync_wait": sync_wait, "background_writers": load, "rounds": ROUNDS,
                "receipt_missing_on_other_node": missing,
                "checkout_p50_ms": round(percentile(checkout_ms, 0.5), 1),
                "checkout_p95_ms": round(percentile(checkout_ms, 0.95), 1),
                "receipt_other_node_p50_ms": round(percentile(receipt_ms, 0.5), 1),
                "receipt_other_node_p95_ms": round(percentile(receipt_ms, 0.95), 1),
                "cart_other_node_p50_ms": round(percentile(cart_ms, 0.5), 1),
                "cart_other_node_p95_ms": round(percentile(cart_ms, 0.95), 1)}
    finally:
        stop.set()
        for writer in writers:
            writer.join(10)
        for process, _ in servers:
            process.terminate()
            process.wait(15)


def cluster_bench():
    """Start the cluster, measure both settings, stop it; None when Galera is not installed."""
    if not os.path.exists("/usr/lib/galera/libgalera_smm.so") or os.geteuid() != 0:
        print("cluster bench skipped: needs galera-4 and root")
        return None
    workdir = tempfile.mkdtemp(prefix="fh-galera-bench-")
    subprocess.run([SCRIPT, "start", workdir, str(BASE_PORT)], check=True)
    try:
        servers = [f"mysql://root@127.0.0.1:{BASE_PORT + 10 * n}" for n in range(3)]
        with pymysql.connect(host="127.0.0.1", port=BASE_PORT, user="root", autocommit=True) as conn:
            conn.cursor().execute("CREATE DATABASE fh_cluster_bench CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        db_urls = [server + "/fh_cluster_bench" for server in servers]
        app = create_app({"DATABASE_URL": db_urls[2], "SHOP_ENV": "testing", "SECRET_KEY": SECRET})
        with app.app_context():
            migrate()
            with database.connection_context():
                seed_catalogue()
                Product.update(stock=100_000, price_cents=1_00).execute()  # 4 x 100 purchases fit the balance

                def create(name, member_id):
                    user = User.create(member_id=member_id, username=name, email=f"{name}@example.com",
                                       username_lower=name, balance_cents=1500_00, verified_at=utcnow(),
                                       password_hash=PasswordHasher(time_cost=1, memory_cost=8,
                                                                    parallelism=1).hash("Gr33n-Fingers"))
                    open_balance(user.id, 1500_00)
                    return user.id

                user_id = transaction_with_retry(lambda: create("clusterbench", "FH-BNCH-0001"))
                transaction_with_retry(lambda: create("clusterload", "FH-BNCH-0002"))
                basil = Product.get(Product.sku == "FH-10042").id
            results = [measure(db_urls, setting, user_id, basil, load) for load in (0, 4) for setting in (0, 1)]
        return {"nodes": 3, "rows": results}
    finally:
        subprocess.run([SCRIPT, "stop", workdir], check=False)
        shutil.rmtree(workdir, ignore_errors=True)


def print_cluster(result):
    """The cluster table."""
    if not result:
        return
    print(f"\nGalera cluster ({result['nodes']} nodes on loopback): buy through node 0, read through node 1")
    print(f"{'writers':>7} {'wsrep_sync_wait':>15} {'receipt 404s':>13} {'checkout p50/p95':>17} {'receipt p50/p95':>16} "
          f"{'cart p50/p95':>13}")
    for row in result["rows"]:
        print(f"{row['background_writers']:>7} {row['wsrep_sync_wait']:>15} "
              f"{row['receipt_missing_on_other_node']:>6} of {row['rounds']:<4} "
              f"{row['checkout_p50_ms']:>8}/{row['checkout_p95_ms']:<8} {row['receipt_other_node_p50_ms']:>7}/"
              f"{row['receipt_other_node_p95_ms']:<8} {row['cart_other_node_p50_ms']:>6}/{row['cart_other_node_p95_ms']}")


if __name__ == "__main__":
    print_cluster(cluster_bench())
