"""The back office's routes for people and what they wrote: customers (balance, verification) and reviews."""
from flask import Blueprint, abort, g, render_template, request, url_for

from ..catalog.reviews import review_by_id
from ..htmx import is_fragment_request, respond
from .access import StaffRefused, require_staff
from .people import (
    OwnBalance,
    adjust_balance,
    customer_file,
    find_customers,
    find_reviews,
    resend_verification,
    set_review_hidden,
)

bp = Blueprint("staff_people", __name__, url_prefix="/staff")
bp.before_request(require_staff)


@bp.get("/customers")
def customers():
    """Find customers by username, email or member ID (as you type)."""
    text = (request.args.get("q") or "").strip()[:254]
    template = "partials/staff/customer_rows.html" if is_fragment_request() else "templates/staff/customers.html"
    return render_template(template, customers=find_customers(text), q=text)


def render_customer(user_id, status=200, message=None, error=None):
    """One customer's file: orders, ledger, verification, and the balance form."""
    file = customer_file(user_id)
    if file is None:
        abort(404)
    template = "partials/staff/customer_panel.html" if is_fragment_request() else "templates/staff/customer.html"
    return render_template(template, message=message, error=error, **file), status


@bp.get("/customers/<int(max=2147483647):user_id>")
def customer(user_id):
    """One customer."""
    return render_customer(user_id)


@bp.post("/customers/<int(max=2147483647):user_id>/adjust")
def adjust(user_id):
    """Credit or debit the balance with a required reason (never below $0)."""
    if customer_file(user_id) is None:
        abort(404)
    back = url_for("staff_people.customer", user_id=user_id)
    try:
        balance = adjust_balance(g.user.id, user_id, request.form.get("amount"), request.form.get("reason"))
    except StaffRefused as refusal:
        problem, status = str(refusal), 403 if isinstance(refusal, OwnBalance) else 422
        return respond(lambda: render_customer(user_id, status, error=problem), back, problem, "error")
    message = f"Done: the balance is now ${balance / 100:,.2f}."
    return respond(lambda: render_customer(user_id, message=message), back, message)


@bp.post("/customers/<int(max=2147483647):user_id>/resend")
def resend(user_id):
    """Send an unverified customer a new verification email."""
    if customer_file(user_id) is None:
        abort(404)
    back = url_for("staff_people.customer", user_id=user_id)
    try:
        resend_verification(g.user.id, user_id)
    except StaffRefused as refusal:
        problem = str(refusal)
        return respond(lambda: render_customer(user_id, 409, error=problem), back, problem, "error")
    message = "A new verification email is queued."
    return respond(lambda: render_customer(user_id, message=message), back, message)


@bp.get("/reviews")
def reviews():
    """Reviews, newest first: all, shown or hidden."""
    state = request.args.get("state") if request.args.get("state") in ("shown", "hidden") else "all"
    return render_template("templates/staff/reviews.html", reviews=find_reviews(state), state=state)


@bp.post("/reviews/<int(max=2147483647):review_id>/visibility")
def review_visibility(review_id):
    """Hide a review (its stars leave the product's rating) or show it again."""
    if review_by_id(review_id) is None:
        abort(404)
    hidden = request.form.get("hidden") == "1"
    set_review_hidden(g.user.id, review_id, hidden)
    review = find_reviews(review_id=review_id)[0]
    message = f"The review is {'hidden' if hidden else 'shown again'}; the product's rating follows."
    return respond(lambda: render_template("partials/staff/review_row.html", review=review),
                   url_for("staff_people.reviews"), message)
