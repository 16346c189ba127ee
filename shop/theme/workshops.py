"""Workshops: bookable classes, paid from the balance by the same rules as a purchase.

Booking takes two steps: the card asks how many seats (GET /workshops/<slug>/book), the confirmation
shows the total and the balance after and carries the one idempotency key of that booking (POST), so a
second click never books twice. The customer cancels from /account up to 48 hours before the start.
"""
import secrets

from flask import Blueprint, g, make_response, render_template, request, url_for

from ..accounts.overview import bookings_of
from ..accounts.sessions import user_by_id
from ..htmx import is_fragment_request, login_required, redirect_via_htmx, respond
from ..money import format_cents
from ..orders.bookings import (
    BookingRefused,
    book_workshop,
    cancel_booking,
    quote,
    reread_workshop,
    upcoming_workshops,
    workshop_by_slug,
)
from ..orders.cart import parse_cents

bp = Blueprint("workshops", __name__)

MAX_SEATS_PER_BOOKING = 4


def render_card(workshop, status=200, message=None, ok=False):
    """One workshop's card (seats left, booking form) plus the header balance, swapped out of band."""
    workshop = reread_workshop(workshop)
    card = render_template("partials/workshops/card.html", workshop=workshop, message=message, ok=ok,
                           max_seats=MAX_SEATS_PER_BOOKING)
    return with_balance(card, status)


def with_balance(html, status):
    """A fragment plus the header's balance, swapped out of band (it may have changed)."""
    balance = render_template("partials/auth/header_balance.html", oob=True) if g.user else ""
    return make_response(html + balance, status)


@bp.get("/workshops")
def index():
    """Upcoming workshops with their seats left and a booking form each."""
    return render_template("templates/workshops/index.html", workshops=upcoming_workshops(), max_seats=MAX_SEATS_PER_BOOKING)


def workshop_or_404(slug):
    """The workshop with this slug, or None (the caller answers 404)."""
    return workshop_by_slug(slug)


def not_found():
    """The 404 page for a workshop that is not there."""
    return render_template("templates/errors/error.html", status=404, title="We could not find that workshop",
                           message="It may have been cancelled."), 404


def render_confirm(workshop, seats, status=200, message=None):
    """Step two: the total, the balance after and the Pay button with a fresh idempotency key."""
    context = {"workshop": workshop, "quote": quote(g.user, workshop, seats), "key": secrets.token_urlsafe(24),
               "message": message}
    if is_fragment_request():
        panel = render_template("partials/workshops/confirm.html", **context)
        return with_balance(panel, status)
    return render_template("templates/workshops/confirm.html", **context), status


def read_seats(raw):
    """Seats asked for: (seats, problem or None)."""
    try:
        seats = int(("1" if raw is None else raw).strip()[:3])
    except ValueError:
        seats = 0
    if not 1 <= seats <= MAX_SEATS_PER_BOOKING:
        return 0, f"Book from 1 to {MAX_SEATS_PER_BOOKING} seats at a time."
    return seats, None


@bp.get("/workshops/<slug>/book")
def confirm(slug):
    """Step one's answer: the confirmation for `seats` (or, without seats, the card again: the Back link)."""
    workshop = workshop_or_404(slug)
    if workshop is None:
        return not_found()
    if "seats" not in request.args:
        return render_card(workshop) if is_fragment_request() else redirect_via_htmx(url_for("workshops.index"))
    if g.user is None:
        return redirect_via_htmx(url_for("auth.login", next=request.full_path.rstrip("?")))
    seats, problem = read_seats(request.args.get("seats"))
    if problem:
        return respond(lambda: render_card(workshop, 422, problem), url_for("workshops.index"), problem, "error")
    left = reread_workshop(workshop).seats_left
    if seats > left:
        problem = f"Only {left} seat{'s' if left != 1 else ''} left for {workshop.title}." if left else \
            f"{workshop.title} is fully booked."
        return respond(lambda: render_card(workshop, 409, problem), url_for("workshops.index"), problem, "error")
    return render_confirm(workshop, seats)


@bp.post("/workshops/<slug>/book")
def book(slug):
    """Step two: pay and book; htmx gets the card back in place, a plain form a redirect."""
    workshop = workshop_or_404(slug)
    if workshop is None:
        return not_found()
    if g.user is None:
        return redirect_via_htmx(url_for("auth.login", next=url_for("workshops.index")))
    key = (request.form.get("idempotency_key") or "").strip()
    expected = parse_cents(request.form.get("expected_total_cents"))
    seats, problem = read_seats(request.form.get("seats"))
    if not problem and (not key or len(key) > 64 or expected is None):
        problem = "This booking form is out of date. Please choose the seats again."
    back = url_for("workshops.index")
    if problem:
        return respond(lambda: render_card(workshop, 422, problem), back, problem, "error")
    try:
        booking, _ = book_workshop(g.user, workshop, seats, key, expected)
    except BookingRefused as refusal:
        problem = str(refusal)
        return respond(lambda: render_card(workshop, 409, problem), back, problem, "error")
    g.user = user_by_id(g.user.id)  # the header shows the new balance
    message = (f"Booked {booking.seats} seat{'s' if booking.seats > 1 else ''} ({booking.number}). "
               "A confirmation email is on its way.")
    return respond(lambda: render_card(workshop, 200, message, ok=True), back, message)


@bp.post("/account/bookings/<number>/cancel")
@login_required
def cancel(number):
    """Cancel one of your bookings (up to 48 hours before): the bookings table again, or a 303 to /account."""
    try:
        booking, _ = cancel_booking(g.user, number)
    except BookingRefused as refusal:
        problem = str(refusal)
        return respond(lambda: render_bookings(409, problem), url_for("auth.account"), problem, "error")
    g.user = user_by_id(g.user.id)
    message = f"Booking {booking.number} is cancelled: {format_cents(booking.total_cents)} is back on your balance."
    return respond(lambda: render_bookings(200, message, ok=True), url_for("auth.account"), message)


def render_bookings(status, message, ok=False):
    """The account's bookings section after a cancellation, and the header balance out of band."""
    section = render_template("partials/account/bookings.html", bookings=bookings_of(g.user.id), message=message, ok=ok)
    return with_balance(section, status)
