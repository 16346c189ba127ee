"""The cart's routes: the page, the header badge, add, update, remove, and checkout.

A guest's cart lives in the session (orders/guest_cart.py): add, update and remove work the same for a
guest; checkout asks them to log in, and the cart comes with them.
"""
from flask import (
    Blueprint,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from ..accounts.addresses import addresses_of
from ..accounts.sessions import user_by_id
from ..db import ShopBusy
from ..htmx import is_fragment_request, redirect_via_htmx, respond, set_triggers
from ..metrics import CHECKOUT_REFUSALS, CHECKOUTS
from ..models import utcnow
from ..security import safe_next
from .cart import (
    CartError,
    add_to_cart,
    cart_count,
    cart_summary,
    new_idempotency_key,
    parse_cents,
    parse_quantity,
    remove_from_cart,
    set_quantity,
)
from .checkout import CheckoutRefused, place_order
from .delivery import (
    FREE_STANDARD_FROM,
    DeliveryRefused,
    chosen_delivery,
    options,
    order_total,
    read_choice,
    remember_choice,
)
from .guest_cart import guest_add, guest_count, guest_remove, guest_set, guest_summary

bp = Blueprint("cart", __name__)


def back_to_where_they_were():
    """The local page the request came from (Referer), or the catalogue."""
    referrer = request.referrer or ""
    path = referrer.split(request.host_url.rstrip("/"), 1)[-1] if referrer.startswith(request.host_url) else ""
    return safe_next(path) or url_for("catalog.index")


def render_cart(status=200, error=None, error_sku=None, message=None):
    """The cart fragment (for htmx) or page, with the header badge told to refresh; `message` says what
    the last action did (the fragment focuses it: static/js/shop.js).

    A customer's cart is priced with the delivery kept in the session (delivery.chosen_delivery()), by the
    function checkout charges with (delivery.order_total()): the button, the hidden expected total and the
    balance after are the grand total, delivery included."""
    summary = cart_summary(g.user) if g.user else guest_summary(session)
    template = "partials/cart/cart.html" if is_fragment_request() else "templates/cart/cart.html"
    addresses = addresses_of(g.user.id) if g.user else []
    address_id, method = chosen_delivery(session, addresses)
    shipping = {"addresses": addresses, "address_id": address_id, "method": method,
                "options": options(summary["total"], utcnow().date()), "free_from": FREE_STANDARD_FROM}
    if g.user:
        grand_total = order_total(summary["total"], method)
        summary.update(delivery_cents=grand_total - summary["total"], grand_total=grand_total,
                       after=summary["balance"] - grand_total)
    response = make_response(render_template(template, cart=summary, error=error, error_sku=error_sku,
                                             idempotency_key=new_idempotency_key(), shipping=shipping,
                                             message=message), status)
    return set_triggers(response, "cart-changed")


@bp.app_template_global()
def cart_items_count():
    """How many items the customer's cart holds: called by the header badge only (one query)."""
    return cart_count(g.get("user")) if g.get("user") else guest_count(session)


@bp.get("/cart")
def view():
    """The cart page: lines, total, balance and the balance after buying (a guest's: log in to buy)."""
    return render_cart()


@bp.get("/cart/badge")
def badge():
    """Fragment: the header's cart link with its item count (refreshed on the cart-changed event)."""
    return render_template("partials/cart/badge.html")


@bp.post("/cart/add")
def add():
    """Add a plant to the cart from a card or the product page."""
    sku = request.form.get("sku", "")
    try:
        quantity = parse_quantity(request.form.get("quantity"), default=1)
        product = add_to_cart(g.user, sku, quantity) if g.user else guest_add(session, sku, quantity)
    except CartError as error:
        result = render_template("partials/cart/add_result.html", ok=False, message=str(error), sku=sku)
        return respond(result, back_to_where_they_were(), str(error), "error", status=422)
    message = f"Added {product.name} to your cart."
    result = render_template("partials/cart/add_result.html", ok=True, message=message, sku=product.sku)
    return respond(result, back_to_where_they_were(), message, triggers=["cart-changed"])


@bp.post("/cart/update")
def update():
    """Change the quantity of one cart line."""
    sku = request.form.get("sku", "")
    try:
        quantity = parse_quantity(request.form.get("quantity"))
        set_quantity(g.user, sku, quantity) if g.user else guest_set(session, sku, quantity)
    except CartError as error:
        problem = str(error)
        return respond(lambda: render_cart(422, problem, sku), url_for("cart.view"), problem, "error")
    return respond(render_cart, url_for("cart.view"))


@bp.post("/cart/remove")
def remove():
    """Take one plant out of the cart."""
    try:
        sku = request.form.get("sku", "")
        product = remove_from_cart(g.user, sku) if g.user else guest_remove(session, sku)
    except CartError as error:
        problem = str(error)
        return respond(lambda: render_cart(422, problem), url_for("cart.view"), problem, "error")
    removed = f"Removed {product.name} from your cart."
    return respond(lambda: render_cart(message=removed), url_for("cart.view"), removed)


@bp.post("/cart/delivery")
def choose_delivery():
    """Choose the address and delivery in the cart: the cart again with its total, button and balance after
    (htmx, on each change of the radio buttons; without JavaScript the Update button, then a 303)."""
    if g.user is None:
        return redirect_via_htmx(url_for("auth.login", next=url_for("cart.view")))
    try:
        address_id, method = read_choice(request.form.get("address_id"), request.form.get("delivery"))
        if address_id is not None and address_id not in {address.id for address in addresses_of(g.user.id)}:
            raise DeliveryRefused("We could not find that address in your address book. Choose another.")
    except DeliveryRefused as refusal:
        problem = str(refusal)
        return respond(lambda: render_cart(422, problem), url_for("cart.view"), problem, "error")
    remember_choice(session, address_id, method)
    return respond(render_cart, url_for("cart.view"))


@bp.post("/checkout")
def checkout():
    """Buy the whole cart or nothing; a repeated idempotency key shows the first order."""
    if g.user is None:
        flash("Log in to buy: your cart comes with you.", "info")
        return redirect_via_htmx(url_for("auth.login", next=url_for("cart.view")))
    key = (request.form.get("idempotency_key") or "").strip()
    expected = parse_cents(request.form.get("expected_total_cents"))
    if not key or len(key) > 64 or expected is None:
        CHECKOUT_REFUSALS.labels("stale_form").inc()
        flash("This checkout form is out of date. Please press Buy again.", "error")
        return redirect(url_for("cart.view"), code=303)
    try:
        address_id, method = read_choice(request.form.get("address_id"), request.form.get("delivery"))
    except DeliveryRefused as refusal:
        CHECKOUT_REFUSALS.labels("delivery").inc()
        return render_cart(422, str(refusal))
    remember_choice(session, address_id, method)  # a refused checkout shows the cart with this choice's total
    try:
        order, created = place_order(g.user, key, expected, address_id, method)
    except ShopBusy:
        CHECKOUT_REFUSALS.labels("busy").inc()
        raise  # the 503 page: nothing was charged
    except CheckoutRefused as refusal:
        CHECKOUT_REFUSALS.labels(refusal.reason).inc()
        g.user = user_by_id(g.user.id)  # the balance may have changed since the request began
        return render_cart(409, str(refusal))
    CHECKOUTS.labels("placed" if created else "repeated").inc()
    return redirect_via_htmx(url_for("orders.receipt", number=order.number))
