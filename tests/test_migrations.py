"""Versioned migrations: a database as the previous release left it is upgraded with every row kept."""
from datetime import datetime

import pytest

from shop import create_app
from shop.catalog.search import search
from shop.db import database
from shop.migrations import available, migrate, sql_file
from shop.models import (
    BalanceLedger,
    Booking,
    CartItem,
    Category,
    EmailOutbox,
    Order,
    OrderItem,
    Product,
    Review,
    SchemaMigration,
    User,
    Workshop,
)
from shop.orders.ledger import mismatches

from .conftest import TEST_SECRET, close_pool

WHEN = datetime(2026, 10, 1, 12, 0, 0)
# columns the migrations after 0002 added, which the previous release did not have
LATER_COLUMNS = {"delivery_method", "delivery_cents", "ship_to", "expected_on", "holds_plants", "pending_email",
                 "deleted_at", "cancelled_at", "erase_after_send", "is_staff",
                 "hidden", "status", "status_changed_at"}


@pytest.fixture(params=["sqlite", "mysql"])
def empty_database(request, tmp_path):
    """An empty database of each engine, with the app bound to it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        url = request.getfixturevalue("make_mysql_database")("fh_upgrade")
    app = create_app({"DATABASE_URL": url, "SHOP_ENV": "testing", "SECRET_KEY": TEST_SECRET})
    with app.app_context():
        yield request.param
    close_pool(app)


def build_previous_release(engine):
    """The tables the release before migrations made (init-db: schema.sql on MySQL, the models on
    SQLite, frozen as 0001's files), with a customer who bought and booked; no schema_migrations."""
    with database.connection_context():
        for statement in sql_file("0001_initial.mysql.sql" if engine == "mysql" else "0001_initial.sqlite.sql"):
            database.execute_sql(statement)
        assert not database.table_exists("schema_migrations") and not database.table_exists("balance_ledger")
        # the first release's users table still had its session column (dropped by 0003)
        database.execute_sql("ALTER TABLE users ADD COLUMN session_token VARCHAR(64) NULL")
        def insert(table, **values):
            """A row written with only the columns the previous release had; its id."""
            mark = "?" if engine == "sqlite" else "%s"
            cursor = database.execute_sql(
                f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join([mark] * len(values))})",
                list(values.values()))
            return cursor.lastrowid

        for position, slug in enumerate(("ferns", "pots-planters", "empty-shelf")):
            insert("categories", slug=slug, name=slug.title(), description="", position=position)
        category, pots = (Category.select(Category.id).where(Category.slug == slug).scalar()
                          for slug in ("ferns", "pots-planters"))
        product = {"latin_name": "", "rating": 0, "rating_count": 0, "care_summary": "", "created_at": WHEN}
        fern = insert("products", **{**product, "latin_name": "Nephrolepis exaltata"}, sku="FH-10001",
                      name="Boston Fern", category_id=category, price_cents=12_00, stock=8, description="A fern.",
                      keywords="Ferns", light="medium")
        insert("products", **product, sku="FH-10002", name="Terracotta Pot", category_id=pots, price_cents=8_00,
               stock=3, description="A pot.", keywords="Pots")
        user = insert("users", member_id="FH-AAAA-BBBB", username="Old", username_lower="old",
                      email="old@example.com", password_hash="x", balance_cents=500_00 - 24_00 - 30_00,
                      created_at=WHEN)
        order = insert("orders", number="FH-261001-000001", user_id=user, total_cents=24_00,
                       balance_after_cents=500_00 - 24_00, idempotency_key="k1", created_at=WHEN)
        insert("order_items", order_id=order, product_id=fern, product_name="Boston Fern", quantity=2,
               unit_price_cents=12_00)
        workshop = insert("workshops", slug="terrariums", title="Terrariums", description="Glass gardens.",
                          starts_at=datetime(2027, 1, 1, 10), duration_minutes=90, price_cents=30_00, seats_total=8,
                          seats_left=7, host="Ana")
        insert("bookings", number="WS-261002-000001", workshop_id=workshop, user_id=user, seats=1, total_cents=30_00,
               idempotency_key="k2", created_at=datetime(2026, 10, 2))
        insert("reviews", product_id=fern, user_id=user, rating=5, body="Lush.", created_at=WHEN)
        insert("cart_items", user_id=user, product_id=fern, quantity=1, added_at=WHEN)
        insert("email_outbox", recipient="old@example.com", subject="Your Fernhouse order FH-261001-000001",
               body_html="<p>hi</p>", body_text="hi", created_at=WHEN, attempts=0, next_attempt_at=WHEN)


# Columns a migration rewrites on purpose (checked apart): 0007 takes the shelf's name out of keywords.
REWRITTEN = {"keywords"}


def snapshot():
    """Every row of the tables the previous release had (its columns only, less those rewritten on
    purpose), as plain tuples."""
    models = [Category, Product, User, Order, OrderItem, Workshop, Booking, Review, CartItem, EmailOutbox]
    with database.connection_context():
        return {model.__name__: sorted(model.select(*[field for field in model._meta.sorted_fields
                                                      if field.name not in LATER_COLUMNS | REWRITTEN]).tuples())
                for model in models}


def test_upgrading_the_previous_release_keeps_every_row(empty_database):
    build_previous_release(empty_database)
    before = snapshot()
    assert migrate() == [version for version, _ in available()]
    assert snapshot() == before
    with database.connection_context():
        assert [m.version for m in SchemaMigration.select().order_by(SchemaMigration.version)] == \
            [version for version, _ in available()]
        rows = [(row.reason, row.delta_cents, row.reference)
                for row in BalanceLedger.select().order_by(BalanceLedger.id)]
        # the history written back: what they started with, then what they spent, in time order
        assert rows == [("opening_balance", 500_00, ""), ("order", -24_00, "FH-261001-000001"),
                        ("booking", -30_00, "WS-261002-000001")]
        assert mismatches() == []
        # the full-text index still answers (SQLite's FTS5 table and triggers came with 0001)
        # 0003: shelves of plants told from shelves of pots by their products; the dead column is gone
        assert {c.slug: c.holds_plants for c in Category.select()} == \
            {"ferns": True, "pots-planters": False, "empty-shelf": True}
        assert "session_token" not in {column.name for column in database.get_columns("users")}
        found, _ = search(Product.select(), "boston")
        assert [product.sku for product in found] == ["FH-10001"]
        # 0007: the shelf's name left the keywords (the shelf is found by its index); other words stay
        assert dict(Product.select(Product.sku, Product.keywords).tuples()) == {"FH-10001": "", "FH-10002": "Pots"}
        categories = list(Category.select())
        found, _ = search(Product.select(), "ferns", categories)
        assert [product.sku for product in found] == ["FH-10001"]  # found through its shelf
    assert migrate() == []  # safe to run twice


def test_a_new_database_gets_every_migration_once(empty_database):
    assert migrate() == [version for version, _ in available()]
    assert migrate() == []
    with database.connection_context():
        assert SchemaMigration.select().count() == len(available())
        assert database.table_exists("balance_ledger")


def test_migration_files_are_numbered_without_gaps():
    versions = [version for version, _ in available()]
    assert versions == [f"{n:04d}" for n in range(1, len(versions) + 1)]
