"""Limits that hold when one customer's tabs race (issue 25): the address book's 10 addresses and single
default, and the seats one customer may hold on a workshop; over real HTTP, on both engines."""
import pytest

from shop.db import database
from shop.models import Address, Booking, User, Workshop
from shop.orders.bookings import SEATS_PER_CUSTOMER, BookingRefused, book_workshop

from .conftest import create_user, csrf_token
from .helpers import HX
from .test_money import Browser, run_together

HOME = {"name": "Fern Fan", "line1": "1 Market St", "line2": "", "town": "San Francisco", "postcode": "94103",
        "country": "US"}
FREE = "houseplant-clinic"  # free, 20 seats: nothing but the limit stops one customer taking them all


def workshop(slug=FREE):
    with database.connection_context():
        return Workshop.get(Workshop.slug == slug)


def seats_held(user, slug=FREE):
    with database.connection_context():
        return sum(booking.seats for booking in Booking.select().join(Workshop)
                   .where(Booking.user == user.id, Workshop.slug == slug, Booking.cancelled_at.is_null()))


@pytest.mark.parametrize("rounds", [3])
def test_fourteen_tabs_adding_addresses_make_ten_and_one_default(seeded, app, live_server, rounds):
    """14 parallel POST /account/addresses (the finding: 11 addresses and 2 defaults on MariaDB)."""
    user = create_user()
    browser = Browser(live_server.url)
    for round_number in range(rounds):
        with database.connection_context():
            Address.delete().where(Address.user == user.id).execute()
        tabs = [browser.tab() for _ in range(14)]
        token = browser.token("/account/addresses")
        statuses = []

        def add(n):
            response = tabs[n].post(live_server.url + "/account/addresses", headers=HX,
                                    data={**HOME, "line1": f"{n} Market St", "csrf_token": token})
            statuses.append(response.status_code)
            if response.status_code == 409:
                assert "up to 10 addresses" in response.text

        assert run_together(14, add) == []
        with database.connection_context():
            book = list(Address.select().where(Address.user == user.id))
        assert sorted(statuses) == [200] * 10 + [409] * 4, (round_number, statuses)
        assert len(book) == 10 and [a.is_default for a in book].count(True) == 1, round_number


def test_a_customer_holds_at_most_the_limit_across_bookings(seeded, app, client, auth):
    user = create_user()
    with app.test_request_context(), database.connection_context():
        book_workshop(User.get_by_id(user.id), workshop(), 3, "first")
    auth.login()
    token = csrf_token(client, "/workshops")
    refused = client.post(f"/workshops/{FREE}/book", headers=HX,
                          data={"seats": "2", "idempotency_key": "second", "expected_total_cents": "0",
                                "csrf_token": token})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert f"One customer can hold up to {SEATS_PER_CUSTOMER} seats" in text and "you hold 3" in text
    assert "1 more" in text
    assert seats_held(user) == 3
    assert client.post(f"/workshops/{FREE}/book", headers=HX,
                       data={"seats": "1", "idempotency_key": "third", "expected_total_cents": "0",
                             "csrf_token": token}).status_code == 200
    assert seats_held(user) == SEATS_PER_CUSTOMER


def test_cancelled_seats_do_not_count_and_other_customers_have_their_own(seeded, app):
    first, second = create_user(), create_user(username="other", email="other@example.com")
    with app.test_request_context(), database.connection_context():
        booking, _ = book_workshop(User.get_by_id(first.id), workshop(), SEATS_PER_CUSTOMER, "a")
        Booking.update(cancelled_at=booking.created_at).where(Booking.id == booking.id).execute()
        Workshop.update(seats_left=Workshop.seats_left + booking.seats).where(Workshop.id == booking.workshop_id).execute()
        book_workshop(User.get_by_id(first.id), workshop(), SEATS_PER_CUSTOMER, "b")
        book_workshop(User.get_by_id(second.id), workshop(), SEATS_PER_CUSTOMER, "c")
        with pytest.raises(BookingRefused):
            book_workshop(User.get_by_id(first.id), workshop(), 1, "d")
    assert seats_held(first) == seats_held(second) == SEATS_PER_CUSTOMER


@pytest.mark.parametrize("rounds", [3])
def test_one_customer_booking_from_many_tabs_holds_the_limit(seeded, app, live_server, rounds):
    """Eight tabs of one customer each book 2 seats of a free workshop at once: 2 bookings go through."""
    user = create_user()
    browser = Browser(live_server.url)
    for round_number in range(rounds):
        with database.connection_context():
            Booking.delete().where(Booking.user == user.id).execute()
            Workshop.update(seats_left=Workshop.seats_total).where(Workshop.slug == FREE).execute()
        tabs = [browser.tab() for _ in range(8)]
        token = browser.token("/workshops")
        statuses = []

        def book(n):
            response = tabs[n].post(live_server.url + f"/workshops/{FREE}/book", headers=HX,
                                    data={"seats": "2", "idempotency_key": f"tab-{round_number}-{n}",
                                          "expected_total_cents": "0", "csrf_token": token})
            statuses.append(response.status_code)

        assert run_together(8, book) == []
        assert sorted(statuses) == [200] * 2 + [409] * 6, (round_number, statuses)
        assert seats_held(user) == SEATS_PER_CUSTOMER
        free = workshop()
        assert free.seats_left == free.seats_total - SEATS_PER_CUSTOMER
