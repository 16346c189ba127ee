"""A guest's cart (shop/orders/guest_cart.py): kept in the session, bounded, and merged into the account's
cart at login (kept in view in the session after registering), within stock and the per-line cap, on both engines."""
from shop.db import database
from shop.models import CartItem, Product, User

from .conftest import create_user, csrf_token
from .helpers import HX
from .test_accounts import GOOD, verification_link


def add(client, sku="FH-10001", quantity=1, headers=None):
    return client.post("/cart/add", data={"sku": sku, "quantity": quantity, "csrf_token": csrf_token(client)},
                       headers=headers or {"Referer": "http://localhost/products/FH-10001"})


def set_stock(sku, stock):
    with database.connection_context():
        Product.update(stock=stock).where(Product.sku == sku).execute()


def lines_of(user):
    with database.connection_context():
        return {line.product.sku: line.quantity for line in CartItem.select().where(CartItem.user == user.id)}


def test_a_guest_fills_a_cart_without_logging_in(seeded, client):
    response = add(client, quantity=2, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Added Monstera Deliciosa to your cart." in html
    assert response.headers["HX-Trigger"] == "cart-changed"
    add(client, sku="FH-10042", headers=HX)
    assert '<span class="count">3</span>' in client.get("/cart/badge").get_data(as_text=True)
    page = client.get("/cart").get_data(as_text=True)
    assert "Monstera Deliciosa" in page and "Sweet Basil" in page and "Log in to buy" in page
    assert 'id="checkout-form"' not in page  # a guest logs in to buy
    with database.connection_context():
        assert CartItem.select().count() == 0  # nothing in the database: the cart is the session's
    updated = client.post("/cart/update", headers=HX, data={"sku": "FH-10001", "quantity": "5",
                                                             "csrf_token": csrf_token(client)})
    assert updated.status_code == 200 and 'value="5"' in updated.get_data(as_text=True)
    removed = client.post("/cart/remove", headers=HX, data={"sku": "FH-10042", "csrf_token": csrf_token(client)})
    assert 'id="line-FH-10042"' not in removed.get_data(as_text=True)
    assert "Removed Sweet Basil from your cart." in removed.get_data(as_text=True)  # the focused answer


def test_a_guests_cart_is_bounded_by_stock_and_size(seeded, client):
    set_stock("FH-10001", 3)
    assert add(client, quantity=3, headers=HX).status_code == 200
    refused = add(client, quantity=1, headers=HX)
    assert refused.status_code == 422
    assert "Only 3 of Monstera Deliciosa left. You already have 3" in refused.get_data(as_text=True)
    with database.connection_context():
        skus = [sku for (sku,) in Product.select(Product.sku).where(Product.stock > 0, Product.sku != "FH-10001")
                .order_by(Product.id).limit(20).tuples()]
    answers = [add(client, sku=sku, headers=HX).status_code for sku in skus]
    assert answers == [200] * 19 + [422]  # 20 different plants at most
    assert "up to 20 different plants" in add(client, sku=skus[-1], headers=HX).get_data(as_text=True)


def test_without_javascript_a_guest_add_comes_back_with_a_message(seeded, client):
    response = add(client)
    assert response.status_code == 303 and response.headers["Location"] == "/products/FH-10001"
    assert "Added Monstera Deliciosa to your cart." in client.get("/products/FH-10001").get_data(as_text=True)


def test_logging_in_merges_within_stock_and_says_what_did_not_fit(seeded, client, auth):
    user = create_user()
    with database.connection_context():
        basil = Product.get(Product.sku == "FH-10042")
        CartItem.create(user=user.id, product=basil.id, quantity=4)
    set_stock("FH-10042", 5)
    add(client, sku="FH-10042", quantity=1)
    add(client, sku="FH-10001", quantity=2)
    set_stock("FH-10042", 5)
    with client.session_transaction() as session:  # stock fell after the guest added: 4 + 3 > 5
        session["guest_cart"] = {"FH-10042": 3, "FH-10001": 2}
    auth.login()
    assert lines_of(user) == {"FH-10042": 5, "FH-10001": 2}
    account = client.get("/account").get_data(as_text=True)
    assert "1 of the 3 Sweet Basil from before you logged in fitted in your cart (only 5 in stock)." in account
    with client.session_transaction() as session:
        assert "guest_cart" not in session
    auth.logout()
    assert "Log in to buy" not in client.get("/cart").get_data(as_text=True)  # empty again as a guest


def test_registering_keeps_the_guests_cart_in_view_until_the_first_login_merges_it(seeded, client, auth):
    """Between registering and the first login (the email is not verified yet) the guest still sees their
    cart, badge and page; logging in makes it the account's, once."""
    add(client, sku="FH-10001", quantity=2)
    response = client.post("/register", data={**GOOD, "csrf_token": csrf_token(client, "/register")})
    assert response.status_code == 303
    assert '<span class="count">2</span>' in client.get("/cart/badge").get_data(as_text=True)
    page = client.get("/cart").get_data(as_text=True)
    assert 'id="line-FH-10001"' in page and 'value="2"' in page and "Your cart is empty" not in page
    with database.connection_context():
        user = User.get(User.username == GOOD["username"])
    assert client.get(verification_link()).status_code == 200
    auth.login(GOOD["username"], GOOD["password"])
    assert lines_of(user) == {"FH-10001": 2}
    auth.logout()
    auth.login(GOOD["username"], GOOD["password"])
    assert lines_of(user) == {"FH-10001": 2}  # merged once


def test_a_guest_checking_out_is_asked_to_log_in(seeded, client):
    add(client)
    response = client.post("/checkout", data={"idempotency_key": "k", "expected_total_cents": "1200",
                                              "csrf_token": csrf_token(client)})
    assert response.status_code == 303 and response.headers["Location"] == "/login?next=/cart"
    assert "Log in to buy: your cart comes with you." in client.get("/login?next=/cart").get_data(as_text=True)
