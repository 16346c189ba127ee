"""What the account page shows: recent orders, workshop bookings, signed-in browsers, the statement."""
from ..models import Booking, Order, UserSession, Workshop
from ..orders.ledger import statement


def account_overview(user_id):
    """The account dashboard's figures for one customer."""
    return {
        "orders": list(Order.select().where(Order.user == user_id).order_by(Order.id.desc()).limit(5)),
        "bookings": list(Booking.select(Booking, Workshop).join(Workshop).where(Booking.user == user_id)
                         .order_by(Workshop.starts_at)),
        "browsers": UserSession.select().where(UserSession.user == user_id).count(),
        "statement": statement(user_id),
    }
