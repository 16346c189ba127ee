"""A customer cancels their own order while it is still placed (shop/orders/cancelling.py): refunded in
full through the ledger, the stock back, an email; refused once packed; racing the nursery packing it, or a
second tab, it refunds at most once. Both engines."""
import pytest

from shop.db import database
from shop.models import BalanceLedger, EmailOutbox, Order, Product, User
from shop.orders.cancelling import OrderCancelRefused, cancel_my_order
from shop.staff.access import StaffRefused
from shop.staff.fulfilment import advance

from .conftest import buy, create_user, csrf_token
from .helpers import HX
from .test_money import run_together


@pytest.fixture
def ordered(seeded, app, client, auth):
    """A customer with $100.00 who bought two Sweet Basil, logged in."""
    user = create_user(balance_cents=100_00)
    with database.connection_context():
        basil = Product.get(Product.sku == "FH-10042")
    order, _ = buy(app, user, [(basil.id, 2)], "cancel-me")
    auth.login()
    return user, order, basil


def state(user, order, basil):
    with database.connection_context():
        return (User.get_by_id(user.id).balance_cents, Order.get_by_id(order.id).status,
                Product.get_by_id(basil.id).stock)


def test_cancelling_while_placed_refunds_restocks_and_emails(ordered, client):
    user, order, basil = ordered
    balance, status, stock = state(user, order, basil)
    paid = 2 * basil.price_cents
    assert (balance, status) == (100_00 - paid, "placed")
    receipt = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Cancel this order" in receipt
    response = client.post(f"/orders/{order.number}/cancel", headers=HX,
                           data={"csrf_token": csrf_token(client, f"/orders/{order.number}")})
    assert response.status_code == 200 and response.headers["HX-Redirect"] == f"/orders/{order.number}"
    assert state(user, order, basil) == (100_00, "cancelled", stock + 2)
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert f"is cancelled: ${paid / 100:.2f} is back on your balance." in page and "Cancel this order" not in page
    with database.connection_context():
        assert [(r.reason, r.delta_cents) for r in BalanceLedger.select().where(
            BalanceLedger.reference == order.number).order_by(BalanceLedger.id)] == [("order", -paid), ("refund", paid)]
        mail = EmailOutbox.select().order_by(EmailOutbox.id.desc()).first()
    assert mail.subject == f"Your Fernhouse order {order.number} is cancelled" and "You cancelled it yourself." in mail.body_text
    again = client.post(f"/orders/{order.number}/cancel", data={"csrf_token": csrf_token(client)})
    assert again.status_code == 303 and "cancelled already" in client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert state(user, order, basil)[0] == 100_00  # once


def test_a_packed_order_or_somebody_elses_cannot_be_cancelled(ordered, app, client):
    user, order, basil = ordered
    staff = create_user(username="nursery", email="staff@example.com", balance_cents=0)
    with app.test_request_context(), database.connection_context():
        advance(staff.id, order.number)  # packed
    response = client.post(f"/orders/{order.number}/cancel", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 303
    assert "is packed already" in client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert state(user, order, basil)[:2] == (100_00 - 2 * basil.price_cents, "packed")
    other = create_user(username="other", email="other@example.com", balance_cents=100_00)
    with app.test_request_context(), pytest.raises(OrderCancelRefused, match="could not find that order"):
        cancel_my_order(other.id, order.number)
    assert client.post("/orders/FH-000000-000000/cancel", data={"csrf_token": csrf_token(client)}).status_code == 303


def test_cancel_racing_the_nursery_and_a_second_tab_refunds_at_most_once(seeded, app):
    """20 rounds: two tabs cancel while the nursery packs. Either the order is cancelled and refunded once,
    or it was packed first and nothing is refunded."""
    user = create_user(balance_cents=1000_00)
    staff = create_user(username="nursery", email="staff@example.com", balance_cents=0)
    with database.connection_context():
        basil = Product.get(Product.sku == "FH-10042")
    for round_number in range(20):
        order, _ = buy(app, user, [(basil.id, 1)], f"race-{round_number}")
        outcomes = []

        def attempt(n):  # two tabs cancel while the nursery packs
            with app.test_request_context():
                try:
                    if n < 2:
                        cancel_my_order(user.id, order.number)
                        outcomes.append("cancelled")
                    else:
                        advance(staff.id, order.number)
                        outcomes.append("packed")
                except OrderCancelRefused:
                    outcomes.append("refused")
                except StaffRefused:
                    outcomes.append("too late")

        assert run_together(3, attempt) == []
        with database.connection_context():
            refunds = BalanceLedger.select().where(BalanceLedger.reference == order.number,
                                                   BalanceLedger.reason == "refund").count()
            status = Order.get_by_id(order.id).status
        assert outcomes.count("cancelled") == refunds <= 1, (round_number, outcomes)
        assert (status == "cancelled") == (refunds == 1), (round_number, outcomes, status)
        assert ("packed" in outcomes) == (status == "packed"), (round_number, outcomes, status)


def test_a_cancelled_orders_receipt_says_what_happened(ordered, client):
    """The receipt of a placed order thanks and promises an email; once cancelled it says cancelled, the
    refund (amount and date) and the balance after the refund, not "Balance after this order"."""
    import re

    user, order, basil = ordered
    paid = 2 * basil.price_cents
    placed = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "A confirmation email is on its way" in placed and "Balance after this order" in placed
    client.post(f"/orders/{order.number}/cancel", data={"csrf_token": csrf_token(client, f"/orders/{order.number}")})
    with database.connection_context():
        refund = BalanceLedger.get(BalanceLedger.reference == order.number, BalanceLedger.reason == "refund")
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Thank you" not in text and "confirmation email is on its way" not in text
    assert "Balance after this order" not in text
    assert f"This order was cancelled on {refund.created_at.strftime('%d %B %Y')}" in text
    assert re.search(rf'id="order-refund".*?Refunded {refund.created_at.strftime("%d %b %Y")}.*?\+\${paid / 100:.2f}',
                     page, re.S)
    assert re.search(r'id="order-balance"[^>]*>\$100\.00<', page)  # the balance right after the refund
    assert "Balance after the refund" in text
