"""make bench: seed 100,000 products on SQLite and MariaDB, then time catalogue requests.

Prints a table and writes bench/results.json. Figures are ratios and percentiles, measured on
this machine; they are never asserted in tests (timings here are noisy).
"""
import json
import os
import statistics
import sys
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import pymysql  # noqa: E402

from shop import PROJECT_ROOT, create_app  # noqa: E402
from shop.db import database  # noqa: E402
from shop.models import create_schema  # noqa: E402
from shop.seeding import generate_products, seed_catalogue  # noqa: E402

PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "100000"))
MYSQL_URL = os.environ.get("SHOP_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
QUERIES = [
    "/products",
    "/products?category=ferns",
    "/products?min_price=10&max_price=40&sort=price_asc",
    "/products?min_rating=4.5&availability=in_stock&sort=rating",
    "/products?page=50",
]
RESULTS = os.path.join(PROJECT_ROOT, "bench", "results.json")


def percentile(samples, fraction):
    """The value below which `fraction` of the samples fall."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def mysql_database():
    """A fresh MariaDB database for the benchmark, or None when no server answers."""
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


def bench_engine(name, url):
    """Seed and time one engine; return its figures."""
    app = create_app({"DATABASE_URL": url, "SHOP_ENV": "testing", "SECRET_KEY": "b" * 40})
    with app.app_context(), database.connection_context():
        create_schema(os.path.join(PROJECT_ROOT, "schema.sql"))
        seed_catalogue()
        started = time.perf_counter()
        generate_products(PRODUCTS)
        seed_seconds = time.perf_counter() - started
    client = app.test_client()
    figures = {"engine": name, "products": PRODUCTS, "seed_seconds": round(seed_seconds, 2), "requests": {}}
    for query in QUERIES:
        client.get(query, headers={"HX-Request": "true"})  # warm up
        samples = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            response = client.get(query, headers={"HX-Request": "true"})
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (query, response.status_code)
        figures["requests"][query] = {
            "p50_ms": round(statistics.median(samples), 1), "p95_ms": round(percentile(samples, 0.95), 1),
            "fragment_bytes": len(response.data),
        }
    page = client.get("/products")
    figures["page_bytes"] = len(page.data)
    return figures


def main():
    """Run every engine that is available, print the table, write results.json."""
    engines = [("sqlite", f"sqlite:///{tempfile.mkdtemp(prefix='fh-bench-')}/bench.db")]
    mysql = mysql_database()
    if mysql:
        engines.append(("mariadb", mysql))
    else:
        print(f"(MariaDB at {MYSQL_URL} not reachable: SQLite only)")
    results = [bench_engine(name, url) for name, url in engines]
    print(f"\n{'engine':8} {'query':58} {'p50 ms':>7} {'p95 ms':>7} {'bytes':>7}")
    for figures in results:
        print(f"{figures['engine']:8} seed {figures['products']:,} products: {figures['seed_seconds']} s")
        for query, row in figures["requests"].items():
            print(f"{figures['engine']:8} {query:58} {row['p50_ms']:7} {row['p95_ms']:7} {row['fragment_bytes']:7}")
    with open(RESULTS, "w") as handle:
        json.dump({"measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "results": results},
                  handle, indent=2)
    print(f"\nwritten to {os.path.relpath(RESULTS, PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
