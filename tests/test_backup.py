"""The restore drill: a backup taken while customers check out, restored into a fresh database, has
whole books (ledger = balance, every order with its lines, ledger row and email) and the same
migration version; restore refuses a damaged backup and a database that is not empty. Both engines."""
import json
import os
import threading
import time
from collections import Counter

from shop import create_app
from shop.db import database
from shop.models import BalanceLedger, EmailOutbox, Order, OrderItem, Product, SchemaMigration, User
from shop.orders.ledger import mismatches

from .conftest import TEST_SECRET, buy, close_pool, create_user

CUSTOMERS = 4


def fresh_database_url(engine, tmp_path, request, name):
    """An empty database of the test's engine."""
    if engine == "sqlite":
        return f"sqlite:///{tmp_path / name}.db"
    return request.getfixturevalue("make_mysql_database")("fh_restore")


def bind_app(url, media):
    """An app on another database (the shared proxy follows it: rebind the test's app afterwards)."""
    return create_app({"TESTING": True, "SHOP_ENV": "testing", "SECRET_KEY": TEST_SECRET, "DATABASE_URL": url,
                       "MAIL_BACKEND": "outbox", "ARGON2_PROFILE": "fast", "MEDIA_ROOT": str(media)})


def order_count():
    """How many orders the bound database holds."""
    with database.connection_context():
        return Order.select().count()


def test_a_backup_taken_while_orders_are_placed_restores_whole(seeded, engine, tmp_path, request):
    app = seeded
    app.config["MEDIA_ROOT"] = str(tmp_path / "media")
    os.makedirs(tmp_path / "media" / "products")
    (tmp_path / "media" / "products" / "fern.jpg").write_bytes(b"\xff\xd8 a fern")
    users = [create_user(f"buyer{n}", f"buyer{n}@example.com", balance_cents=5000_00) for n in range(CUSTOMERS)]
    with database.connection_context():
        plant = Product.get(Product.sku == "FH-10042")
        Product.update(stock=10_000).where(Product.id == plant.id).execute()
    stop, errors = threading.Event(), []

    def keep_buying(n):
        try:
            round_number = 0
            while not stop.is_set():
                buy(app, users[n], [(plant.id, 1)], key=f"b{n}-{round_number}")
                round_number += 1
        except Exception as error:  # kept for the assertion below
            errors.append(error)
        finally:
            database.close()

    threads = [threading.Thread(target=keep_buying, args=(n,)) for n in range(CUSTOMERS)]
    for thread in threads:
        thread.start()
    while order_count() < 8 and not errors:
        time.sleep(0.02)
    before = order_count()
    taken = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup")])
    after = order_count()
    while order_count() <= after and not errors:  # orders keep coming after the snapshot
        time.sleep(0.02)
    stop.set()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert taken.exit_code == 0, taken.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    with database.connection_context():
        version = SchemaMigration.select().order_by(SchemaMigration.version.desc()).get().version
        total = Order.select().count()
    assert manifest["engine"] == engine and manifest["migration_version"] == version
    assert "media/products/fern.jpg" in manifest["files"]
    close_pool(app)

    restored = bind_app(fresh_database_url(engine, tmp_path, request, "restored"), tmp_path / "media2")
    try:
        result = restored.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup")])
        assert result.exit_code == 0, result.output
        assert (tmp_path / "media2" / "products" / "fern.jpg").read_bytes() == b"\xff\xd8 a fern"
        with database.connection_context():
            orders = dict(Order.select(Order.id, Order.number).tuples())
            assert before <= len(orders) <= after < total  # a moment during the load, not its end
            assert mismatches() == []
            assert User.select().where(User.balance_cents < 0).count() == 0
            lines = Counter(order_id for (order_id,) in OrderItem.select(OrderItem.order).tuples())
            assert set(lines) == set(orders)  # no order without its lines, no line without its order
            charged = Counter(reference for (reference,) in BalanceLedger.select(BalanceLedger.reference)
                              .where(BalanceLedger.reason == "order").tuples())
            assert charged == Counter(orders.values())  # each order charged once, no charge without its order
            subjects = Counter(subject for (subject,) in EmailOutbox.select(EmailOutbox.subject).tuples())
            assert all(subjects[f"Your Fernhouse order {number}"] == 1 for number in orders.values())
            assert SchemaMigration.select().order_by(SchemaMigration.version.desc()).get().version == version
    finally:
        close_pool(restored)
        database.initialize(app.extensions["database"])


def test_restore_refuses_a_damaged_backup_and_a_database_with_tables(seeded, engine, tmp_path, request):
    app = seeded
    app.config["MEDIA_ROOT"] = str(tmp_path / "no-media")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", str(tmp_path / "good")]).exit_code == 0
    again = runner.invoke(args=["backup", str(tmp_path / "good")])
    assert again.exit_code != 0 and "not empty" in again.output
    refused = runner.invoke(args=["restore", str(tmp_path / "good")])
    assert refused.exit_code != 0 and "--force" in refused.output
    close_pool(app)

    target = bind_app(fresh_database_url(engine, tmp_path, request, "target"), tmp_path / "no-media")
    try:
        data_file = "shop.sql" if engine == "mysql" else "shop.db"
        damaged = tmp_path / "damaged"
        damaged.mkdir()
        for name in ("manifest.json", data_file):
            (damaged / name).write_bytes((tmp_path / "good" / name).read_bytes())
        with open(damaged / data_file, "ab") as handle:
            handle.write(b"\n-- one more line\n")
        result = target.test_cli_runner().invoke(args=["restore", str(damaged)])
        assert result.exit_code != 0 and "checksum mismatch" in result.output
        with database.connection_context():
            assert database.get_tables() == []  # nothing was loaded
        assert target.test_cli_runner().invoke(args=["restore", str(tmp_path / "good")]).exit_code == 0
        forced = target.test_cli_runner().invoke(args=["restore", "--force", str(tmp_path / "good")])
        assert forced.exit_code == 0, forced.output
        with database.connection_context():
            assert Product.select().count() > 0 and mismatches() == []
    finally:
        close_pool(target)
        database.initialize(app.extensions["database"])
