"""The database: one Peewee proxy, bound at start-up to SQLite or MySQL from DATABASE_URL, and the
one way to run a write transaction (transaction_with_retry)."""
import logging
import os
import random
import threading
import time
from urllib.parse import unquote, urlsplit

from peewee import DatabaseProxy, InterfaceError, OperationalError, SqliteDatabase
from playhouse.pool import PooledMySQLDatabase, PooledSqliteDatabase

from . import metrics

log = logging.getLogger(__name__)

# Every model binds to this proxy; create_app() points it at the real database.
database = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",  # readers never wait for the writer
    "foreign_keys": 1,
    "busy_timeout": 5000,  # a second writer waits up to 5 s instead of failing at once
    "synchronous": "normal",
    "cache_size": -32000,
}


def open_database(url, project_root=".", pool_size=20, wsrep_sync_wait=1):
    """Return an unconnected Peewee database for a sqlite:/// or mysql:// URL."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(url[len("sqlite:///"):]) if url.startswith("sqlite:///") else ""
        if not path:
            raise ValueError("DATABASE_URL for SQLite looks like sqlite:///instance/shop.db")
        if path != ":memory:" and not os.path.isabs(path):
            path = os.path.join(project_root, path)
        if path != ":memory:":
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        if path == ":memory:":
            return SqliteDatabase(path, pragmas=SQLITE_PRAGMAS)
        # A pool here too: opening a connection and setting its pragmas took a sixth of a search's time.
        # A pooled connection serves one request at a time but not always on the thread that opened it.
        return PooledSqliteDatabase(path, pragmas=SQLITE_PRAGMAS, max_connections=pool_size, stale_timeout=300,
                                    timeout=10, check_same_thread=False)
    if parts.scheme in ("mysql", "mariadb"):
        name = parts.path.lstrip("/")
        if not name:
            raise ValueError("DATABASE_URL for MySQL needs a database name: mysql://user:pw@host:3306/shop")
        # A pool: each new PyMySQL connection costs a TLS handshake attempt (~20 ms here).
        db = ShopMySQLDatabase(
            name,
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 3306,
            user=unquote(parts.username or "root"),
            password=unquote(parts.password or ""),
            charset="utf8mb4",
            max_connections=pool_size,
            stale_timeout=300,
            timeout=10,
            connect_timeout=5,
        )
        db.wsrep_sync_wait = wsrep_sync_wait
        return db
    raise ValueError(f"DATABASE_URL must start with sqlite:/// or mysql://, not {parts.scheme or url!r}")


class ShopMySQLDatabase(PooledMySQLDatabase):
    """The MySQL/MariaDB pool, which sets up each new connection for a Galera node when it is one.

    Read your own writes on a Galera cluster: with wsrep_sync_wait = 1 a node applies every write set
    the cluster has committed before it answers a read, so a receipt opened right after checkout
    through another node is there. 0 turns it off (DATABASE_WSREP_SYNC_WAIT; docs/SCALING.md says
    what it costs). A server that is not a Galera node is left as it is.
    """

    wsrep_sync_wait = 1

    def _connect(self):
        """Take a connection from the pool; a new one is first set up: on a Galera node (wsrep_on) it
        is asked to wait for the cluster before reads. (The pool hands out the same connections again
        and again: asking the server each time cost a round trip per request.)"""
        conn = super()._connect()
        if getattr(conn, "fernhouse_ready", False):
            return conn
        conn.fernhouse_ready = True
        with conn.cursor() as cursor:
            cursor.execute("SHOW VARIABLES LIKE 'wsrep_on'")  # empty on MySQL, OFF on a single MariaDB
            row = cursor.fetchone()
            if row and str(row[1]).upper() == "ON":
                cursor.execute("SET SESSION wsrep_sync_wait = %s", (int(self.wsrep_sync_wait),))
        return conn


def is_mysql(db=None):
    """True when the bound database speaks MySQL (MySQL or MariaDB)."""
    db = db or database.obj
    return isinstance(db, PooledMySQLDatabase)


def init_app(app):
    """Bind the proxy to the app's database and open/close a connection around each request."""
    db = open_database(app.config["DATABASE_URL"], app.config["PROJECT_ROOT"], app.config["DATABASE_POOL_SIZE"],
                       app.config["DATABASE_WSREP_SYNC_WAIT"])
    database.initialize(db)
    app.extensions["database"] = db

    @app.before_request
    def open_connection():
        """Take a connection (from the pool on MySQL) for this request."""
        database.connect(reuse_if_open=True)

    # teardown runs even when the view raised, so a connection is never leaked.
    @app.teardown_request
    def close_connection(exc):
        """Give the request's connection back."""
        if not database.is_closed():
            database.close()


def error_code(error):
    """The MySQL error number of a database error (1213, 4025...), or None (SQLite, or no number)."""
    args = getattr(error, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


# MariaDB reports a failed CHECK as error 4025 and MySQL as 3819; PyMySQL maps neither to
# IntegrityError, so code that relies on a CHECK backstop asks this function instead.
CHECK_VIOLATION_CODES = {4025, 3819}


def is_check_violation(error):
    """True when a database error is a CHECK constraint refusing a write (not a duplicate key)."""
    return error_code(error) in CHECK_VIOLATION_CODES or "CHECK constraint" in str(error)


def write_transaction():
    """A transaction that will write: on SQLite it takes the write lock at BEGIN (IMMEDIATE).

    A deferred SQLite transaction that reads first and writes later fails at once with "database is
    locked" when another writer committed in between; IMMEDIATE makes it wait its turn instead.
    InnoDB needs no such thing: its locking reads and UPDATEs lock the rows they touch.
    Use transaction_with_retry(); this is its inner half.
    """
    return database.atomic() if is_mysql() else database.atomic("IMMEDIATE")


# Transient conflicts that a fresh attempt of the whole transaction cures:
# 1213 deadlock, which is also how Galera reports a certification conflict (at COMMIT);
# 1205 lock wait timeout; 1020 "record has changed since last read" (MariaDB snapshot isolation);
# 1047 "WSREP has not yet prepared node for application use" (a node rejoining the cluster);
# SQLite's "database is locked" after its busy timeout. A lost connection is retried too (below).
RETRYABLE_CODES = {1213, 1205, 1020, 1047}
RETRYABLE_TEXT = ("database is locked", "database table is locked", "database is busy")
ATTEMPTS = 6
BACKOFF_SECONDS = 0.01  # the first pause is up to 10 ms, doubling each time (jittered)


class ShopBusy(Exception):
    """The database stayed too busy for every attempt: nothing was changed; the customer may retry."""


def is_retryable(error):
    """True for a database error that a fresh attempt of the same transaction can cure."""
    text = str(error).lower()
    return error_code(error) in RETRYABLE_CODES or any(fragment in text for fragment in RETRYABLE_TEXT)


def transaction_with_retry(work, attempts=ATTEMPTS, idempotent=False):
    """Run work() in one write transaction and return what it returns: the only way the shop writes.

    On a deadlock, lock wait timeout, Galera certification conflict or SQLite lock the transaction
    has been rolled back whole, so work() runs again from the start after a short jittered pause.
    When every attempt failed, ShopBusy: the error pages turn it into "very busy, nothing was
    changed, try again", never a 500. work() must do nothing outside the database that it cannot
    repeat (the outbox makes emails part of the transaction). No savepoints inside: a deadlock
    hidden behind ROLLBACK TO SAVEPOINT would leave a dead transaction looking alive.
    A connection lost before COMMIT is retried on a new one; one lost during COMMIT may have committed,
    so only `idempotent` work (checkout, booking: they find their key) runs again; otherwise it is a 503.
    """
    if database.in_transaction():
        raise RuntimeError("transaction_with_retry() cannot run inside another transaction")
    conflicts, lost_since = 0, None
    while True:
        _committed.callbacks = []  # what an attempt rolled back must not be counted
        committing = False
        try:
            with write_transaction():
                result = work()
                committing = True  # leaving the block sends COMMIT
            for callback in _committed.callbacks:
                callback()
            return result
        except (OperationalError, InterfaceError) as error:
            lost = is_lost_connection(error)
            if not (lost or is_retryable(error)):
                raise
            if lost and committing and not idempotent:  # it may have committed: never run it twice
                drop_connection()
                raise  # the error pages' 503 for a database that cannot answer
            if lost:
                lost_since = lost_since or time.monotonic()
                drop_connection()
            else:
                conflicts += 1
            if conflicts == attempts or (lost and time.monotonic() - lost_since > FAILOVER_SECONDS):
                log.warning("gave up after %s conflicts%s: %s", conflicts, ", connection lost" if lost else "", error)
                metrics.SHOP_BUSY.inc()
                raise ShopBusy(str(error)) from error
            metrics.DB_RETRIES.inc()
            time.sleep(FAILOVER_PAUSE if lost else random.uniform(0, BACKOFF_SECONDS * 2 ** conflicts))
        finally:
            _committed.callbacks = None


# A lost connection (node killed, proxy cut it): 2006, 2013, 2055, 2003; PyMySQL's InterfaceError.
LOST_CONNECTION_CODES = {2003, 2006, 2013, 2055}
FAILOVER_SECONDS, FAILOVER_PAUSE = 8.0, 0.25  # the proxy needs about a second to move


def is_lost_connection(error):
    """True when a MySQL error means the connection itself is gone (not the transaction's fault)."""
    return is_mysql() and (isinstance(error, InterfaceError) or error_code(error) in LOST_CONNECTION_CODES)


def drop_connection():
    """Let go of this thread's dead connection: the pool's ping drops it, the next query opens another."""
    try:
        database.close()
    except Exception:  # closing a dead socket may fail too; the pool discards it either way
        log.debug("closing a lost connection failed", exc_info=True)


_committed = threading.local()  # the callbacks of the transaction_with_retry() running on this thread


def on_commit(callback):
    """Call callback() once the running transaction_with_retry() committed (never for a rolled-back attempt)."""
    pending = getattr(_committed, "callbacks", None)
    callback() if pending is None else pending.append(callback)


def current_read(query):
    """Read the latest committed values inside a transaction, not the transaction's snapshot.

    InnoDB's REPEATABLE READ answers a plain SELECT from the snapshot of the first read (after a conditional
    UPDATE found nothing, it can still show the old stock); FOR UPDATE makes it a current read. SQLite
    holds the write lock already (BEGIN IMMEDIATE), so its plain SELECT is current."""
    return query.for_update() if is_mysql() else query
