"""Cancelling an order before it ships: the stock goes back, the total is refunded through the ledger, My
Jungle forgets the plants, the customer is emailed. The back office cancels a placed or packed order
(staff/fulfilment.py); the customer cancels their own while it is still placed (nothing is packed yet).

Both take the shop's lock order (the customer's users row, then the order row, then the products by id)
and check the status on the locked row, so two cancels, or a cancel and the nursery packing the order,
never refund twice or refund a packed order.

A deleted account cannot have an order still open (deleting waits for them), but one deleted before that
rule, or by hand, may: its refund is closed again at once, as its balance was, and no email is queued to
the placeholder that replaced its address.
"""
from ..db import current_read, transaction_with_retry
from ..mail import queue_email
from ..models import JunglePlant, Order, OrderItem, Product, User, utcnow
from .ledger import move_balance


class OrderCancelRefused(Exception):
    """The order cannot be cancelled; the message says why, and nothing was changed."""


def undo_order(user, order, reason):
    """Inside the caller's transaction, with the customer and the order locked: restock, refund, mark the
    order cancelled, email. Returns (the order's lines, the balance after the refund)."""
    items = list(OrderItem.select().where(OrderItem.order == order.id).order_by(OrderItem.product))
    list(current_read(Product.select(Product.id).where(Product.id.in_([item.product_id for item in items] or [0]))
                      .order_by(Product.id)))  # lock 3: the products, by id
    for item in items:
        Product.update(stock=Product.stock + item.quantity).where(Product.id == item.product_id).execute()
    JunglePlant.delete().where(JunglePlant.order_item.in_([item.id for item in items] or [0])).execute()
    balance = move_balance(user.id, order.total_cents, "refund", order.number)
    Order.update(status="cancelled", status_changed_at=utcnow()).where(Order.id == order.id).execute()
    if user.deleted_at is not None:  # a deleted account (see accounts/leaving.py): closed again, nobody to write to
        return items, move_balance(user.id, -balance, "adjustment", "account closed")
    queue_email(user.email, f"Your Fernhouse order {order.number} is cancelled", "order_cancelled", user=user,
                order=order, items=items, reason=reason, balance_cents=balance)
    return items, balance


def cancel_my_order(user_id, number):
    """The customer cancels their own order while it is still placed. Returns the refunded cents; raises
    OrderCancelRefused with nothing changed (not theirs, packed or further on, cancelled already)."""
    def apply():
        user = current_read(User.select().where(User.id == user_id)).get()  # lock 1
        order = current_read(Order.select().where(Order.number == (number or "")[:20], Order.user == user_id)).first()
        if order is None:
            raise OrderCancelRefused("We could not find that order on your account.")
        if order.status == "cancelled":
            raise OrderCancelRefused(f"Order {order.number} is cancelled already; it was refunded then.")
        if order.status != "placed":
            raise OrderCancelRefused(f"Order {order.number} is {order.status} already, so it can no longer be "
                                     "cancelled here. Please write to the nursery.")
        undo_order(user, order, "You cancelled it yourself.")
        return order.total_cents

    return transaction_with_retry(apply)
