"""A customer's own orders as they read them: the history, one order by its number, and its lines."""
from ..models import Order, OrderItem


def orders_of(user_id):
    """Every order of one customer, newest first: their order history."""
    return list(Order.select().where(Order.user == user_id).order_by(Order.id.desc()))


def order_for_customer(user_id, number):
    """The customer's order with this number, or None when there is none or it is someone else's."""
    return Order.get_or_none(Order.number == (number or "")[:20], Order.user == user_id)


def order_lines(order):
    """An order's lines in the order they were added: the receipt's rows."""
    return list(OrderItem.select().where(OrderItem.order == order).order_by(OrderItem.id))
