"""Workshops: bookable classes, paid from the balance by the same rules as a purchase."""
import secrets

from flask import Blueprint, g, make_response, render_template, request, url_for

from ..htmx import redirect_via_htmx, respond
from ..models import User, Workshop, utcnow
from ..orders.bookings import BookingRefused, book_workshop

bp = Blueprint("workshops", __name__)

MAX_SEATS_PER_BOOKING = 4


def upcoming():
    """Workshops that have not started yet and were not cancelled, soonest first."""
    return list(Workshop.select().where(Workshop.starts_at > utcnow(), Workshop.cancelled_at.is_null())
                .order_by(Workshop.starts_at))


def render_card(workshop, status=200, message=None, ok=False):
    """One workshop's card (seats left, booking form) plus the header balance, swapped out of band."""
    workshop = Workshop.get_by_id(workshop.id)
    card = render_template("partials/workshops/card.html", workshop=workshop, message=message, ok=ok,
                           new_key=lambda: secrets.token_urlsafe(24), max_seats=MAX_SEATS_PER_BOOKING)
    balance = render_template("partials/auth/header_balance.html", oob=True) if g.user else ""
    return make_response(card + balance, status)


@bp.get("/workshops")
def index():
    """Upcoming workshops with their seats left and a booking form each."""
    return render_template("templates/workshops/index.html", workshops=upcoming(),
                           new_key=lambda: secrets.token_urlsafe(24), max_seats=MAX_SEATS_PER_BOOKING)


@bp.post("/workshops/<slug>/book")
def book(slug):
    """Book seats on a workshop; htmx gets the card back in place, a plain form a redirect."""
    workshop = Workshop.get_or_none(Workshop.slug == slug[:80])
    if workshop is None:
        return render_template("templates/errors/error.html", status=404, title="We could not find that workshop",
                               message="It may have been cancelled."), 404
    if g.user is None:
        return redirect_via_htmx(url_for("auth.login", next=url_for("workshops.index")))
    key = (request.form.get("idempotency_key") or "").strip()
    try:
        seats = int(request.form.get("seats", "1"))
    except ValueError:
        seats = 0
    problem = None
    if not 1 <= seats <= MAX_SEATS_PER_BOOKING:
        problem = f"Book from 1 to {MAX_SEATS_PER_BOOKING} seats at a time."
    elif not key or len(key) > 64:
        problem = "This booking form is out of date. Please reload the page and try again."
    back = url_for("workshops.index")
    if problem:
        return respond(lambda: render_card(workshop, 422, problem), back, problem, "error")
    try:
        booking, _ = book_workshop(g.user, workshop, seats, key)
    except BookingRefused as refusal:
        problem = str(refusal)
        return respond(lambda: render_card(workshop, 409, problem), back, problem, "error")
    g.user = User.get_by_id(g.user.id)  # the header shows the new balance
    message = f"Booked {booking.seats} seat{'s' if booking.seats > 1 else ''} ({booking.number}). A confirmation email is on its way."
    return respond(lambda: render_card(workshop, 200, message, ok=True), back, message)
