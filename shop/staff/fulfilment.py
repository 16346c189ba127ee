"""Orders in the back office: each moves placed -> packed -> shipped -> delivered; before it ships it
can be cancelled and refunded. The customer is emailed when it ships and when it is cancelled.

A cancel takes the shop's lock order (the customer's users row, then the order row, then the
products by id), checks the status on the locked row and refunds through the ledger, all in one
transaction: two cancels racing (two staff, or a staff member and a double click) refund once.
"""
from datetime import datetime, time, timedelta

from ..db import current_read, transaction_with_retry
from ..mail import queue_email
from ..models import Order, OrderItem, User, utcnow
from ..orders.cancelling import undo_order
from .access import StaffRefused, audit

STATUSES = ("placed", "packed", "shipped", "delivered", "cancelled")
NEXT = {"placed": "packed", "packed": "shipped", "shipped": "delivered"}
CANCELLABLE = ("placed", "packed")


def find_orders(status="", customer="", day=None, limit=100):
    """Orders for the staff list, newest first, filtered by status, customer (name, email, member ID) and day."""
    query = Order.select(Order, User).join(User).order_by(Order.id.desc())
    if status in STATUSES:
        query = query.where(Order.status == status)
    text = (customer or "").strip().lower()[:254]
    if text:
        query = query.where((User.username_lower == text) | (User.email == text) | (User.member_id == text.upper())
                            | (Order.number == text.upper()))
    if day is not None:  # a date: that day's orders (UTC)
        start = datetime.combine(day, time.min)
        query = query.where(Order.created_at >= start, Order.created_at < start + timedelta(days=1))
    return list(query.limit(limit))


def order_and_lines(number):
    """One order with its customer and lines, or None."""
    order = Order.select(Order, User).join(User).where(Order.number == (number or "")[:20]).first()
    if order is None:
        return None, []
    return order, list(OrderItem.select().where(OrderItem.order == order).order_by(OrderItem.id))


def advance(staff_id, number):
    """Move an order to its next status; at *shipped* the customer is emailed. Returns the new status."""
    def apply():
        order = current_read(Order.select().where(Order.number == number)).get()
        following = NEXT.get(order.status)
        if following is None:
            raise StaffRefused(f"Order {number} is {order.status}: it does not move on from there.")
        Order.update(status=following, status_changed_at=utcnow()).where(Order.id == order.id).execute()
        audit(staff_id, "order.status", "order", number, {"status": order.status}, {"status": following})
        user = User.get_by_id(order.user_id)
        if following == "shipped" and user.deleted_at is None:  # a deleted account has no address to write to
            queue_email(user.email, f"Your Fernhouse order {number} is on its way", "order_shipped",
                        user=user, order=order)
        return following

    return transaction_with_retry(apply)


def cancel(staff_id, number, reason):
    """Cancel an order that has not shipped: stock back, the total refunded (a `refund` ledger row),
    My Jungle entries removed, the customer emailed. Returns the refunded cents."""
    reason = (reason or "").strip()[:500]
    if not reason:
        raise StaffRefused("Say why the order is cancelled: the customer reads it.")
    order_id = Order.select(Order.id).where(Order.number == number).scalar()
    user_id = Order.select(Order.user).where(Order.id == order_id).scalar()

    def apply():
        user = current_read(User.select().where(User.id == user_id)).get()  # lock 1, as every money path
        order = current_read(Order.select().where(Order.id == order_id)).get()
        if order.status not in CANCELLABLE:
            raise StaffRefused(f"Order {number} is {order.status}: only a placed or packed order can be cancelled.")
        undo_order(user, order, reason)  # stock back, refund, status, email (orders/cancelling.py)
        audit(staff_id, "order.cancel", "order", number, {"status": order.status},
              {"status": "cancelled", "refunded_cents": order.total_cents}, reason)
        return order.total_cents

    if order_id is None:
        raise StaffRefused(f"There is no order {number}.")
    return transaction_with_retry(apply)
