"""What the account page shows: recent orders, workshop bookings, signed-in browsers, the statement."""
from ..models import Booking, Order, UserSession, Workshop
from ..orders.bookings import can_cancel
from ..orders.ledger import statement


def bookings_of(user_id):
    """The customer's workshop bookings, soonest first, each marked whether they may still cancel it."""
    bookings = list(Booking.select(Booking, Workshop).join(Workshop).where(Booking.user == user_id)
                    .order_by(Workshop.starts_at, Booking.id))
    for booking in bookings:
        booking.cancellable = can_cancel(booking, booking.workshop)
    return bookings


def account_overview(user_id):
    """The account dashboard's figures for one customer."""
    return {
        "orders": list(Order.select().where(Order.user == user_id).order_by(Order.id.desc()).limit(5)),
        "bookings": bookings_of(user_id),
        "browsers": UserSession.select().where(UserSession.user == user_id).count(),
        "statement": statement(user_id),
    }
