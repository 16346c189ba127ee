"""make bench: the search fragment at 100,000 products, over real HTTP, on SQLite and MariaDB,
then the mixed-workload load test of bench/load.py on MariaDB, and what read-your-writes costs on a
3-node Galera cluster (bench/cluster.py).

For each database: seed 100,000 generated products (timed), start gunicorn with 2 workers, send a
fixed list of as-you-type queries one at a time (p50/p95 per kind), then from 8 concurrent clients
for a fixed time (throughput), and time a naive LIKE '%q%' query on the same data as the baseline.
Prints a table and writes bench/results.json. Timings here are noisy: read ratios and percentiles.
"""
import http.client
import json
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit, urlunsplit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import pymysql  # noqa: E402
from cluster import cluster_bench, print_cluster  # noqa: E402  (bench/cluster.py)
from load import load_test, print_load  # noqa: E402  (bench/load.py)

from shop import create_app  # noqa: E402
from shop.db import database  # noqa: E402
from shop.migrations import migrate  # noqa: E402
from shop.models import Product  # noqa: E402
from shop.seeding import generate_products, seed_catalogue  # noqa: E402

PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "100000"))
MYSQL_URL = os.environ.get("SHOP_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
LOAD_SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
RESULTS = os.path.join(ROOT, "bench", "results.json")
DATA = os.path.join(ROOT, "bench", "data")

QUERIES = {
    "2-letter prefix": ["q=mo", "q=ph", "q=fe", "q=ca", "q=al"],
    "whole words": ["q=monstera", "q=philodendron", "q=fern", "q=cactus", "q=green+wave"],
    "SKU": ["q=FH-10042", "q=10042", "q=FH-5", "q=FH-1000"],
    "filters combined": ["q=fern&category=ferns&min_price=10&max_price=50", "availability=in_stock&sort=price_asc",
                         "min_rating=4.5&sort=rating", "category=herbs&sort=price_desc", "q=alba&availability=in_stock"],
    "no search": ["", "page=20"],
}


def percentile(samples, fraction):
    """The value below which `fraction` of the samples fall."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def mysql_bench_url():
    """A fresh fh_bench database on the MariaDB server, or None when none answers."""
    parts = urlsplit(MYSQL_URL)
    try:
        conn = pymysql.connect(host=parts.hostname, port=parts.port or 3306, user=parts.username or "root",
                               password=parts.password or "", autocommit=True, connect_timeout=3)
    except pymysql.MySQLError:
        return None
    with conn, conn.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS fh_bench")
        cursor.execute("CREATE DATABASE fh_bench CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    return urlunsplit((parts.scheme, parts.netloc, "/fh_bench", "", ""))


def seed(url):
    """Create the schema and 100,000 products; return the seconds the generated products took."""
    app = create_app({"DATABASE_URL": url, "SHOP_ENV": "testing", "SECRET_KEY": "b" * 40})
    with app.app_context(), database.connection_context():
        migrate()
        seed_catalogue()
        started = time.perf_counter()
        generate_products(PRODUCTS)
        return time.perf_counter() - started, app


def naive_like(app, text, rounds=10):
    """Time the naive baseline: LIKE '%text%' on name and description, ordered, first page."""
    samples = []
    with app.app_context(), database.connection_context():
        for _ in range(rounds):
            started = time.perf_counter()
            list(Product.select(Product.id)
                 .where(Product.name.contains(text) | Product.description.contains(text))
                 .order_by(Product.name).limit(24).tuples())
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def start_server(url, port):
    """gunicorn with 2 workers on the bench database; returns the process once /healthz answers."""
    env = {**os.environ, "DATABASE_URL": url, "SHOP_ENV": "production", "SECRET_KEY": secrets.token_hex(32)}
    process = subprocess.Popen(
        [os.path.join(ROOT, ".venv", "bin", "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def fetch(conn, path, fragment=True):
    """One GET on a kept-alive connection: (milliseconds, status, bytes)."""
    started = time.perf_counter()
    conn.request("GET", path, headers={"HX-Request": "true"} if fragment else {})
    response = conn.getresponse()
    body = response.read()
    return (time.perf_counter() - started) * 1000, response.status, len(body)


def sequential(port):
    """Each query ROUNDS times, one at a time: latency per query kind. Then the category counts
    the filter panel asks for after each first page (a request of its own, reported apart)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    kinds, counts, errors = {}, [], 0
    for kind, queries in QUERIES.items():
        samples = []
        for query in queries:
            path = "/products" + (f"?{query}" if query else "")
            for _ in range(2):
                fetch(conn, path)
            for _ in range(ROUNDS):
                ms, status, _ = fetch(conn, path)
                samples.append(ms)
                errors += status != 200
        kinds[kind] = samples
    for queries in QUERIES.values():
        for query in queries:
            path = "/products/category-counts" + (f"?{query}" if query else "")
            fetch(conn, path)
            for _ in range(max(ROUNDS // 4, 3)):
                ms, status, _ = fetch(conn, path)
                counts.append(ms)
                errors += status != 200
    return kinds, counts, errors


def load(port):
    """CLIENTS threads sending the whole query mix for LOAD_SECONDS: throughput and latency."""
    paths = ["/products" + (f"?{q}" if q else "") for queries in QUERIES.values() for q in queries]
    samples, errors, deadline = [], [0], time.monotonic() + LOAD_SECONDS
    lock = threading.Lock()

    def client(offset):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, n = [], offset
        while time.monotonic() < deadline:
            ms, status, _ = fetch(conn, paths[n % len(paths)])
            mine.append(ms)
            n += 1
            if status != 200:
                with lock:
                    errors[0] += 1
        with lock:
            samples.extend(mine)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i * 3,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {"clients": CLIENTS, "seconds": round(elapsed, 1), "requests": len(samples),
            "requests_per_second": round(len(samples) / elapsed, 1),
            "p50_ms": round(percentile(samples, 0.5), 1), "p95_ms": round(percentile(samples, 0.95), 1),
            "errors": errors[0]}


def bench(engine, url, port):
    """Every measurement for one database."""
    print(f"[{engine}] seeding {PRODUCTS:,} products ...", flush=True)
    seed_seconds, app = seed(url)
    like = {}
    for queries in QUERIES.values():
        for query in queries:
            if query.startswith("q="):
                text = query.split("&")[0][2:].replace("+", " ")
                like[text] = naive_like(app, text)
    like_all = [ms for samples in like.values() for ms in samples]
    process = start_server(url, port)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        _, _, fragment_bytes = fetch(conn, "/products?q=fern")
        _, _, page_bytes = fetch(conn, "/products?q=fern", fragment=False)
        print(f"[{engine}] sequential queries ...", flush=True)
        kinds, counts, errors = sequential(port)
        print(f"[{engine}] {CLIENTS} concurrent clients for {LOAD_SECONDS:g} s ...", flush=True)
        concurrent = load(port)
    finally:
        process.terminate()
        process.wait(10)
    every = [ms for samples in kinds.values() for ms in samples]
    return {
        "engine": engine, "products": product_count(app), "seed_seconds": round(seed_seconds, 1),
        "search_fragment": {kind: {"p50_ms": round(percentile(s, 0.5), 1), "p95_ms": round(percentile(s, 0.95), 1),
                                   "requests": len(s)} for kind, s in kinds.items()},
        "search_fragment_all": {"p50_ms": round(percentile(every, 0.5), 1),
                                "p95_ms": round(percentile(every, 0.95), 1), "errors": errors},
        "category_counts": {"p50_ms": round(percentile(counts, 0.5), 1), "p95_ms": round(percentile(counts, 0.95), 1),
                            "requests": len(counts)},
        "naive_like_query_only": {"p50_ms": round(percentile(like_all, 0.5), 1),
                                  "p95_ms": round(percentile(like_all, 0.95), 1),
                                  "per_query_p50_ms": {t: round(statistics.median(s), 1) for t, s in like.items()}},
        "bytes": {"fragment": fragment_bytes, "page": page_bytes, "ratio": round(fragment_bytes / page_bytes, 3)},
        "concurrent": concurrent,
    }


def product_count(app):
    """How many products the benchmark database holds."""
    with app.app_context(), database.connection_context():
        return Product.select().count()


def main():
    """Run every available database, print the table, write bench/results.json."""
    os.makedirs(DATA, exist_ok=True)
    sqlite_path = os.path.join(DATA, "bench.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(sqlite_path + suffix):
            os.remove(sqlite_path + suffix)
    engines = [("sqlite", f"sqlite:///{sqlite_path}")]
    mysql = mysql_bench_url()
    engines += [("mariadb", mysql)] if mysql else []
    if not mysql:
        print(f"(MariaDB at {MYSQL_URL} is not reachable: SQLite only)")
    results = [bench(engine, url, 5600 + n) for n, (engine, url) in enumerate(engines)]
    print(f"\n{'engine':8} {'what':34} {'p50 ms':>8} {'p95 ms':>8}")
    for r in results:
        print(f"{r['engine']:8} {'seed ' + format(r['products'], ',') + ' products (s)':34} {r['seed_seconds']:>8}")
        for kind, row in r["search_fragment"].items():
            print(f"{r['engine']:8} {'fragment: ' + kind:34} {row['p50_ms']:>8} {row['p95_ms']:>8}")
        row = r["search_fragment_all"]
        print(f"{r['engine']:8} {'fragment: all queries (HTTP)':34} {row['p50_ms']:>8} {row['p95_ms']:>8}")
        row = r["category_counts"]
        print(f"{r['engine']:8} {'category counts (own request)':34} {row['p50_ms']:>8} {row['p95_ms']:>8}")
        row = r["naive_like_query_only"]
        print(f"{r['engine']:8} {'naive LIKE, the query alone':34} {row['p50_ms']:>8} {row['p95_ms']:>8}")
        c = r["concurrent"]
        label = f"{c['clients']} clients: {c['requests_per_second']} req/s"
        print(f"{r['engine']:8} {label:34} {c['p50_ms']:>8} {c['p95_ms']:>8}  errors {c['errors']}")
        print(f"{r['engine']:8} fragment/page bytes: {r['bytes']['fragment']}/{r['bytes']['page']} = {r['bytes']['ratio']}")
    load = None
    if mysql:
        print("\n[mariadb] load test: mixed workload ...", flush=True)
        load = load_test(MYSQL_URL)
        print_load(load)
    print("\n[galera] read your own writes across nodes ...", flush=True)
    cluster = cluster_bench()
    print_cluster(cluster)
    with open(RESULTS, "w") as handle:
        json.dump({"measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "machine": "2 cores",
                   "results": results, "load_test": load, "cluster": cluster}, handle, indent=2)
    print("\nwritten to bench/results.json")


if __name__ == "__main__":
    main()
