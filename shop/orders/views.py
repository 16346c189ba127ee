"""The order history and receipts of the logged-in customer, and cancelling an order still placed."""
from flask import Blueprint, abort, flash, g, render_template, url_for

from ..htmx import login_required, redirect_via_htmx
from ..money import format_cents
from .cancelling import OrderCancelRefused, cancel_my_order
from .delivery import METHODS
from .ledger import refund_for
from .receipts import order_for_customer, order_lines, orders_of

bp = Blueprint("orders", __name__)
DELIVERY_LABELS = {method: spec["label"] for method, spec in METHODS.items()}


def get_order_or_404(number):
    """The logged-in customer's order with this number; anyone else's (or none) is a 404."""
    order = order_for_customer(g.user.id, number)
    if order is None:
        abort(404)
    return order


@bp.get("/orders")
@login_required
def history():
    """Every order of the logged-in customer, newest first."""
    orders = orders_of(g.user.id)
    return render_template("templates/orders/history.html", orders=orders, delivery_labels=DELIVERY_LABELS)


@bp.get("/orders/<number>")
@login_required
def receipt(number):
    """One order: its number, lines, total and the balance after it; once cancelled, the refund and the
    balance after that."""
    order = get_order_or_404(number)
    items = order_lines(order)
    refund = refund_for(g.user.id, order.number) if order.status == "cancelled" else None
    return render_template("templates/orders/receipt.html", order=order, items=items, refund=refund,
                           delivery_labels=DELIVERY_LABELS)


@bp.post("/orders/<number>/cancel")
@login_required
def cancel(number):
    """Cancel your order while it is still placed: refunded in full, the receipt again with the message
    (a 303, or HX-Redirect for htmx: the whole receipt changes, status and balance)."""
    try:
        refunded = cancel_my_order(g.user.id, number)
    except OrderCancelRefused as refusal:
        flash(str(refusal), "error")
    else:
        flash(f"Order {number[:20]} is cancelled: {format_cents(refunded)} is back on your balance.", "success")
    order = order_for_customer(g.user.id, number)
    return redirect_via_htmx(url_for("orders.receipt", number=order.number) if order else url_for("orders.history"))
