"""make bench: the search fragment at 100,000 products, over real HTTP, on SQLite and MariaDB (each query
kind hot, its answer kept, and cold, the first after a catalogue change; the did-you-mean cost),
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

# The kinds of query a person types, each a few real queries (the p50/p95/p99 table is per kind).
QUERIES = {
    "2 letters": ["q=mo", "q=ph", "q=fe", "q=ca", "q=al"],
    "3 letters": ["q=mon", "q=phi", "q=fer", "q=cal", "q=pal"],
    "5 letters": ["q=monst", "q=philo", "q=fiddl", "q=calat", "q=orchi"],
    "whole word": ["q=monstera", "q=philodendron", "q=orchid", "q=lavender", "q=green+wave"],
    "SKU": ["q=FH-10042", "q=10042", "q=FH-5", "q=FH-1000"],
    "category name": ["q=Succulents+%26+Cacti", "q=house", "q=plant", "q=soil", "q=ferns", "q=cactus"],
    "filters combined": ["q=fern&category=ferns&min_price=10&max_price=50", "availability=in_stock&sort=price_asc",
                         "min_rating=4.5&sort=rating", "category=herbs&sort=price_desc", "q=alba&availability=in_stock"],
    "no search": ["", "page=20"],
    "typo (did you mean)": ["q=monstrea", "q=lavendar", "q=philodendrn", "q=calathae"],
}
TYPOS = ["monstrea", "lavendar", "philodendrn", "calathae", "orchd", "fidle leaf", "zz plantt", "begonai"]
COLD_ROUNDS = int(os.environ.get("BENCH_COLD_ROUNDS", "10"))
SIZE_RUN = PRODUCTS != 100000  # make bench SIZE=...: the search figures only, kept beside the others
ENGINES = os.environ.get("BENCH_ENGINES", "sqlite,mariadb").split(",")


def percentile(samples, fraction):
    """The value below which `fraction` of the samples fall."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def buffer_pool(size=None):
    """MariaDB's InnoDB buffer pool in bytes; with `size`, first set it (online, SET GLOBAL). A database
    that does not fit the pool is read from disk query after query: at 1,000,000 products (~600 MB) the
    server's default 128 MB made every search a cold read. Production sizes the pool to hold the data
    (docs/SCALING.md); the bench does the same for the run and puts the old size back afterwards."""
    parts = urlsplit(MYSQL_URL)
    conn = pymysql.connect(host=parts.hostname, port=parts.port or 3306, user=parts.username or "root",
                           password=parts.password or "", autocommit=True)
    with conn, conn.cursor() as cursor:
        if size:
            cursor.execute("SET GLOBAL innodb_buffer_pool_size = %s", (int(size),))
            time.sleep(2)  # the resize runs in the background, chunk by chunk
        cursor.execute("SELECT @@innodb_buffer_pool_size")
        return int(cursor.fetchone()[0])


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
    """One GET on a kept-alive connection, as a browser sends it: with the session cookie the site set
    (kept on the connection, one visitor per connection). Returns (milliseconds, status, bytes)."""
    headers = {"HX-Request": "true", "HX-Target": "results"} if fragment else {}
    if getattr(conn, "cookie", None):
        headers["Cookie"] = conn.cookie
    started = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    cookie = response.getheader("Set-Cookie")
    if cookie:
        conn.cookie = cookie.split(";", 1)[0]
    return elapsed, response.status, len(body)


def move_version(url):
    """Move the catalogue's version, as any change to a product does: every kept answer is forgotten."""
    if url.startswith("sqlite"):
        import sqlite3
        with sqlite3.connect(url[len("sqlite:///"):]) as conn:
            conn.execute("UPDATE catalogue_state SET version = version + 1 WHERE id = 1")
        return
    parts = urlsplit(url)
    conn = pymysql.connect(host=parts.hostname, port=parts.port or 3306, user=parts.username or "root",
                           password=parts.password or "", database=parts.path.lstrip("/"), autocommit=True)
    with conn, conn.cursor() as cursor:
        cursor.execute("UPDATE catalogue_state SET version = version + 1 WHERE id = 1")


def sequential(port, url=None):
    """Each query one at a time, as the keystroke sends them: the fragment, then the category counts the
    filter panel asks for after it. Returns {query: fragment ms}, {query: counts ms}, errors. Kinds are
    interleaved round by round, so noise hits every kind alike.

    Hot (no `url`): ROUNDS rounds after one warm-up, so each answer is the one the workers kept
    (catalog/answers.py), as for the many people who type the same first letters. Cold (`url` given): the
    catalogue's version is moved before every query (not timed), so each is computed from the database, as
    the first time a search is typed after a product changed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    every = [query for queries in QUERIES.values() for query in queries]
    fragment, counts, errors = {q: [] for q in every}, {q: [] for q in every}, 0
    for query in every:  # warm up (the server's caches of templates and statements, and the answers)
        fetch(conn, "/products" + (f"?{query}" if query else ""))
        fetch(conn, "/products/category-counts" + (f"?{query}" if query else ""))
    for _ in range(COLD_ROUNDS if url else ROUNDS):
        for query in every:
            if url:
                move_version(url)
            ms, status, _ = fetch(conn, "/products" + (f"?{query}" if query else ""))
            fragment[query].append(ms)
            errors += status != 200
            ms, status, _ = fetch(conn, "/products/category-counts" + (f"?{query}" if query else ""))
            counts[query].append(ms)
            errors += status != 200
    return fragment, counts, errors


def did_you_mean_cost(app, rounds=20):
    """What the spelling correction adds: suggest() for misspelt words, timed in the process on the bench
    database with its vocabulary built (p50/p95 ms), and the first build of that vocabulary."""
    from shop.catalog import spelling

    with app.app_context(), database.connection_context():
        spelling.forget()
        started = time.perf_counter()
        spelling.vocabulary()
        build_ms = (time.perf_counter() - started) * 1000
        samples, found = [], {}
        for _ in range(rounds):
            for typo in TYPOS:
                started = time.perf_counter()
                found[typo] = spelling.suggest(typo)
                samples.append((time.perf_counter() - started) * 1000)
    return {"suggest_p50_ms": round(percentile(samples, 0.5), 2), "suggest_p95_ms": round(percentile(samples, 0.95), 2),
            "vocabulary_build_ms": round(build_ms, 1), "vocabulary_words": len(spelling._cache["words"]),
            "corrections": found}


def spread(samples):
    """p50, p95 and p99 of a list of milliseconds, and how many."""
    return {"p50_ms": round(percentile(samples, 0.5), 1), "p95_ms": round(percentile(samples, 0.95), 1),
            "p99_ms": round(percentile(samples, 0.99), 1), "requests": len(samples)}


def plan_of(app, query):
    """How the database answers one catalogue query string: which path (a named shelf's index, or the
    general query) and the plan of its main statement (EXPLAIN QUERY PLAN / EXPLAIN)."""
    from urllib.parse import parse_qsl

    from werkzeug.datastructures import MultiDict

    from shop.catalog.filters import parse_filters
    from shop.catalog.listing import all_categories, filtered_products
    from shop.catalog.shelves import named_shelf
    from shop.db import is_mysql

    with app.test_request_context(), database.connection_context():
        filters, _ = parse_filters(MultiDict(parse_qsl(query)))
        categories = all_categories()
        shelf = named_shelf(filters, categories)
        if shelf:
            from peewee import Case

            from shop.catalog.search import engine
            parsed = shelf[0]
            statement = Product.select(Product.id, Product.rating_count, Product.category, Case(
                None, [(engine().matches(parsed.words, name_only=True), 1)], 0)).where(engine().matches(parsed.words))
            path = "named shelf: its index, plus the text matches"
        else:
            from peewee import SQL, fn

            from shop.catalog.search import parse_query
            counted = [fn.COUNT(SQL("*")).over()] if parse_query(filters["q"]) else []  # as page_of() asks
            statement = filtered_products(filters, categories).select(Product.id, *counted).limit(25)
            path = "general query"
        sql, params = statement.sql()
        prefix = "EXPLAIN " if is_mysql() else "EXPLAIN QUERY PLAN "
        rows = database.execute_sql(prefix + sql, params).fetchall()
        return {"path": path, "plan": [" | ".join(str(cell) for cell in row) for row in rows]}


def database_megabytes(engine, url):
    """The size of the benchmark database on disk (SQLite: the file; MariaDB: data and indexes)."""
    if engine == "sqlite":
        path = url[len("sqlite:///"):]
        return round(sum(os.path.getsize(path + s) for s in ("", "-wal") if os.path.exists(path + s)) / 2**20, 1)
    parts = urlsplit(url)
    conn = pymysql.connect(host=parts.hostname, port=parts.port or 3306, user=parts.username or "root",
                           password=parts.password or "")
    with conn, conn.cursor() as cursor:
        cursor.execute("SELECT SUM(data_length + index_length) FROM information_schema.tables "
                       "WHERE table_schema = 'fh_bench'")
        return round(float(cursor.fetchone()[0]) / 2**20, 1)


def hello_throughput(port):
    """A bare Flask "hello" route under the same gunicorn and clients: the ceiling of this machine."""
    env = {**os.environ, "PYTHONPATH": os.path.join(ROOT, "bench")}
    process = subprocess.Popen(
        [os.path.join(ROOT, ".venv", "bin", "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "hello:app"], cwd=os.path.join(ROOT, "bench"), env=env)
    try:
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        return load(port, ["/healthz"])
    finally:
        process.terminate()
        process.wait(10)


def load(port, paths=None):
    """CLIENTS threads sending the whole query mix (or `paths`) for LOAD_SECONDS: throughput and latency."""
    paths = paths or ["/products" + (f"?{q}" if q else "") for queries in QUERIES.values() for q in queries]
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
    if not SIZE_RUN:
        for queries in QUERIES.values():
            for query in queries:
                if query.startswith("q=") and "&" not in query:
                    text = query[2:].replace("+", " ")
                    like[text] = naive_like(app, text)
    like_all = [ms for samples in like.values() for ms in samples]
    process = start_server(url, port)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        _, _, fragment_bytes = fetch(conn, "/products?q=fern")
        _, _, page_bytes = fetch(conn, "/products?q=fern", fragment=False)
        print(f"[{engine}] sequential queries, answers kept (hot) ...", flush=True)
        hot = sequential(port)
        print(f"[{engine}] sequential queries, each after a catalogue change (cold) ...", flush=True)
        cold = sequential(port, url)
        concurrent = None
        if not SIZE_RUN:
            print(f"[{engine}] {CLIENTS} concurrent clients for {LOAD_SECONDS:g} s ...", flush=True)
            concurrent = load(port)
    finally:
        process.terminate()
        process.wait(10)
    result = {
        "engine": engine, "products": product_count(app), "seed_seconds": round(seed_seconds, 1),
        "database_mb": database_megabytes(engine, url),
        **summary(*hot), "cold": summary(*cold, app=app), "did_you_mean": did_you_mean_cost(app),
    }
    if not SIZE_RUN:
        result.update({
            "naive_like_query_only": {"p50_ms": round(percentile(like_all, 0.5), 1),
                                      "p95_ms": round(percentile(like_all, 0.95), 1),
                                      "per_query_p50_ms": {t: round(statistics.median(s), 1) for t, s in like.items()}},
            "bytes": {"fragment": fragment_bytes, "page": page_bytes, "ratio": round(fragment_bytes / page_bytes, 3)},
            "concurrent": concurrent,
        })
    return result


def summary(fragment, counts, errors, app=None):
    """Per-kind p50/p95/p99 of the fragment and the counts, over all, and the five slowest queries
    (with the database's plan for each when `app` is given)."""
    kinds = {kind: [ms for q in queries for ms in fragment[q]] for kind, queries in QUERIES.items()}
    count_kinds = {kind: [ms for q in queries for ms in counts[q]] for kind, queries in QUERIES.items()}
    every = [ms for samples in kinds.values() for ms in samples]
    every_count = [ms for samples in count_kinds.values() for ms in samples]
    slowest = sorted(fragment, key=lambda q: percentile(fragment[q], 0.95), reverse=True)[:5]
    return {
        "search_fragment": {kind: spread(samples) for kind, samples in kinds.items()},
        "search_fragment_all": {**spread(every), "errors": errors},
        "category_counts": {kind: spread(samples) for kind, samples in count_kinds.items()},
        "category_counts_all": spread(every_count),
        "slowest": [{"query": q or "(none)", **spread(fragment[q]), "counts_p95_ms": spread(counts[q])["p95_ms"],
                     **(plan_of(app, q) if app else {})} for q in slowest],
    }


def product_count(app):
    """How many products the benchmark database holds."""
    with app.app_context(), database.connection_context():
        return Product.select().count()


def print_table(engine, figures, title):
    """One per-kind table (hot or cold): fragment and counts p50/p95/p99, and the slowest queries."""
    print(f"{engine:8} {title}")
    for kind, row in figures["search_fragment"].items():
        c = figures["category_counts"][kind]
        print(f"{engine:8} {kind:30} {row['p50_ms']:>7} {row['p95_ms']:>7} {row['p99_ms']:>7}"
              f"          {c['p50_ms']:>6} {c['p95_ms']:>7} {c['p99_ms']:>7}")
    row, c = figures["search_fragment_all"], figures["category_counts_all"]
    print(f"{engine:8} {'ALL':30} {row['p50_ms']:>7} {row['p95_ms']:>7} {row['p99_ms']:>7}"
          f"          {c['p50_ms']:>6} {c['p95_ms']:>7} {c['p99_ms']:>7}   errors {row['errors']}")
    for slow in figures["slowest"]:
        print(f"{engine:8}   slow: {slow['query']!r} p95 {slow['p95_ms']} ms (counts {slow['counts_p95_ms']})"
              + (f", {slow['path']}" if "path" in slow else ""))
        for line in slow.get("plan", []):
            print(f"{'':12}{line[:140]}")


def print_search(results):
    """The per-kind tables (answers kept, then each after a change), the five slowest queries with their
    plans, the did-you-mean cost and the concurrent clients' throughput."""
    print(f"\n{'engine':8} {'what':30} {'p50':>7} {'p95':>7} {'p99':>7}   counts {'p50':>6} {'p95':>7} {'p99':>7}")
    for r in results:
        print(f"{r['engine']:8} seed {r['products']:,} products: {r['seed_seconds']} s, {r['database_mb']} MB")
        print_table(r["engine"], r, "HOT: the answer kept since the last catalogue change (catalog/answers.py)")
        print_table(r["engine"], r["cold"], "COLD: each query the first after a catalogue change")
        d = r["did_you_mean"]
        print(f"{r['engine']:8} did you mean: suggest() p50 {d['suggest_p50_ms']} ms, p95 {d['suggest_p95_ms']} ms"
              f" ({d['vocabulary_words']:,} words; built in {d['vocabulary_build_ms']} ms once per change)")
        if r.get("concurrent"):
            c = r["concurrent"]
            print(f"{r['engine']:8} {c['clients']} clients: {c['requests_per_second']} req/s, p50 {c['p50_ms']} ms,"
                  f" p95 {c['p95_ms']} ms, errors {c['errors']}")


def engine_urls():
    """[(engine, url)] of the databases to measure (BENCH_ENGINES, and MariaDB only if it answers)."""
    os.makedirs(DATA, exist_ok=True)
    sqlite_path = os.path.join(DATA, "bench.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(sqlite_path + suffix):
            os.remove(sqlite_path + suffix)
    engines = [("sqlite", f"sqlite:///{sqlite_path}")] if "sqlite" in ENGINES else []
    if "mariadb" in ENGINES:
        mysql = mysql_bench_url()
        engines += [("mariadb", mysql)] if mysql else []
        if not mysql:
            print(f"(MariaDB at {MYSQL_URL} is not reachable: SQLite only)")
    return engines


def size_summary(result):
    """The figures of one engine at one size, for the growth table of docs/SEARCH.md."""
    return {"products": result["products"], "seed_seconds": result["seed_seconds"],
            "database_mb": result["database_mb"], "fragment": result["search_fragment_all"],
            "counts": result["category_counts_all"], "buffer_pool_mb": result.get("buffer_pool_mb"),
            "per_kind_p95_ms": {kind: row["p95_ms"] for kind, row in result["search_fragment"].items()},
            "cold_fragment": result["cold"]["search_fragment_all"], "cold_counts": result["cold"]["category_counts_all"],
            "cold_per_kind_p95_ms": {kind: row["p95_ms"] for kind, row in result["cold"]["search_fragment"].items()},
            "did_you_mean": {key: value for key, value in result["did_you_mean"].items() if key != "corrections"}}


def main():
    """Run every available database, print the tables, write bench/results.json."""
    engines = engine_urls()
    wanted = int(os.environ.get("BENCH_BUFFER_POOL", str(2**30 if PRODUCTS >= 500_000 else 0)))
    before = buffer_pool() if wanted and any(engine == "mariadb" for engine, _ in engines) else None
    try:
        if before is not None and before < wanted:
            print(f"(MariaDB's buffer pool: {before // 2**20} MB -> {buffer_pool(wanted) // 2**20} MB for this run)")
        results = [bench(engine, url, 5600 + n) for n, (engine, url) in enumerate(engines)]
        for r in results:
            if r["engine"] == "mariadb":
                r["buffer_pool_mb"] = buffer_pool() // 2**20
    finally:
        if before is not None and before < wanted:
            buffer_pool(before)
    print_search(results)
    previous = json.load(open(RESULTS)) if os.path.exists(RESULTS) else {}
    sizes = previous.get("sizes", {})
    for r in results:
        sizes.setdefault(str(PRODUCTS), {})[r["engine"]] = size_summary(r)
    if SIZE_RUN:
        previous["sizes"] = sizes
        with open(RESULTS, "w") as handle:
            json.dump(previous, handle, indent=2)
        print(f"\nthe figures at {PRODUCTS:,} products written to bench/results.json (sizes)")
        return
    print(f"\n[hello] a bare Flask route, {CLIENTS} clients for {LOAD_SECONDS:g} s ...", flush=True)
    hello = hello_throughput(5650)
    for r in results:
        ratio = r["concurrent"]["requests_per_second"] / hello["requests_per_second"]
        r["concurrent"]["ratio_to_hello"] = round(ratio, 3)
        print(f"{r['engine']:8} search {r['concurrent']['requests_per_second']} req/s against hello"
              f" {hello['requests_per_second']} req/s: {ratio:.2f}")
    load_result = None
    if any(r["engine"] == "mariadb" for r in results):
        print("\n[mariadb] load test: mixed workload ...", flush=True)
        load_result = load_test(MYSQL_URL)
        print_load(load_result)
    print("\n[galera] read your own writes across nodes ...", flush=True)
    cluster = cluster_bench()
    print_cluster(cluster)
    with open(RESULTS, "w") as handle:
        json.dump({"measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "machine": "2 cores",
                   "results": results, "hello": hello, "sizes": sizes, "load_test": load_result,
                   "cluster": cluster}, handle, indent=2)
    print("\nwritten to bench/results.json")


if __name__ == "__main__":
    main()
