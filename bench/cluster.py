"""What read-your-writes costs on a Galera cluster: `python bench/cluster.py` (part of `make bench`
when galera-4 is installed and it runs as root).

Starts a 3-node cluster (scripts/galera-cluster), a shop database on it, and two gunicorn servers per
setting of DATABASE_WSREP_SYNC_WAIT (0 = off, 1 = reads wait for the cluster): one on node 0 and one
on node 1. For each setting: a customer buys through node 0 and at once opens the receipt through
node 1 (how often is it missing?), and the cart page is read through node 1 (what does a read cost?).
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


def measure(db_urls, sync_wait, user_id, sku_id):
    """Buy through node 0, read the receipt through node 1; time cart reads and checkouts."""
    servers = [start_server(db_urls[0], sync_wait), start_server(db_urls[1], sync_wait)]
    (_, url_a), (_, url_b) = servers
    try:
        session = requests.Session()
        html = session.get(url_a + "/login").text
        token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
        session.post(url_a + "/login", data={"login": "clusterbench", "password": "Gr33n-Fingers",
                                             "csrf_token": token})
        missing, checkout_ms, receipt_ms, cart_ms = 0, [], [], []
        for _ in range(ROUNDS):
            with database.connection_context():
                CartItem.create(user=user_id, product=sku_id, quantity=1)
            form = cart_form(session, url_a)
            started = time.perf_counter()
            bought = session.post(url_a + "/checkout", data=form, allow_redirects=False)
            checkout_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            receipt = session.get(url_b + bought.headers["Location"])
            receipt_ms.append((time.perf_counter() - started) * 1000)
            missing += receipt.status_code == 404
            started = time.perf_counter()
            session.get(url_b + "/cart")
            cart_ms.append((time.perf_counter() - started) * 1000)
        return {"wsrep_sync_wait": sync_wait, "rounds": ROUNDS, "receipt_missing_on_other_node": missing,
                "checkout_p50_ms": round(percentile(checkout_ms, 0.5), 1),
                "checkout_p95_ms": round(percentile(checkout_ms, 0.95), 1),
                "receipt_other_node_p50_ms": round(percentile(receipt_ms, 0.5), 1),
                "receipt_other_node_p95_ms": round(percentile(receipt_ms, 0.95), 1),
                "cart_other_node_p50_ms": round(percentile(cart_ms, 0.5), 1),
                "cart_other_node_p95_ms": round(percentile(cart_ms, 0.95), 1)}
    finally:
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
                Product.update(stock=100_000).execute()

                def create():
                    user = User.create(member_id="FH-BNCH-0001", username="clusterbench", email="b@example.com",
                                       username_lower="clusterbench", balance_cents=1500_00, verified_at=utcnow(),
                                       password_hash=PasswordHasher(time_cost=1, memory_cost=8,
                                                                    parallelism=1).hash("Gr33n-Fingers"))
                    open_balance(user.id, 1500_00)
                    return user.id

                user_id = transaction_with_retry(create)
                basil = Product.get(Product.sku == "FH-10042").id
            results = [measure(db_urls, setting, user_id, basil) for setting in (0, 1)]
        return {"nodes": 3, "rows": results}
    finally:
        subprocess.run([SCRIPT, "stop", workdir], check=False)
        shutil.rmtree(workdir, ignore_errors=True)


def print_cluster(result):
    """The cluster table."""
    if not result:
        return
    print(f"\nGalera cluster ({result['nodes']} nodes on loopback): buy through node 0, read through node 1")
    print(f"{'wsrep_sync_wait':>15} {'receipt 404s':>13} {'checkout p50/p95':>17} {'receipt p50/p95':>16} "
          f"{'cart p50/p95':>13}")
    for row in result["rows"]:
        print(f"{row['wsrep_sync_wait']:>15} {row['receipt_missing_on_other_node']:>6} of {row['rounds']:<4} "
              f"{row['checkout_p50_ms']:>8}/{row['checkout_p95_ms']:<8} {row['receipt_other_node_p50_ms']:>7}/"
              f"{row['receipt_other_node_p95_ms']:<8} {row['cart_other_node_p50_ms']:>6}/{row['cart_other_node_p95_ms']}")


if __name__ == "__main__":
    print_cluster(cluster_bench())
