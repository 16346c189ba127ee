"""The cart and checkout: correct under concurrency, all or nothing, with the confirmation email."""
import re

import pytest

from shop.db import database
from shop.mail import deliver_due
from shop.models import CartItem, EmailOutbox, Order, OrderItem, Product, User
from shop.orders import checkout as orders
from shop.orders.checkout import place_order

from .conftest import create_user, csrf_token
from .helpers import HX


def product(sku="FH-10001"):
    """A seeded product, fresh from the database."""
    with database.connection_context():
        return Product.get(Product.sku == sku)


def fresh(user):
    """The user row as it is now."""
    with database.connection_context():
        return User.get_by_id(user.id)


def post(client, url, **data):
    """POST a form with its CSRF token."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client)})


def add(client, sku="FH-10001", quantity=1, headers=None):
    """Add to the cart through the real form."""
    return client.post("/cart/add", data={"sku": sku, "quantity": quantity, "csrf_token": csrf_token(client)},
                       headers=headers or {})


def checkout_key(client):
    """The idempotency key rendered into the cart page's checkout form."""
    return checkout_form(client)["idempotency_key"]


def checkout_form(client):
    """The hidden fields of the cart page's checkout form (key and the total it shows), as a browser sends them."""
    html = client.get("/cart").get_data(as_text=True)
    if 'id="checkout-form"' not in html:  # an empty cart has no form; send what a stale page would
        return {"idempotency_key": "stale-page", "expected_total_cents": "0"}
    form = html[html.index('id="checkout-form"'):]
    return {name: re.search(rf'name="{name}" value="([^"]*)"', form).group(1)
            for name in ("idempotency_key", "expected_total_cents")}


def buy_cart(client, key=None):
    """Press Buy on the cart page: POST /checkout with the form's own fields (the key may be replaced)."""
    form = checkout_form(client)
    if key is not None:
        form["idempotency_key"] = key
    return post(client, "/checkout", **form)


@pytest.fixture
def shopper(seeded, client, auth):
    """A logged-in, verified customer with $200.00."""
    user = create_user(balance_cents=200_00)
    auth.login()
    return user


def test_add_update_remove_without_javascript(shopper, client):
    response = add(client, quantity=2)
    assert response.status_code == 303
    with database.connection_context():
        assert [(line.product.sku, line.quantity) for line in CartItem.select()] == [("FH-10001", 2)]
    add(client, quantity=1)
    with database.connection_context():
        assert CartItem.get().quantity == 3
    assert post(client, "/cart/update", sku="FH-10001", quantity="5").status_code == 303
    with database.connection_context():
        assert CartItem.get().quantity == 5
    page = client.get("/cart").get_data(as_text=True)
    assert "$170.00" in page and "$200.00" in page and "$30.00" in page  # total, balance, after
    assert post(client, "/cart/remove", sku="FH-10001").status_code == 303
    with database.connection_context():
        assert CartItem.select().count() == 0
    assert "Your cart is empty" in client.get("/cart").get_data(as_text=True)


def test_add_with_htmx_returns_a_fragment_and_refreshes_the_badge(shopper, client):
    response = add(client, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "cart-changed"
    assert html.strip().startswith('<span id="add-result-FH-10001" class="add-result ok"')
    assert "Added Monstera Deliciosa to your cart." in html
    badge = client.get("/cart/badge", headers=HX).get_data(as_text=True)
    assert 'id="cart-badge"' in badge and '<span class="count">1</span><span class="visually-hidden"> item</span>' in badge


@pytest.mark.parametrize("quantity, message", [
    ("0", "at least 1"), ("-2", "at least 1"), ("abc", "whole number"), ("1e9", "whole number"),
    ("100", "at most 99"), ("43", "Only 42 of Monstera Deliciosa left."),
])
def test_bad_quantities_get_a_clear_message_and_change_nothing(shopper, client, quantity, message):
    response = add(client, quantity=quantity, headers=HX)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    with database.connection_context():
        assert CartItem.select().count() == 0


def test_sold_out_and_unknown_products_cannot_be_added(shopper, client):
    assert "sold out" in add(client, sku="FH-10006", headers=HX).get_data(as_text=True)  # Elephant Ear, stock 0
    assert "could not find" in add(client, sku="FH-99999", headers=HX).get_data(as_text=True)
    assert "could not find" in add(client, sku="<script>", headers=HX).get_data(as_text=True)


def test_update_beyond_stock_is_refused_in_place(shopper, client):
    add(client)
    response = client.post("/cart/update", data={"sku": "FH-10001", "quantity": "50",
                                                 "csrf_token": csrf_token(client)}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and html.strip().startswith('<section id="cart"')
    assert "Only 42 of Monstera Deliciosa left." in html
    with database.connection_context():
        assert CartItem.get().quantity == 1


def test_cart_survives_logging_out_and_in(shopper, client, auth):
    add(client, quantity=2)
    auth.logout()
    auth.login()
    assert 'value="2"' in client.get("/cart").get_data(as_text=True)


def test_cart_posts_need_csrf(shopper, client):
    assert client.post("/cart/add", data={"sku": "FH-10001"}).status_code == 400
    assert client.post("/checkout", data={"idempotency_key": "k"}).status_code == 400
    with database.connection_context():
        assert CartItem.select().count() == 0


def test_checkout_buys_everything_and_sends_the_receipt(shopper, client):
    add(client, "FH-10001", 2)   # Monstera $34.00
    add(client, "FH-10042", 3)   # Sweet Basil $4.50
    stock_before = product("FH-10001").stock, product("FH-10042").stock
    response = buy_cart(client)
    assert response.status_code == 303
    with database.connection_context():
        order = Order.get()
        items = list(OrderItem.select().order_by(OrderItem.id))
        mail = EmailOutbox.get()
    assert response.headers["Location"] == f"/orders/{order.number}"
    assert re.fullmatch(r"FH-\d{6}-\d{6}", order.number)
    assert order.total_cents == 2 * 3400 + 3 * 450 == 81_50
    assert order.balance_after_cents == fresh(shopper).balance_cents == 200_00 - 81_50
    assert [(i.product_name, i.quantity, i.unit_price_cents) for i in items] == [
        ("Monstera Deliciosa", 2, 3400), ("Sweet Basil", 3, 450)]
    assert (product("FH-10001").stock, product("FH-10042").stock) == (stock_before[0] - 2, stock_before[1] - 3)
    with database.connection_context():
        assert CartItem.select().count() == 0
    assert mail.recipient == "fern@example.com" and order.number in mail.subject
    for fact in (order.number, shopper.member_id, "$81.50", "$118.50", "Monstera Deliciosa"):
        assert fact in mail.body_text
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert order.number in receipt and "$81.50" in receipt and "$118.50" in receipt
    assert "$118.50" in client.get("/").get_data(as_text=True)  # the header balance
    assert order.number in client.get("/orders").get_data(as_text=True)
    assert order.number in client.get("/account").get_data(as_text=True)


def test_prices_come_from_the_database_not_the_form(shopper, client):
    add(client, "FH-10001", 1)
    client.post("/checkout", data={**checkout_form(client), "csrf_token": csrf_token(client),
                                   "price_cents": "1", "total_cents": "1"})
    with database.connection_context():
        assert Order.get().total_cents == 3400


def test_not_enough_balance_changes_nothing_and_says_why(shopper, client):
    add(client, "FH-10032", 6)  # Kentia Palm, $79.00 each = $474.00
    stock = product("FH-10032").stock
    response = buy_cart(client, "key-1")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Your balance is $200.00 and this order costs $474.00" in html
    assert fresh(shopper).balance_cents == 200_00 and product("FH-10032").stock == stock
    with database.connection_context():
        assert Order.select().count() == 0 and EmailOutbox.select().count() == 0 and CartItem.get().quantity == 6


def test_cart_page_warns_before_the_customer_tries(shopper, client):
    add(client, "FH-10032", 3)  # $237.00 > $200.00
    html = client.get("/cart").get_data(as_text=True)
    assert "This order costs $237.00 and your balance is $200.00" in html
    assert re.search(r'<button class="button button-wide" id="buy-now" type="submit"\s+disabled', html)


def test_a_plant_that_sold_out_meanwhile_is_named(shopper, client):
    add(client, "FH-10001", 2)
    with database.connection_context():
        Product.update(stock=1).where(Product.sku == "FH-10001").execute()
    html = buy_cart(client, "key-1").get_data(as_text=True)
    assert "Only 1 of Monstera Deliciosa left, and your cart has 2." in html
    with database.connection_context():
        Product.update(stock=0).where(Product.sku == "FH-10001").execute()
    html = buy_cart(client, "key-2").get_data(as_text=True)
    assert "Monstera Deliciosa has just sold out." in html
    assert fresh(shopper).balance_cents == 200_00
    with database.connection_context():
        assert Order.select().count() == 0


def test_empty_cart_checkout(shopper, client):
    response = buy_cart(client, "key-1")
    assert response.status_code == 409 and "Your cart is empty." in response.get_data(as_text=True)


@pytest.mark.parametrize("key", ["", "x" * 65])
def test_bad_idempotency_key_is_refused(shopper, client, key):
    add(client)
    response = post(client, "/checkout", idempotency_key=key)
    assert response.status_code == 303 and response.headers["Location"] == "/cart"
    with database.connection_context():
        assert Order.select().count() == 0


def test_a_double_submit_makes_one_order(shopper, client):
    add(client, "FH-10001", 1)
    form = checkout_form(client)
    first = post(client, "/checkout", **form)
    second = post(client, "/checkout", **form)
    assert first.headers["Location"] == second.headers["Location"]
    with database.connection_context():
        assert Order.select().count() == 1 and EmailOutbox.select().count() == 1
    assert fresh(shopper).balance_cents == 200_00 - 3400


def test_a_failure_after_the_charge_rolls_everything_back(shopper, client, monkeypatch):
    add(client, "FH-10001", 2)
    stock = product("FH-10001").stock

    def broken_email(*args, **kwargs):
        raise RuntimeError("mail template exploded after the balance was charged")

    monkeypatch.setattr(orders, "queue_email", broken_email)
    with pytest.raises(RuntimeError):
        with client.application.test_request_context():
            place_order(fresh(shopper), "key-1", 6800)
    assert fresh(shopper).balance_cents == 200_00 and product("FH-10001").stock == stock
    with database.connection_context():
        assert Order.select().count() == 0 and OrderItem.select().count() == 0
        assert EmailOutbox.select().count() == 0 and CartItem.get().quantity == 2


def test_a_free_item_checks_out_on_every_database(shopper, client):
    with database.connection_context():
        Product.update(price_cents=0).where(Product.sku == "FH-10055").execute()
    add(client, "FH-10055", 1)
    response = buy_cart(client, "free-1")
    assert response.status_code == 303
    with database.connection_context():
        assert Order.get().total_cents == 0
    assert fresh(shopper).balance_cents == 200_00


def test_only_the_owner_sees_an_order(shopper, client, auth, app):
    add(client)
    buy_cart(client, "k")
    with database.connection_context():
        number = Order.get().number
    other = app.test_client()
    create_user(username="someone", email="someone@example.com")
    other.post("/login", data={"login": "someone", "password": "Gr33n-Fingers", "csrf_token": csrf_token(other)})
    assert other.get(f"/orders/{number}").status_code == 404
    assert other.get("/orders/FH-000000-000000").status_code == 404
    assert app.test_client().get(f"/orders/{number}").status_code == 303  # anonymous: log in first


def test_confirmation_email_arrives_over_smtp(shopper, client, app, smtp_server):
    app.config.update(MAIL_BACKEND="smtp", MAIL_HOST="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_SECURITY="none")
    add(client, "FH-10001", 1)
    buy_cart(client, "mail-1")
    with app.app_context():
        assert deliver_due() == (1, 0)
        number = Order.get().number
    [received] = smtp_server.messages
    assert received["to"] == ["fern@example.com"] and number in received["message"]["Subject"]
    text = received["message"].get_body(("plain",)).get_content()
    assert number in text and shopper.member_id in text and "$34.00" in text and "$166.00" in text
