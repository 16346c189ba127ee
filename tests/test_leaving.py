"""Leaving properly (issue 25): an account with orders not yet finished cannot be deleted; afterwards the
orders keep the books but no name or address; a staff cancel of a deleted account's order writes to nobody;
/account/data holds the address book and each order's delivery. On both engines."""
import json

import pytest

from shop.db import database, transaction_with_retry
from shop.models import Address, BalanceLedger, EmailOutbox, Order, OrderItem, Product, User
from shop.orders.checkout import place_order
from shop.orders.ledger import current_balance, move_balance
from shop.staff.fulfilment import cancel as staff_cancel

from .conftest import create_user, csrf_token
from .helpers import HX

HOME = {"name": "Fern Fan", "line1": "7 Greenhouse Lane", "line2": "Flat 2", "town": "San Francisco",
        "postcode": "94103", "country": "US"}


def sent_order(app, user, key="sent", status="placed"):
    """An order of one Monstera sent by standard delivery to the customer's address, left at `status`."""
    from shop.models import CartItem

    with app.test_request_context(), database.connection_context():
        address = Address.create(user=user.id, is_default=True, **HOME)
        monstera = Product.get(Product.sku == "FH-10001")
        CartItem.create(user=user.id, product=monstera, quantity=1)
        order, _ = place_order(User.get_by_id(user.id), key, address_id=address.id, method="standard")
        Order.update(status=status).where(Order.id == order.id).execute()
        return Order.get_by_id(order.id)


def delete(client, username="fernfan"):
    return client.post("/account/delete", headers=HX, data={"password": "Gr33n-Fingers", "confirm": username,
                                                             "csrf_token": csrf_token(client, "/account")})


@pytest.mark.parametrize("status", ["placed", "packed", "shipped"])
def test_deleting_is_refused_while_an_order_is_not_finished(seeded, app, client, auth, status):
    user = create_user()
    order = sent_order(app, user, status=status)
    auth.login()
    response = delete(client)
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"{order.number} ({status}) is not finished yet" in text and "then delete your account" in text
    with database.connection_context():
        still = User.get_by_id(user.id)
        assert still.deleted_at is None and still.email == "fern@example.com"
        assert still.balance_cents == 100_00 - order.total_cents
        assert Order.get_by_id(order.id).status == status and "7 Greenhouse Lane" in Order.get_by_id(order.id).ship_to
        assert Address.select().count() == 1
    assert client.get("/account").status_code == 200  # still signed in


def test_after_delivery_deleting_keeps_the_books_but_no_name_or_address(seeded, app, client, auth):
    user = create_user()
    order = sent_order(app, user, status="delivered")
    cancelled = sent_order(app, user, key="second", status="cancelled")
    auth.login()
    response = delete(client)
    assert response.status_code == 200 and response.headers["HX-Redirect"] == "/"
    with database.connection_context():
        for kept in (order, cancelled):
            row = Order.get_by_id(kept.id)
            assert (row.number, row.total_cents, row.delivery_cents, row.delivery_method) == \
                (kept.number, kept.total_cents, kept.delivery_cents, "standard")
            assert row.ship_to is None and row.user_id == user.id
            assert [(i.product_name, i.quantity) for i in OrderItem.select().where(OrderItem.order == kept.id)] == \
                [("Monstera Deliciosa", 1)]
        assert Address.select().count() == 0
        for needle in ("Greenhouse", "Fern Fan"):
            assert Order.select().where(Order.ship_to.contains(needle)).count() == 0


def test_a_staff_cancel_of_a_deleted_accounts_order_refunds_into_nothing_and_writes_to_nobody(seeded, app):
    """An account deleted before deleting waited for its orders (or by any other path) still has one placed."""
    from shop.accounts.leaving import forget_person

    user = create_user()
    staff = create_user(username="nursery", email="staff@example.com", balance_cents=0)
    order = sent_order(app, user)

    def leave_the_old_way():
        left = current_balance(user.id)
        move_balance(user.id, -left, "adjustment", "account closed")
        forget_person(User.get_by_id(user.id))

    with app.test_request_context(), database.connection_context():
        transaction_with_retry(leave_the_old_way)
        EmailOutbox.delete().execute()
        assert staff_cancel(staff.id, order.number, "Out of stock") == order.total_cents
        assert EmailOutbox.select().count() == 0  # not to "#deleted-N", nor anywhere
        assert User.get_by_id(user.id).balance_cents == 0  # the account stays closed
        rows = [(r.reason, r.delta_cents) for r in BalanceLedger.select().where(BalanceLedger.user == user.id)
                .order_by(BalanceLedger.id)]
        assert rows[-2:] == [("refund", order.total_cents), ("adjustment", -order.total_cents)]
        assert Order.get_by_id(order.id).status == "cancelled"


def test_download_holds_the_address_book_and_each_orders_delivery(seeded, app, client, auth):
    user = create_user()
    order = sent_order(app, user, status="shipped")
    auth.login()
    data = json.loads(client.get("/account/data").get_data(as_text=True))
    assert data["addresses"] == [{**HOME, "is_default": True}]
    [mine] = data["orders"]
    assert mine["number"] == order.number and mine["status"] == "shipped"
    assert mine["delivery"] == {"method": "standard", "cents": order.delivery_cents,
                                "ship_to": order.ship_to, "expected_on": order.expected_on.isoformat()}
    assert "7 Greenhouse Lane" in mine["delivery"]["ship_to"]


def test_migration_0014_forgets_the_addresses_of_accounts_deleted_before(seeded, app):
    """Accounts deleted before forget_person() cleared ship_to: the migration clears it for them, and only them."""
    from shop.migrations import migrate
    from shop.models import SchemaMigration, utcnow

    left, staying = create_user(), create_user(username="ivyfan", email="ivy@example.com")
    gone, kept = sent_order(app, left, status="delivered"), sent_order(app, staying, key="kept", status="delivered")
    with database.connection_context():
        # deleted the old way: the placeholder row, the order's address left behind
        User.update(deleted_at=utcnow(), email=f"#deleted-{left.id}").where(User.id == left.id).execute()
        SchemaMigration.delete().where(SchemaMigration.version == "0014").execute()
    assert migrate() == ["0014"]
    with database.connection_context():
        assert Order.get_by_id(gone.id).ship_to is None
        assert (Order.get_by_id(gone.id).number, Order.get_by_id(gone.id).total_cents) == (gone.number, gone.total_cents)
        assert "7 Greenhouse Lane" in Order.get_by_id(kept.id).ship_to
    assert migrate() == []
