"""Reviews: only customers whose order of the plant arrived (delivered, not cancelled), once each, and the
product's rating moves in the same transaction."""
from decimal import Decimal

import pytest

from shop.db import database
from shop.models import Order, OrderItem, Product, Review

from .conftest import create_user, csrf_token
from .helpers import HX


def buy(user, sku="FH-10001", status="delivered", number=None):
    """Record that the user bought the product (an order with one line), by default delivered."""
    with database.connection_context():
        product = Product.get(Product.sku == sku)
        order = Order.create(number=number or f"FH-000000-{user.id:06d}", user=user, total_cents=product.price_cents,
                             balance_after_cents=0, idempotency_key=number or f"k{user.id}", status=status)
        OrderItem.create(order=order, product=product, product_name=product.name, quantity=1,
                         unit_price_cents=product.price_cents)


def review(client, sku="FH-10001", rating="5", body="Thriving on my shelf.", headers=None):
    """POST the review form."""
    return client.post(f"/products/{sku}/reviews", data={"rating": rating, "body": body,
                                                          "csrf_token": csrf_token(client)}, headers=headers or {})


@pytest.fixture
def buyer(seeded, client, auth):
    """A logged-in customer whose Monstera was delivered."""
    user = create_user()
    buy(user)
    auth.login()
    return user


def test_a_buyer_reviews_and_the_rating_follows(buyer, client):
    with database.connection_context():
        before = Product.get(Product.sku == "FH-10001")
    assert "Post review" in client.get("/products/FH-10001").get_data(as_text=True)
    response = review(client, rating="1", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.strip().startswith('<section id="reviews"')
    assert "Thriving on my shelf." in html and "fernfan" in html
    with database.connection_context():
        after = Product.get(Product.sku == "FH-10001")
        assert Review.get().rating == 1
    expected = (before.rating * before.rating_count + 1) / (before.rating_count + 1)
    assert after.rating_count == before.rating_count + 1
    assert after.rating == expected.quantize(Decimal("0.01"))
    assert f'<strong id="product-rating">{after.rating:.1f}</strong>' in html
    assert 'id="product-rating-summary" hx-swap-oob="true"' in html and f"from {after.rating_count} ratings" in html


def test_only_once(buyer, client):
    review(client)
    assert "Post review" not in client.get("/products/FH-10001").get_data(as_text=True)
    response = review(client, rating="3", headers=HX)
    assert response.status_code == 422
    with database.connection_context():
        assert Review.select().count() == 1


def test_not_bought_cannot_review(seeded, client, auth):
    create_user()
    auth.login()
    assert "Reviews come from customers who received this plant." in client.get("/products/FH-10001").get_data(as_text=True)
    response = review(client, headers=HX)
    assert response.status_code == 422 and "Only customers who bought" in response.get_data(as_text=True)
    with database.connection_context():
        assert Review.select().count() == 0


@pytest.mark.parametrize("status", ["cancelled", "placed", "packed", "shipped"])
def test_only_an_order_that_arrived_opens_a_review(seeded, client, auth, status):
    """Buy and cancel (net $0), or review before the plant arrived: refused, with a message, nothing saved."""
    buy(create_user(), status=status)
    with database.connection_context():
        ratings_before = Product.get(Product.sku == "FH-10001").rating_count
    auth.login()
    page = client.get("/products/FH-10001").get_data(as_text=True)
    assert "Post review" not in page
    response = review(client, headers=HX)
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    if status == "cancelled":
        assert "Only customers who received this plant can review it; your order FH-000000-" in text
        assert "was cancelled" in text and "Reviews come from customers who received this plant." in page
    else:
        assert "You can review this plant once it has arrived: order FH-000000-" in text
        assert f"is {status}" in text and "You can review this plant once it has arrived." in page
    with database.connection_context():
        assert Review.select().count() == 0
        assert Product.get(Product.sku == "FH-10001").rating_count == ratings_before


def test_one_delivered_order_among_cancelled_ones_is_enough_and_only_once(seeded, client, auth):
    user = create_user()
    buy(user, status="cancelled", number="FH-000000-000001")
    buy(user, status="delivered", number="FH-000000-000002")
    auth.login()
    assert review(client, headers=HX).status_code == 200
    second = review(client, rating="1", headers=HX)  # a second review is refused, the first one stays
    assert second.status_code == 422 and "You have already reviewed this plant." in second.get_data(as_text=True)
    with database.connection_context():
        assert [(r.rating, r.body) for r in Review.select()] == [(5, "Thriving on my shelf.")]


def test_anonymous_is_asked_to_log_in(seeded, client):
    assert "to review a plant you bought" in client.get("/products/FH-10001").get_data(as_text=True)
    response = review(client)
    assert response.status_code == 303 and response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("rating", ["0", "6", "abc", "", "4.5", "-1"])
def test_bad_ratings_are_refused(buyer, client, rating):
    response = review(client, rating=rating, headers=HX)
    assert response.status_code == 422 and "Choose from 1 to 5 stars." in response.get_data(as_text=True)
    with database.connection_context():
        assert Review.select().count() == 0


def test_too_long_and_hostile_bodies(buyer, client):
    assert review(client, body="x" * 2001, headers=HX).status_code == 422
    response = review(client, body="<script>alert(1)</script>", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<script>alert" not in html and "&lt;script&gt;" in html


def test_review_without_javascript_goes_back_to_the_page(buyer, client):
    response = review(client)
    assert response.status_code == 303 and response.headers["Location"] == "/products/FH-10001#reviews"
    assert review(client, sku="FH-99999").status_code == 404


def test_the_page_says_where_the_ratings_come_from(buyer, client):
    with database.connection_context():
        product = Product.get(Product.sku == "FH-10001")
    page = client.get("/products/FH-10001").get_data(as_text=True)
    assert "(0 written reviews)" in page
    assert f"{product.rating_count} given at the nursery's counter before reviews went online, 0 written here" in page
    html = review(client, rating="5", headers=HX).get_data(as_text=True)
    assert "(1 written review)" in html  # the top of the page, out of band
    assert f"{product.rating_count} given at the nursery's counter before reviews went online, 1 written here" in html
