"""The order history and receipts of the logged-in customer."""
from flask import Blueprint, abort, g, render_template

from ..htmx import login_required
from ..models import Order, OrderItem

bp = Blueprint("orders", __name__)


def get_order_or_404(number):
    """The logged-in customer's order with this number; anyone else's (or none) is a 404."""
    order = Order.get_or_none(Order.number == (number or "")[:20], Order.user == g.user)
    if order is None:
        abort(404)
    return order


@bp.get("/orders")
@login_required
def history():
    """Every order of the logged-in customer, newest first."""
    orders = list(Order.select().where(Order.user == g.user).order_by(Order.id.desc()))
    return render_template("templates/orders/history.html", orders=orders)


@bp.get("/orders/<number>")
@login_required
def receipt(number):
    """One order: its number, lines, total and the balance after it."""
    order = get_order_or_404(number)
    items = list(OrderItem.select().where(OrderItem.order == order).order_by(OrderItem.id))
    return render_template("templates/orders/receipt.html", order=order, items=items)
