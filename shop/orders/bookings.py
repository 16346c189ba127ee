"""Workshop bookings: seats paid from the balance by the same rules and lock order as a purchase."""
from ..db import current_read
from ..mail import queue_email
from ..models import Booking, Workshop, utcnow
from ..money import format_cents
from .checkout import already_made, lock_user, new_number, with_fresh_number
from .ledger import InsufficientBalance, move_balance


class BookingRefused(Exception):
    """The booking cannot go through; the message says why, and nothing was changed."""


def _book(user_id, workshop_id, seats, idempotency_key):
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
    if workshop.seats_left < seats:
        left = workshop.seats_left
        raise BookingRefused(f"{workshop.title} is fully booked." if not left else
                             f"Only {left} seat{'s' if left != 1 else ''} left for {workshop.title}.")
    (Workshop.update(seats_left=Workshop.seats_left - seats)
     .where(Workshop.id == workshop_id, Workshop.seats_left >= seats).execute())
    total = seats * workshop.price_cents
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


def book_workshop(user, workshop, seats, idempotency_key):
    """Book seats and pay from the balance, all or nothing; return (booking, created).

    The same rules and lock order as a purchase: the user row, then the workshop row; a repeated
    idempotency key returns the first booking. Raises BookingRefused with nothing changed.
    """
    return with_fresh_number(lambda: _book(user.id, workshop.id, seats, idempotency_key),
                             Booking, user.id, idempotency_key)
