"""The shop's Prometheus metrics: what every gunicorn worker counts, added up at GET /metrics.

With PROMETHEUS_MULTIPROC_DIR set (deploy/gunicorn.conf.py sets it up) each worker writes its counts to
files in that directory and the scrape sums them (prometheus_client's multiprocess mode), so a scrape
that lands on one worker still reports the whole server. Without it (the dev server, the tests) the
counts live in this process. Nothing here imports the rest of the shop: db.py and the ledger count
through it, and the scrape (shop/monitoring.py) reads it.
"""
import os

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import REGISTRY

disable_created_metrics()  # the *_created series say when a worker started counting: noise here

REQUEST_SECONDS = Histogram(
    "fernhouse_request_duration_seconds", "Time to answer a request, by route (the URL rule), method and status.",
    ["route", "method", "status"])
CHECKOUTS = Counter("fernhouse_checkouts_total", "Orders placed at POST /checkout (a resent form is 'repeated').",
                    ["outcome"])
CHECKOUT_REFUSALS = Counter("fernhouse_checkout_refusals_total",
                            "Checkouts refused with nothing charged, by reason.", ["reason"])
MONEY_MOVED = Counter("fernhouse_money_moved_cents_total",
                      "Cents moved on balances by committed ledger rows, by ledger reason and direction.",
                      ["reason", "direction"])
DB_RETRIES = Counter("fernhouse_db_retries_total",
                     "Write transactions run again after a deadlock, lock wait, certification conflict or lock.")
SHOP_BUSY = Counter("fernhouse_shop_busy_total", "Writes given up after every attempt (the customer saw a 503).")
# livesum: the sum over the workers alive now (a dead worker's pool is gone with it).
POOL_CONNECTIONS = Gauge("fernhouse_db_pool_connections", "Database connections in this server's pools, by state.",
                         ["state"], multiprocess_mode="livesum")

UNMATCHED_ROUTE = "(unmatched)"  # a URL no rule matches: one label for all, whatever was typed


def observe_request(route, method, status, seconds):
    """Count one answered request in the latency histogram."""
    REQUEST_SECONDS.labels(route or UNMATCHED_ROUTE, method, str(status)).observe(seconds)


def observe_pool(pool):
    """Record how many of the worker's pooled connections are in use and idle (peewee's pool keeps both)."""
    in_use, idle = getattr(pool, "_in_use", None), getattr(pool, "_connections", None)
    if in_use is not None and idle is not None:
        POOL_CONNECTIONS.labels("in_use").set(len(in_use))
        POOL_CONNECTIONS.labels("idle").set(len(idle))


def count_money(reason, delta_cents):
    """Count a committed balance move (call once the transaction that wrote it has committed)."""
    MONEY_MOVED.labels(reason, "credit" if delta_cents > 0 else "debit").inc(abs(delta_cents))


def multiprocess_dir():
    """The directory the workers share their counts through, or None in a single process."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def exposition():
    """Every counted metric in the Prometheus text format, summed over the workers when there are several."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)
