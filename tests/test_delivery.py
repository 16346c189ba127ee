"""Delivery at checkout (shop/orders/delivery.py): an address from the book and a method; the price is part
of the total charged, in the same ledger row; the order keeps a copy of the address; bad choices are a
4xx with nothing charged. Both engines."""
from datetime import date

import pytest

from shop.db import database
from shop.models import Address, BalanceLedger, EmailOutbox, Order, Product, User
from shop.orders.delivery import order_total, working_days_after

from .conftest import create_user, csrf_token

HOME = {"name": "Fern Fan", "line1": "1 Market St", "town": "San Francisco", "postcode": "94103", "country": "US"}


@pytest.fixture
def shopper(seeded, client, auth):
    user = create_user(balance_cents=200_00)
    with database.connection_context():
        address = Address.create(user=user.id, is_default=True, **HOME)
    auth.login()
    return user, address


def fill_cart(client, sku="FH-10042", quantity=1):
    client.post("/cart/add", data={"sku": sku, "quantity": quantity, "csrf_token": csrf_token(client)})
    with database.connection_context():
        return Product.get(Product.sku == sku).price_cents * quantity


def buy(client, goods, **choice):
    """Press Buy for this choice, sending the grand total the cart shows for it: the plants and the delivery."""
    page = client.get("/cart").get_data(as_text=True)
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    method = choice.get("delivery")
    expected = order_total(goods, method) if method in ("standard", "next_day") else goods
    return client.post("/checkout", data={"idempotency_key": key, "expected_total_cents": str(expected),
                                          "csrf_token": csrf_token(client), **choice})


def balance(user):
    with database.connection_context():
        return User.get_by_id(user.id).balance_cents


def test_standard_delivery_is_charged_in_the_same_ledger_row_and_the_address_is_copied(shopper, client):
    user, address = shopper
    goods = fill_cart(client)  # one basil: under the free-delivery threshold
    page = client.get("/cart").get_data(as_text=True)
    assert 'name="address_id" value="%d" checked' % address.id in page and "Standard delivery" in page
    response = buy(client, goods, address_id=str(address.id), delivery="standard")
    assert response.status_code == 303
    with database.connection_context():
        order = Order.get()
        row = BalanceLedger.get(BalanceLedger.reference == order.number)
    assert (order.delivery_method, order.delivery_cents, order.total_cents) == ("standard", 4_95, goods + 4_95)
    assert row.delta_cents == -(goods + 4_95) and balance(user) == 200_00 - goods - 4_95
    assert order.ship_to == "Fern Fan\n1 Market St\nSan Francisco 94103\nUnited States"
    assert order.expected_on == working_days_after(order.created_at.date(), 3)
    with database.connection_context():  # a later edit of the address book never changes the order
        Address.update(line1="9 Other Rd").where(Address.id == address.id).execute()
        assert Order.get().ship_to.splitlines()[1] == "1 Market St"
    receipt = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Fern Fan, 1 Market St, San Francisco 94103, United States" in receipt and "$4.95" in receipt
    with database.connection_context():
        mail = EmailOutbox.select().order_by(EmailOutbox.id.desc()).first()
    assert "Delivery:          $4.95 (standard)" in mail.body_text and "1 Market St" in mail.body_text


def test_standard_is_free_from_fifty_dollars_and_next_day_costs_more(shopper, client):
    user, address = shopper
    goods = fill_cart(client, "FH-10001", 2)  # two monsteras: over the threshold
    assert goods >= 50_00
    assert buy(client, goods, address_id=str(address.id), delivery="standard").status_code == 303
    with database.connection_context():
        assert Order.get().delivery_cents == 0 and Order.get().total_cents == goods
    goods = fill_cart(client)
    assert buy(client, goods, address_id=str(address.id), delivery="next_day").status_code == 303
    with database.connection_context():
        order = Order.select().order_by(Order.id.desc()).first()
    assert (order.delivery_method, order.delivery_cents) == ("next_day", 9_95)
    assert order.expected_on == working_days_after(order.created_at.date(), 1)


def test_no_address_means_collecting_at_the_nursery_for_free(seeded, client, auth):
    user = create_user(balance_cents=100_00)
    auth.login()
    goods = fill_cart(client)
    assert "Collect at the nursery, free" in client.get("/cart").get_data(as_text=True)
    assert buy(client, goods, delivery="collect").status_code == 303
    with database.connection_context():
        order = Order.get()
    assert (order.delivery_method, order.delivery_cents, order.ship_to) == ("collect", 0, None)
    assert balance(user) == 100_00 - goods


@pytest.mark.parametrize("choice, status, message", [
    ({"delivery": "standard"}, 422, "Choose the address to send your plants to"),
    ({"address_id": "x", "delivery": "standard"}, 422, "Choose one of your addresses from the list."),
    ({"address_id": "²", "delivery": "standard"}, 422, "Choose one of your addresses from the list."),
    ({"address_id": "1", "delivery": "rocket"}, 422, "Choose standard delivery, next working day"),
    ({"address_id": "99999999", "delivery": "standard"}, 409, "could not find that address in your address book"),
])
def test_a_bad_delivery_choice_charges_nothing(shopper, client, choice, status, message):
    user, _ = shopper
    goods = fill_cart(client)
    response = buy(client, goods, **choice)
    assert response.status_code == status and message in response.get_data(as_text=True)
    assert balance(user) == 200_00
    with database.connection_context():
        assert Order.select().count() == 0


def test_someone_elses_address_is_refused(shopper, client):
    user, _ = shopper
    other = create_user(username="other", email="other@example.com")
    with database.connection_context():
        theirs = Address.create(user=other.id, **HOME).id
    goods = fill_cart(client)
    response = buy(client, goods, address_id=str(theirs), delivery="standard")
    assert response.status_code == 409 and balance(user) == 200_00


def test_the_delivery_must_fit_in_the_balance_too(seeded, client, auth):
    user = create_user(balance_cents=5_00)
    with database.connection_context():
        address = Address.create(user=user.id, is_default=True, **HOME)
        Product.update(price_cents=5_00).where(Product.sku == "FH-10042").execute()
    auth.login()
    goods = fill_cart(client)
    response = buy(client, goods, address_id=str(address.id), delivery="next_day")
    assert response.status_code == 409
    assert "Your balance is $5.00 and this order costs $14.95 with $9.95 delivery." in response.get_data(as_text=True)
    assert balance(user) == 5_00
    assert buy(client, goods, delivery="collect").status_code == 303 and balance(user) == 0


def test_cancelling_refunds_the_delivery_too(shopper, client):
    user, address = shopper
    goods = fill_cart(client)
    buy(client, goods, address_id=str(address.id), delivery="standard")
    with database.connection_context():
        number = Order.get().number
    client.post(f"/orders/{number}/cancel", data={"csrf_token": csrf_token(client)})
    assert balance(user) == 200_00


def test_working_days_skip_the_weekend():
    friday = date(2026, 11, 27)
    assert working_days_after(friday, 1) == date(2026, 11, 30) and working_days_after(friday, 3) == date(2026, 12, 2)


def test_the_order_list_shows_how_each_order_travels(shopper, client):
    user, address = shopper
    goods = fill_cart(client)
    buy(client, goods, address_id=str(address.id), delivery="next_day")
    goods = fill_cart(client)
    buy(client, goods, delivery="collect")
    page = client.get("/orders").get_data(as_text=True)
    assert "Next working day to San Francisco 94103" in page and "<td data-label=\"Delivery\">Collect at the nursery" in page
