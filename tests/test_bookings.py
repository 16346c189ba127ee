"""Workshop bookings: a confirmation step that books once, and the customer's own cancellation (full
refund up to 48 hours before), on both engines; racing cancellations refund once."""
from datetime import timedelta

import pytest

from shop.db import database
from shop.models import BalanceLedger, Booking, EmailOutbox, User, Workshop, utcnow
from shop.orders.bookings import BookingRefused, book_workshop, cancel_booking
from shop.staff.people import cancel_workshop

from .conftest import create_user, csrf_token
from .helpers import HX
from .test_money import run_together


def workshop(slug="repotting-basics"):
    with database.connection_context():
        return Workshop.get(Workshop.slug == slug)


def balance(user):
    with database.connection_context():
        return User.get_by_id(user.id).balance_cents


def booked(app, user, slug="repotting-basics", seats=2, key="b1"):
    """A booking made through the real booking code."""
    with app.test_request_context(), database.connection_context():
        return book_workshop(User.get_by_id(user.id), workshop(slug), seats, key)[0]


def test_the_confirmation_shows_the_total_and_books_once(seeded, client, auth):
    user = create_user(balance_cents=100_00)
    auth.login()
    step = client.get("/workshops/repotting-basics/book?seats=2", headers=HX)
    html = step.get_data(as_text=True)
    assert step.status_code == 200 and html.strip().startswith('<li id="workshop-repotting-basics"')
    assert "2 × $25.00" in html and "<strong>$50.00</strong>" in html and "Balance after</dt><dd>$50.00" in html
    assert "Pay $50.00 and book" in html and Booking.select().count() == 0  # nothing charged yet
    key = html.split('name="idempotency_key" value="')[1].split('"')[0]
    form = {"seats": "2", "idempotency_key": key, "expected_total_cents": "5000", "csrf_token": csrf_token(client)}
    first = client.post("/workshops/repotting-basics/book", data=form, headers=HX)
    second = client.post("/workshops/repotting-basics/book", data=form, headers=HX)  # a second click
    assert first.status_code == second.status_code == 200 and "Booked 2 seats" in first.get_data(as_text=True)
    with database.connection_context():
        assert Booking.select().count() == 1 and EmailOutbox.select().count() == 1
    assert balance(user) == 50_00 and workshop().seats_left == 10
    back = client.get("/workshops/repotting-basics/book", headers=HX)  # the Back link: the card again
    assert 'name="seats"' in back.get_data(as_text=True) and "idempotency_key" not in back.get_data(as_text=True)


def test_without_javascript_the_confirmation_is_a_page(seeded, client, auth):
    create_user(balance_cents=10_00)
    auth.login()
    page = client.get("/workshops/repotting-basics/book?seats=1").get_data(as_text=True)
    assert "<h1>Confirm your booking</h1>" in page and "short by $15.00" in page and "disabled>Pay $25.00" in page
    assert client.get("/workshops/repotting-basics/book?seats=9", headers=HX).status_code == 422
    assert client.get("/workshops/kokedama/book?seats=4", headers=HX).status_code == 409  # 3 seats exist
    assert client.get("/workshops/nope/book?seats=1").status_code == 404


def test_anonymous_visitors_log_in_first_and_come_back(seeded, client):
    response = client.get("/workshops/repotting-basics/book?seats=2")
    assert response.status_code == 303
    assert response.headers["Location"] == "/login?next=/workshops/repotting-basics/book?seats%3D2"


def test_a_price_changed_after_the_confirmation_is_refused(seeded, client, auth):
    user = create_user(balance_cents=100_00)
    auth.login()
    with database.connection_context():
        Workshop.update(price_cents=30_00).where(Workshop.slug == "repotting-basics").execute()
    response = client.post("/workshops/repotting-basics/book", headers=HX, data={
        "seats": "2", "idempotency_key": "k", "expected_total_cents": "5000", "csrf_token": csrf_token(client)})
    assert response.status_code == 409 and "now cost $60.00. Nothing was charged." in response.get_data(as_text=True)
    assert balance(user) == 100_00 and workshop().seats_left == 12


def test_cancelling_refunds_in_full_returns_the_seats_and_emails(seeded, app, client, auth):
    user = create_user(balance_cents=100_00)
    booking = booked(app, user)
    auth.login()
    account = client.get("/account").get_data(as_text=True)
    assert f"/account/bookings/{booking.number}/cancel" in account
    response = client.post(f"/account/bookings/{booking.number}/cancel", headers=HX,
                           data={"csrf_token": csrf_token(client, "/account")})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.strip().startswith('<section class="panel" id="bookings"')
    assert "Cancelled, refunded" in html and "$50.00 is back on your balance" in html and 'hx-swap-oob="true">$100.00<' in html
    assert balance(user) == 100_00 and workshop().seats_left == 12
    with database.connection_context():
        assert Booking.get_by_id(booking.id).cancelled_at is not None
        assert [(row.reason, row.delta_cents) for row in BalanceLedger.select().where(
            BalanceLedger.reference == booking.number).order_by(BalanceLedger.id)] == [("booking", -50_00), ("refund", 50_00)]
        mail = EmailOutbox.select().order_by(EmailOutbox.id.desc()).first()
    assert mail.subject == "Booking cancelled: Repotting basics" and booking.number in mail.body_text
    again = client.post(f"/account/bookings/{booking.number}/cancel", data={"csrf_token": csrf_token(client, "/account")})
    assert again.status_code == 303 and "cancelled already" in client.get("/account").get_data(as_text=True)
    assert balance(user) == 100_00  # refunded once


def test_cancelling_is_refused_within_48_hours_and_for_others(seeded, app, client, auth):
    user = create_user(balance_cents=100_00)
    other = create_user(username="someone", email="someone@example.com", balance_cents=100_00)
    mine, theirs = booked(app, user), booked(app, other, slug="kokedama", seats=1, key="t")
    with database.connection_context():
        Workshop.update(starts_at=utcnow() + timedelta(hours=47)).where(Workshop.slug == "repotting-basics").execute()
    auth.login()
    token = csrf_token(client, "/account")
    assert "Starts within 48 hours" in client.get("/account").get_data(as_text=True)
    late = client.post(f"/account/bookings/{mine.number}/cancel", headers=HX, data={"csrf_token": token})
    assert late.status_code == 409 and "less than 48 hours" in late.get_data(as_text=True)
    stolen = client.post(f"/account/bookings/{theirs.number}/cancel", headers=HX, data={"csrf_token": token})
    assert stolen.status_code == 409 and "could not find that booking" in stolen.get_data(as_text=True)
    assert balance(user) == 50_00 and balance(other) == 65_00
    with database.connection_context():
        assert Booking.select().where(Booking.cancelled_at.is_null(False)).count() == 0
    assert client.post("/account/bookings/x/cancel", data={"csrf_token": token}).status_code == 303


@pytest.mark.parametrize("rounds", [20])
def test_racing_cancellations_refund_once(seeded, app, rounds):
    """The customer's two tabs and the nursery cancel at once, 20 rounds: one refund each time."""
    user = create_user(balance_cents=500_00)
    staff = create_user(username="nursery", email="staff@example.com", balance_cents=0)
    for round_number in range(rounds):
        with database.connection_context():
            Workshop.update(cancelled_at=None, seats_left=12).where(Workshop.slug == "repotting-basics").execute()
        booking = booked(app, user, seats=1, key=f"race-{round_number}")
        outcomes = []

        def attempt(n):  # two tabs cancel the booking while the nursery cancels the workshop
            with app.test_request_context():
                try:
                    if n < 2:
                        cancel_booking(User.get_by_id(user.id), booking.number)
                        outcomes.append("customer")
                    else:
                        cancel_workshop(staff.id, workshop().id, "The glasshouse flooded.")
                        outcomes.append("nursery")
                except BookingRefused:
                    outcomes.append("refused")

        assert run_together(3, attempt) == []
        assert sorted(outcomes).count("nursery") == 1 and len(outcomes) == 3, outcomes
        assert outcomes.count("customer") <= 1 and all(o in ("customer", "refused", "nursery") for o in outcomes)
        with database.connection_context():
            refunds = BalanceLedger.select().where(BalanceLedger.reference == booking.number,
                                                   BalanceLedger.reason == "refund").count()
        assert refunds == 1, (round_number, outcomes)
        assert balance(user) == 500_00
