"""Workshop bookings: seats paid from the balance by the same rules and lock order as a purchase, and
cancelled by the customer with a full refund up to CANCEL_NOTICE before the start.

One customer holds at most SEATS_PER_CUSTOMER seats of a workshop, across all their bookings: a workshop is
a class for a few friends, not a block to resell, and without a cap one account could take every seat of a
free workshop and release them up to 48 hours before, when nobody else can plan to come. Four is the most
one booking could already ask for (a household). It is counted under the customer's locked users row, so
tabs booking at once are counted one after another."""
from datetime import timedelta

from ..db import current_read, transaction_with_retry
from ..mail import queue_email
from ..models import Booking, Workshop, utcnow
from ..money import format_cents
from .checkout import already_made, lock_user, new_number, with_fresh_number
from .ledger import InsufficientBalance, move_balance

CANCEL_NOTICE = timedelta(hours=48)
SEATS_PER_CUSTOMER = 4  # see the module's docstring


def workshop_by_id(workshop_id):
    """One workshop, cancelled or not, or None."""
    return Workshop.get_or_none(Workshop.id == workshop_id)


def workshop_by_slug(slug):
    """The workshop with this slug, cancelled or not, or None: the booking pages' subject."""
    return Workshop.get_or_none(Workshop.slug == slug[:80])


def reread_workshop(workshop):
    """The workshop's row as it is now: its seats left change with every booking."""
    return Workshop.get_by_id(workshop.id)


def upcoming_workshops():
    """Workshops that have not started yet and were not cancelled, soonest first: the public list."""
    return list(Workshop.select().where(Workshop.starts_at > utcnow(), Workshop.cancelled_at.is_null())
                .order_by(Workshop.starts_at))


def workshops_newest_first(limit=100):
    """Workshops by start, the latest first, cancelled ones included: the back office's list."""
    return list(Workshop.select().order_by(Workshop.starts_at.desc()).limit(limit))


class BookingRefused(Exception):
    """The booking cannot go through; the message says why, and nothing was changed."""


def seats_held(user_id, workshop_id):
    """The seats the customer holds on a workshop (bookings not cancelled), read as they are now."""
    return sum(booking.seats for booking in current_read(
        Booking.select(Booking.id, Booking.seats).where(Booking.user == user_id, Booking.workshop == workshop_id,
                                                        Booking.cancelled_at.is_null())))


def _book(user_id, workshop_id, seats, idempotency_key, expected_total_cents=None):
    """The booking transaction's body; see book_workshop()."""
    user = lock_user(user_id)
    first = already_made(Booking, user_id, idempotency_key)
    if first:
        return first, False
    workshop = current_read(Workshop.select().where(Workshop.id == workshop_id)).get()
    if workshop.cancelled_at is not None:
        raise BookingRefused(f"{workshop.title} was cancelled.")
    if workshop.starts_at <= utcnow():
        raise BookingRefused(f"{workshop.title} has already taken place.")
    held = seats_held(user_id, workshop_id)
    if held + seats > SEATS_PER_CUSTOMER:
        more = SEATS_PER_CUSTOMER - held
        raise BookingRefused(f"One customer can hold up to {SEATS_PER_CUSTOMER} seats of {workshop.title}, and you "
                             f"hold {held}: " + (f"{more} more can be booked." if more else "that is the limit."))
    if workshop.seats_left < seats:
        left = workshop.seats_left
        raise BookingRefused(f"{workshop.title} is fully booked." if not left else
                             f"Only {left} seat{'s' if left != 1 else ''} left for {workshop.title}.")
    total = seats * workshop.price_cents
    if expected_total_cents is not None and total != expected_total_cents:
        raise BookingRefused(f"The price of {workshop.title} changed since you confirmed: {seats} seat"
                             f"{'s' if seats != 1 else ''} now cost {format_cents(total)}. Nothing was charged.")
    (Workshop.update(seats_left=Workshop.seats_left - seats)
     .where(Workshop.id == workshop_id, Workshop.seats_left >= seats).execute())
    number = new_number("WS")
    try:
        balance = move_balance(user_id, -total, "booking", number)
    except InsufficientBalance as short:
        raise BookingRefused(f"Your balance is {format_cents(short.balance_cents)} and this booking costs "
                             f"{format_cents(total)}.") from None
    booking = Booking.create(number=number, workshop=workshop, user=user_id, seats=seats, total_cents=total,
                             idempotency_key=idempotency_key)
    queue_email(user.email, f"Booked: {workshop.title}", "booking_confirmation", user=user,
                workshop=workshop, booking=booking, balance_cents=balance)
    return booking, True


def book_workshop(user, workshop, seats, idempotency_key, expected_total_cents=None):
    """Book seats and pay from the balance, all or nothing; return (booking, created).

    The same rules and lock order as a purchase: the user row, then the workshop row; a repeated
    idempotency key (one per confirmation page) returns the first booking; a total other than the
    one confirmed (`expected_total_cents`) is refused. Raises BookingRefused with nothing changed.
    """
    return with_fresh_number(lambda: _book(user.id, workshop.id, seats, idempotency_key, expected_total_cents),
                             Booking, user.id, idempotency_key)


def quote(user, workshop, seats):
    """What booking would cost before anything is charged: {seats, total_cents, balance_cents, after_cents}."""
    total = seats * workshop.price_cents
    return {"seats": seats, "total_cents": total, "balance_cents": user.balance_cents,
            "after_cents": user.balance_cents - total}


def can_cancel(booking, workshop, now=None):
    """True while the customer may still cancel the booking themselves (and be refunded in full)."""
    return (booking.cancelled_at is None and workshop.cancelled_at is None
            and workshop.starts_at - (now or utcnow()) >= CANCEL_NOTICE)


def _cancel(user_id, number):
    """The cancellation transaction's body; see cancel_booking()."""
    user = lock_user(user_id)  # lock order as booking: the customer, the booking, the workshop
    booking = current_read(Booking.select().where(Booking.number == number[:20], Booking.user == user_id)).first()
    if booking is None:
        raise BookingRefused("We could not find that booking on your account.")
    workshop = current_read(Workshop.select().where(Workshop.id == booking.workshop_id)).get()
    if booking.cancelled_at is not None or workshop.cancelled_at is not None:
        raise BookingRefused(f"Booking {booking.number} is cancelled already; it was refunded then.")
    if not can_cancel(booking, workshop):
        raise BookingRefused(f"{workshop.title} starts in less than 48 hours, so the booking can no longer be "
                             "cancelled here. Please call the nursery.")
    Booking.update(cancelled_at=utcnow()).where(Booking.id == booking.id, Booking.cancelled_at.is_null()).execute()
    Workshop.update(seats_left=Workshop.seats_left + booking.seats).where(Workshop.id == workshop.id).execute()
    balance = move_balance(user_id, booking.total_cents, "refund", booking.number)
    queue_email(user.email, f"Booking cancelled: {workshop.title}", "booking_cancelled", user=user,
                workshop=workshop, booking=booking, balance_cents=balance)
    return booking, balance


def cancel_booking(user, number):
    """Cancel one of the customer's bookings up to 48 hours before the workshop: the seats go back, the
    price is refunded through the ledger, an email confirms. Returns (booking, balance after); raises
    BookingRefused with nothing changed (not theirs, cancelled already, too late)."""
    return transaction_with_retry(lambda: _cancel(user.id, number))
