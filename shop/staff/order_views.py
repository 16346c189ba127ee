"""The back office's order routes: the list by status, day and customer; one order; move it on;
cancel and refund it before it ships."""
from datetime import date

from flask import Blueprint, abort, g, render_template, request, url_for

from ..htmx import is_fragment_request, respond
from .access import StaffRefused, require_staff
from .fulfilment import (
    CANCELLABLE,
    NEXT,
    STATUSES,
    advance,
    cancel,
    find_orders,
    order_and_lines,
)

bp = Blueprint("staff_orders", __name__, url_prefix="/staff/orders")
bp.before_request(require_staff)


def parse_day(raw):
    """A YYYY-MM-DD date from the filter, or None."""
    try:
        return date.fromisoformat((raw or "").strip()[:10])
    except ValueError:
        return None


@bp.get("")
def index():
    """Orders, newest first, filtered by status, day and customer (the form narrows as you type)."""
    status = request.args.get("status") if request.args.get("status") in STATUSES else ""
    customer = (request.args.get("customer") or "").strip()[:254]
    day = parse_day(request.args.get("day"))
    orders = find_orders(status, customer, day)
    template = "partials/staff/order_rows.html" if is_fragment_request() else "templates/staff/orders.html"
    return render_template(template, orders=orders, status=status, customer=customer, day=day, statuses=STATUSES)


def render_order(number, status=200, message=None, error=None):
    """One order's panel (fragment for htmx) or page."""
    order, lines = order_and_lines(number)
    if order is None:
        abort(404)
    template = "partials/staff/order_panel.html" if is_fragment_request() else "templates/staff/order.html"
    return render_template(template, order=order, lines=lines, next_status=NEXT.get(order.status),
                           cancellable=order.status in CANCELLABLE, message=message, error=error), status


@bp.get("/<number>")
def show(number):
    """One order: customer, lines, status, and what can be done with it."""
    return render_order(number[:20])


def act_on(number, change, describe):
    """Run a change on an order (404 if there is none); answer with its panel and what happened, or
    with the refusal (409) in place."""
    number = number[:20]
    if order_and_lines(number)[0] is None:
        abort(404)
    back = url_for("staff_orders.show", number=number)
    try:
        outcome = change(number)
    except StaffRefused as refusal:
        problem = str(refusal)
        return respond(lambda: render_order(number, 409, error=problem), back, problem, "error")
    message = describe(number, outcome)
    return respond(lambda: render_order(number, message=message), back, message)


@bp.post("/<number>/advance")
def move_on(number):
    """Move the order to its next status (the customer is emailed when it ships)."""
    return act_on(number, lambda n: advance(g.user.id, n), lambda n, status: f"Order {n} is {status}.")


@bp.post("/<number>/cancel")
def cancel_order(number):
    """Cancel and refund an order that has not shipped (a reason is required: the customer reads it)."""
    return act_on(number, lambda n: cancel(g.user.id, n, request.form.get("reason")),
                  lambda n, cents: f"Order {n} is cancelled; ${cents / 100:,.2f} went back to the customer's balance.")
