"""The address book (/account/addresses, shop/accounts/addresses.py): validated fields with a message each
(422, nothing lost), add, edit, default, delete, only ever your own; on both engines."""
import pytest

from shop.db import database
from shop.models import Address

from .conftest import create_user, csrf_token
from .helpers import HX

HOME = {"name": "Fern Fan", "line1": "1 Market St", "line2": "", "town": "San Francisco", "postcode": "94103",
        "country": "US"}


@pytest.fixture
def customer(seeded, client, auth):
    user = create_user()
    auth.login()
    return user


def post(client, path="/account/addresses", headers=None, **fields):
    return client.post(path, data={**fields, "csrf_token": csrf_token(client, "/account/addresses")}, headers=headers or {})


def rows(user):
    with database.connection_context():
        return [(a.line1, a.postcode, a.country, a.is_default)
                for a in Address.select().where(Address.user == user.id).order_by(Address.id)]


@pytest.mark.parametrize("changes, field, message", [
    ({"name": ""}, "name", "Name is needed."),
    ({"line1": "  "}, "line1", "Street and number is needed."),
    ({"town": ""}, "town", "Town or city is needed."),
    ({"postcode": "9410"}, "postcode", "That is not a United States postcode: 5 digits, like 94103 or 94103-1234."),
    ({"country": "GB", "postcode": "12345"}, "postcode", "That is not a United Kingdom postcode: like SW1A 1AA."),
    ({"country": "XX"}, "country", "Choose a country from the list: we ship to these."),
    ({"country": ""}, "country", "Country is needed."),
    ({"line1": "x" * 121}, "line1", "Street and number can be at most 120 characters."),
])
def test_a_bad_address_is_refused_with_its_message_and_nothing_lost(customer, client, changes, field, message):
    for headers in (HX, {}):
        response = post(client, headers=headers, **{**HOME, **changes})
        html = response.get_data(as_text=True)
        assert response.status_code == 422 and message in html
        assert f'id="address-{field}-error"' in html
        kept = {**HOME, **changes}["town"]
        assert f'value="{kept}"' in html  # what was typed is still there
    assert rows(customer) == []


def test_add_edit_default_and_delete(customer, client):
    added = post(client, headers=HX, **HOME)
    assert added.status_code == 200 and "Saved the address for Fern Fan." in added.get_data(as_text=True)
    plain = post(client, **{**HOME, "line1": "2 Rose Lane", "country": "gb", "postcode": "sw1a1aa"})
    assert plain.status_code == 303 and plain.headers["Location"] == "/account/addresses"
    assert rows(customer) == [("1 Market St", "94103", "US", True), ("2 Rose Lane", "SW1A1AA", "GB", False)]
    with database.connection_context():
        first, second = [a.id for a in Address.select().order_by(Address.id)]
    made = post(client, f"/account/addresses/{second}/default", headers=HX)
    assert made.status_code == 200 and "That is your default address now." in made.get_data(as_text=True)
    assert [row[3] for row in rows(customer)] == [False, True]
    edited = post(client, f"/account/addresses/{first}", **{**HOME, "line1": "9 Fern Row"})
    assert edited.status_code == 303 and rows(customer)[0][0] == "9 Fern Row"
    refused = post(client, f"/account/addresses/{first}", **{**HOME, "postcode": "x"})
    assert refused.status_code == 422 and rows(customer)[0][1] == "94103"
    deleted = post(client, f"/account/addresses/{second}/delete", headers=HX)
    assert deleted.status_code == 200 and rows(customer) == [("9 Fern Row", "94103", "US", True)]  # default moved
    page = client.get("/account/addresses").get_data(as_text=True)
    assert "9 Fern Row" in page and "Default" in page


def test_only_your_own_addresses(customer, client):
    other = create_user(username="someone", email="someone@example.com")
    with database.connection_context():
        theirs = Address.create(user=other.id, **HOME).id
    assert client.get(f"/account/addresses/{theirs}").status_code == 404
    for action in ("", "/default", "/delete"):
        assert post(client, f"/account/addresses/{theirs}{action}", **HOME).status_code == 404
    assert client.get("/account/addresses/99999999999").status_code == 404
    with database.connection_context():
        assert Address.get_by_id(theirs).line1 == "1 Market St"


def test_an_address_book_is_bounded_and_anonymous_visitors_log_in(seeded, client, auth):
    assert client.get("/account/addresses").headers["Location"] == "/login?next=/account/addresses"
    user = create_user()
    auth.login()
    for number in range(10):
        assert post(client, **{**HOME, "line1": f"{number} Market St"}).status_code == 303
    refused = post(client, headers=HX, **HOME)
    assert refused.status_code == 409 and "up to 10 addresses" in refused.get_data(as_text=True)
    assert len(rows(user)) == 10
