"""The cart shows the whole price before paying (issue 25): the delivery chosen, its cost, the grand total on
the button and the balance after all move together, with htmx and without JavaScript; the choice survives
quantity changes; checkout charges exactly the amount the button showed or nothing. Both engines."""
import re

import pytest

from shop.db import database
from shop.models import Address, BalanceLedger, CartItem, Order, Product, User

from .conftest import create_user, csrf_token
from .helpers import HX

HOME = {"name": "Fern Fan", "line1": "1 Market St", "town": "San Francisco", "postcode": "94103", "country": "US"}
WORK = {"name": "Fern Fan", "line1": "5 Office Park", "town": "Oakland", "postcode": "94607", "country": "US"}


@pytest.fixture
def shopper(seeded, client, auth):
    """A logged-in customer with $200.00, a default home address and a work address, two monsteras
    ($68.00: standard delivery is free) in the cart."""
    user = create_user(balance_cents=200_00)
    with database.connection_context():
        home = Address.create(user=user.id, is_default=True, **HOME)
        work = Address.create(user=user.id, **WORK)
    auth.login()
    client.post("/cart/add", data={"sku": "FH-10001", "quantity": "2", "csrf_token": csrf_token(client)})
    return user, home, work


def post(client, url, headers=None, **data):
    """POST a form with its CSRF token."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client)}, headers=headers or {})


def shown(html):
    """What the cart shows: the amount on the button, the hidden total, the balance after, the delivery line,
    and which address and delivery are checked."""
    def checked(name):
        found = re.search(rf'name="{name}" value="([^"]*)"[^>]*\bchecked\b', html)
        return found.group(1) if found else None
    return {
        "button": re.search(r"Buy now · (\$[\d,.]+)", html).group(1),
        "expected": re.search(r'name="expected_total_cents" value="(\d+)"', html).group(1),
        "after": re.search(r'id="cart-after"[^>]*>([^<]+)<', html).group(1),
        "delivery": re.search(r'id="cart-delivery"[^>]*>([^<]+)<', html).group(1),
        "total": re.search(r'id="cart-total"[^>]*>([^<]+)<', html).group(1),
        "address_id": checked("address_id"), "method": checked("delivery"),
    }


def choose(client, address, method, headers=HX):
    """Choose a delivery in the cart, as the radio buttons do (htmx) or the Update button (no JavaScript)."""
    return post(client, "/cart/delivery", headers=headers, address_id=str(address.id), delivery=method)


def checkout_fields(html):
    """The hidden fields of the checkout form as the page rendered them."""
    return {name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1)
            for name in ("idempotency_key", "expected_total_cents")}


def balance(user):
    with database.connection_context():
        return User.get_by_id(user.id).balance_cents


def stock(sku="FH-10001"):
    with database.connection_context():
        return Product.get(Product.sku == sku).stock


def test_the_cart_starts_with_the_default_address_and_standard_delivery(shopper, client):
    user, home, _ = shopper
    assert shown(client.get("/cart").get_data(as_text=True)) == {
        "button": "$68.00", "expected": "6800", "after": "$132.00", "delivery": "free", "total": "$68.00",
        "address_id": str(home.id), "method": "standard"}


def test_choosing_next_day_puts_it_on_the_button_and_in_the_balance_after(shopper, client):
    user, home, _ = shopper
    response = choose(client, home, "next_day")
    assert response.status_code == 200 and 'id="cart"' in response.get_data(as_text=True)
    assert shown(response.get_data(as_text=True)) == {
        "button": "$77.95", "expected": "7795", "after": "$122.05", "delivery": "$9.95", "total": "$77.95",
        "address_id": str(home.id), "method": "next_day"}
    assert shown(client.get("/cart").get_data(as_text=True))["button"] == "$77.95"  # kept for the next visit


def test_the_amount_on_the_button_is_the_amount_charged(shopper, client):
    user, home, _ = shopper
    page = choose(client, home, "next_day").get_data(as_text=True)
    fields = checkout_fields(page)
    response = post(client, "/checkout", address_id=str(home.id), delivery="next_day", **fields)
    assert response.status_code == 303
    with database.connection_context():
        order = Order.get()
        row = BalanceLedger.get(BalanceLedger.reference == order.number)
    assert order.total_cents == 77_95 and order.delivery_cents == 9_95 and row.delta_cents == -77_95
    assert balance(user) == 200_00 - 77_95


def test_an_old_total_of_the_plants_only_is_refused_with_nothing_charged(shopper, client):
    user, home, _ = shopper
    key = checkout_fields(client.get("/cart").get_data(as_text=True))["idempotency_key"]
    response = post(client, "/checkout", idempotency_key=key, expected_total_cents="6800",
                    address_id=str(home.id), delivery="next_day")
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "The total changed since your cart was shown: it is now $77.95 (plants $68.00, Next working day $9.95), " \
           "not $68.00. Nothing was charged." in page
    assert shown(page)["button"] == "$77.95" and shown(page)["method"] == "next_day"  # the cart shows the new total
    assert balance(user) == 200_00 and stock() == 42
    with database.connection_context():
        assert Order.select().count() == 0 and CartItem.get().quantity == 2
        assert BalanceLedger.select().count() == 1  # the opening balance only


def test_a_quantity_change_keeps_the_delivery_and_address_chosen(shopper, client):
    user, _, work = shopper
    choose(client, work, "next_day")
    response = post(client, "/cart/update", headers=HX, sku="FH-10001", quantity="3")
    assert shown(response.get_data(as_text=True)) == {
        "button": "$111.95", "expected": "11195", "after": "$88.05", "delivery": "$9.95", "total": "$111.95",
        "address_id": str(work.id), "method": "next_day"}


def test_adding_and_removing_plants_keep_the_choice_and_standard_becomes_free_at_fifty_dollars(shopper, client):
    user, _, work = shopper
    choose(client, work, "standard")
    post(client, "/cart/update", headers=HX, sku="FH-10001", quantity="1")  # $34.00: under the threshold
    assert shown(client.get("/cart").get_data(as_text=True))["delivery"] == "$4.95"
    post(client, "/cart/add", sku="FH-10042", quantity="4")  # four basils: $52.00
    state = shown(client.get("/cart").get_data(as_text=True))
    assert (state["delivery"], state["button"], state["address_id"]) == ("free", "$52.00", str(work.id))
    response = post(client, "/cart/remove", headers=HX, sku="FH-10001")  # $18.00 of basil
    state = shown(response.get_data(as_text=True))
    assert (state["delivery"], state["button"], state["address_id"], state["method"]) == \
        ("$4.95", "$22.95", str(work.id), "standard")


def test_without_javascript_the_update_button_shows_the_same_numbers(shopper, client):
    user, home, _ = shopper
    response = choose(client, home, "next_day", headers={})
    assert response.status_code == 303 and response.headers["Location"] == "/cart"
    page = client.get("/cart").get_data(as_text=True)
    assert shown(page) == shown(choose(client, home, "next_day").get_data(as_text=True))
    assert shown(page)["button"] == "$77.95"
    assert 'formaction="/cart/delivery"' in page  # the no-JavaScript button posts the same form there


def test_collecting_costs_nothing_and_remembers_the_address_for_later(shopper, client):
    user, _, work = shopper
    choose(client, work, "collect")
    state = shown(client.get("/cart").get_data(as_text=True))
    assert (state["button"], state["delivery"], state["method"]) == ("$68.00", "free", "collect")
    state = shown(choose(client, work, "next_day").get_data(as_text=True))
    assert (state["button"], state["address_id"]) == ("$77.95", str(work.id))


def test_a_deleted_address_falls_back_to_the_default(shopper, client):
    user, home, work = shopper
    choose(client, work, "next_day")
    with database.connection_context():
        Address.delete().where(Address.id == work.id).execute()
    state = shown(client.get("/cart").get_data(as_text=True))
    assert (state["address_id"], state["method"], state["button"]) == (str(home.id), "next_day", "$77.95")


@pytest.mark.parametrize("choice, message", [
    ({"address_id": "x", "delivery": "next_day"}, "Choose one of your addresses from the list."),
    ({"address_id": "١", "delivery": "next_day"}, "Choose one of your addresses from the list."),
    ({"delivery": "next_day"}, "Choose the address to send your plants to"),
    ({"address_id": "1", "delivery": "rocket"}, "Choose standard delivery, next working day"),
    ({"address_id": "99999999", "delivery": "next_day"}, "We could not find that address in your address book."),
])
def test_a_bad_choice_is_a_clear_422_and_changes_nothing(shopper, client, choice, message):
    user, home, _ = shopper
    response = post(client, "/cart/delivery", headers=HX, **choice)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    state = shown(client.get("/cart").get_data(as_text=True))
    assert (state["method"], state["address_id"], state["button"]) == ("standard", str(home.id), "$68.00")


def test_someone_elses_address_cannot_be_chosen(shopper, client):
    other = create_user(username="other", email="other@example.com")
    with database.connection_context():
        theirs = Address.create(user=other.id, **HOME)
    response = choose(client, theirs, "next_day")
    assert response.status_code == 422 and "Oakland" not in response.get_data(as_text=True).split("alert")[0]
    assert "could not find that address" in response.get_data(as_text=True)


def test_a_guest_choosing_a_delivery_is_sent_to_log_in(seeded, client):
    response = post(client, "/cart/delivery", address_id="1", delivery="next_day")
    assert response.status_code == 303 and response.headers["Location"].startswith("/login")
