"""Idempotency keys are compared byte for byte on both engines (issue 25): `CaseKey-1` and `casekey-1` are two
different forms, so two purchases, never one purchase answered twice. On MariaDB the columns were compared
with utf8mb4_unicode_ci, which calls them equal (migration 0012 makes them utf8mb4_bin). Both engines."""
import pytest

from shop.db import database
from shop.models import Booking, Order, User, Workshop
from shop.orders.bookings import book_workshop
from shop.orders.checkout import place_order

from .conftest import create_user, csrf_token


@pytest.fixture
def shopper(seeded, client, auth):
    """A logged-in customer with $200.00."""
    user = create_user(balance_cents=200_00)
    auth.login()
    return user


def buy_with_key(client, key, sku="FH-10042"):
    """Put one plant in the cart and press Buy with this key (collecting: the total is the plant's price)."""
    client.post("/cart/add", data={"sku": sku, "quantity": "1", "csrf_token": csrf_token(client)})
    return client.post("/checkout", data={"idempotency_key": key, "expected_total_cents": "450",
                                          "delivery": "collect", "csrf_token": csrf_token(client)})


def test_keys_that_differ_only_in_case_are_two_checkouts(shopper, client):
    first = buy_with_key(client, "CaseKey-1")
    second = buy_with_key(client, "casekey-1")
    assert first.status_code == second.status_code == 303
    with database.connection_context():
        orders = list(Order.select().order_by(Order.id))
        assert [order.idempotency_key for order in orders] == ["CaseKey-1", "casekey-1"]
        assert first.headers["Location"] != second.headers["Location"]
        assert User.get_by_id(shopper.id).balance_cents == 200_00 - 2 * 4_50
    again = buy_with_key(client, "casekey-1")  # the same key again: the second order, nothing more bought
    assert again.headers["Location"] == second.headers["Location"]
    with database.connection_context():
        assert Order.select().count() == 2


def test_keys_that_differ_only_in_case_are_two_bookings(shopper, app):
    with app.test_request_context(), database.connection_context():
        user, workshop = User.get_by_id(shopper.id), Workshop.get(Workshop.slug == "repotting-basics")
        first, made_first = book_workshop(user, workshop, 1, "Seat-Key")
        second, made_second = book_workshop(user, workshop, 1, "seat-key")
        assert made_first and made_second and first.id != second.id
        assert Booking.select().count() == 2


def test_an_exact_repeat_is_still_one_order(shopper, app):
    with app.test_request_context(), database.connection_context():
        from shop.models import CartItem, Product
        CartItem.create(user=shopper.id, product=Product.get(Product.sku == "FH-10042"), quantity=1)
        user = User.get_by_id(shopper.id)
        first, created = place_order(user, "Exact-Key")
        again, created_again = place_order(user, "Exact-Key")
        assert created and not created_again and again.id == first.id


def test_the_key_columns_compare_bytes(seeded, engine):
    if engine != "mysql":  # SQLite compares BINARY unless a column says COLLATE NOCASE: check none does
        with database.connection_context():
            tables = dict(database.execute_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name IN ('orders', 'bookings')"))
        assert sorted(tables) == ["bookings", "orders"]
        for sql in tables.values():
            key = next(line for line in sql.splitlines() if "idempotency_key" in line)
            assert "NOCASE" not in key.upper(), key
        return
    with database.connection_context():
        rows = database.execute_sql(
            "SELECT table_name, collation_name FROM information_schema.columns WHERE table_schema = DATABASE() "
            "AND column_name = 'idempotency_key' ORDER BY table_name").fetchall()
    assert [tuple(row) for row in rows] == [("bookings", "utf8mb4_bin"), ("orders", "utf8mb4_bin")]
