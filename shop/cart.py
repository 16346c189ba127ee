"""The cart: one per customer, kept in the database, changed in place with htmx or by plain forms."""
import secrets

from flask import Blueprint, flash, g, make_response, redirect, render_template, request, url_for
from peewee import IntegrityError

from .accounts import safe_next
from .db import current_read, transaction_with_retry
from .htmx import is_fragment_request, redirect_via_htmx
from .models import CartItem, Product, User
from .orders import CheckoutRefused, place_order

bp = Blueprint("cart", __name__)

MAX_QUANTITY = 99


class CartError(Exception):
    """A cart change that cannot be made; the message says why."""


def cart_summary(user):
    """Lines, item count, total, balance and the balance after buying, for the cart page and badge."""
    lines = list(CartItem.select(CartItem, Product).join(Product)
                 .where(CartItem.user == user).order_by(CartItem.id))
    total = sum(line.quantity * line.product.price_cents for line in lines)
    problems = {line.id: stock_problem(line.product, line.quantity) for line in lines}
    return {
        "lines": lines, "count": sum(line.quantity for line in lines), "total": total,
        "balance": user.balance_cents, "after": user.balance_cents - total,
        "problems": {key: value for key, value in problems.items() if value},
    }


def cart_count(user):
    """How many items are in the customer's cart (for the header badge)."""
    if user is None:
        return 0
    return sum(quantity for (quantity,) in CartItem.select(CartItem.quantity).where(CartItem.user == user).tuples())


def stock_problem(product, quantity):
    """Why this quantity of this product cannot be bought now, or None."""
    if product.stock <= 0:
        return f"{product.name} is sold out."
    if quantity > product.stock:
        return f"Only {product.stock} of {product.name} left."
    return None


def parse_quantity(raw, default=None):
    """A quantity typed by a person, or CartError with a clear message."""
    if (raw is None or str(raw).strip() == "") and default is not None:
        return default
    try:
        quantity = int(str(raw).strip())
    except ValueError:
        raise CartError("Enter the quantity as a whole number, like 1 or 2.") from None
    if quantity < 1:
        raise CartError("The quantity must be at least 1. To take a plant out, press Remove.")
    if quantity > MAX_QUANTITY:
        raise CartError(f"You can buy at most {MAX_QUANTITY} of one plant in an order.")
    return quantity


def parse_cents(raw):
    """A whole number of cents from a hidden field (0 to 10 million), or None when it is not one."""
    text = str(raw or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        return None
    return int(text)


def product_for(sku):
    """The product a form names by SKU, or CartError."""
    product = Product.get_or_none(Product.sku == (sku or "").strip().upper()[:16])
    if product is None:
        raise CartError("We could not find that plant. It may have been removed from the shop.")
    return product


def add_to_cart(user, sku, quantity):
    """Add `quantity` of a product to the cart (on top of any already there), within stock and the cap.

    One conditional statement per attempt, so simultaneous adds are all counted (no read-then-write):
    `quantity = quantity + n` only while the line's new total stays within the stock and MAX_QUANTITY;
    when there is no line yet, an INSERT, and if a parallel add inserted it first (duplicate key),
    the UPDATE again.
    """
    product = product_for(sku)
    limit = min(MAX_QUANTITY, product.stock)

    def grow_line():
        """The UPDATE that adds to an existing line within the limit; True when it did."""
        return bool(CartItem.update(quantity=CartItem.quantity + quantity)
                    .where(CartItem.user == user.id, CartItem.product == product.id,
                           CartItem.quantity + quantity <= limit).execute())

    def add():
        if grow_line():
            return
        line = current_read(CartItem.select().where(CartItem.user == user.id, CartItem.product == product.id)).first()
        if line is None and quantity <= limit:
            try:
                CartItem.insert(user=user.id, product=product.id, quantity=quantity).execute()
                return
            except IntegrityError:  # a simultaneous add made the line a moment ago
                if grow_line():
                    return
                line = current_read(CartItem.select().where(CartItem.user == user.id,
                                                            CartItem.product == product.id)).first()
        raise over_limit(product, quantity, line.quantity if line else 0)

    transaction_with_retry(add)
    return product


def over_limit(product, adding, already):
    """The refusal for an add that would take a line past the stock or the per-line cap."""
    problem = stock_problem(product, adding + already)
    if problem is None:
        problem = f"You can buy at most {MAX_QUANTITY} of one plant in an order."
    return CartError(problem if not already else f"{problem} You already have {already} in your cart.")


def set_quantity(user, sku, quantity):
    """Change a cart line to exactly `quantity`, within stock."""
    product = product_for(sku)
    problem = stock_problem(product, quantity)
    if problem:
        raise CartError(problem)

    def update():
        changed = (CartItem.update(quantity=quantity)
                   .where(CartItem.user == user.id, CartItem.product == product.id).execute())
        if not changed and not CartItem.select().where(CartItem.user == user.id,
                                                       CartItem.product == product.id).exists():
            raise CartError(f"{product.name} is not in your cart any more.")

    transaction_with_retry(update)


def remove_from_cart(user, sku):
    """Take a product out of the cart (nothing happens if it was not there)."""
    product = product_for(sku)
    transaction_with_retry(
        lambda: CartItem.delete().where(CartItem.user == user.id, CartItem.product == product.id).execute())
    return product


def back_to_where_they_were():
    """The local page the request came from (Referer), or the catalogue."""
    referrer = request.referrer or ""
    path = referrer.split(request.host_url.rstrip("/"), 1)[-1] if referrer.startswith(request.host_url) else ""
    return safe_next(path) or url_for("catalog.index")


def ask_to_log_in():
    """Anonymous visitors are sent to log in and then back to the page they were on."""
    target = url_for("auth.login", next=back_to_where_they_were())
    flash("Log in to add plants to your cart. You will come straight back here.", "info")
    return redirect_via_htmx(target)


def render_cart(status=200, error=None, error_sku=None):
    """The cart fragment (for htmx) or page, with the header badge told to refresh."""
    summary = cart_summary(g.user)
    template = "partials/cart/cart.html" if is_fragment_request() else "templates/cart/cart.html"
    response = make_response(render_template(template, cart=summary, error=error, error_sku=error_sku,
                                             idempotency_key=new_idempotency_key()), status)
    response.headers["HX-Trigger"] = "cart-changed"
    return response


def new_idempotency_key():
    """A fresh key for the checkout form: a resent form carries the same key and buys nothing twice."""
    return secrets.token_urlsafe(24)


@bp.app_context_processor
def inject_cart_count():
    """Every template knows how many items the customer's cart holds (the header badge)."""
    return {"cart_count": cart_count(g.get("user"))}


@bp.get("/cart")
def view():
    """The cart page: lines, total, balance and the balance after buying."""
    if g.user is None:
        return redirect(url_for("auth.login", next=url_for("cart.view")), code=303)
    return render_cart()


@bp.get("/cart/badge")
def badge():
    """Fragment: the header's cart link with its item count (refreshed on the cart-changed event)."""
    return render_template("partials/cart/badge.html", cart_count=cart_count(g.user))


@bp.post("/cart/add")
def add():
    """Add a plant to the cart from a card or the product page."""
    if g.user is None:
        return ask_to_log_in()
    sku = request.form.get("sku", "")
    try:
        product = add_to_cart(g.user, sku, parse_quantity(request.form.get("quantity"), default=1))
    except CartError as error:
        if is_fragment_request():
            return render_template("partials/cart/add_result.html", ok=False, message=str(error), sku=sku), 422
        flash(str(error), "error")
        return redirect(back_to_where_they_were(), code=303)
    message = f"Added {product.name} to your cart."
    if is_fragment_request():
        response = make_response(render_template("partials/cart/add_result.html", ok=True, message=message,
                                                 sku=product.sku))
        response.headers["HX-Trigger"] = "cart-changed"
        return response
    flash(message, "success")
    return redirect(back_to_where_they_were(), code=303)


@bp.post("/cart/update")
def update():
    """Change the quantity of one cart line."""
    if g.user is None:
        return ask_to_log_in()
    sku = request.form.get("sku", "")
    try:
        set_quantity(g.user, sku, parse_quantity(request.form.get("quantity")))
    except CartError as error:
        if is_fragment_request():
            return render_cart(422, str(error), sku)
        flash(str(error), "error")
    return render_cart() if is_fragment_request() else redirect(url_for("cart.view"), code=303)


@bp.post("/cart/remove")
def remove():
    """Take one plant out of the cart."""
    if g.user is None:
        return ask_to_log_in()
    try:
        product = remove_from_cart(g.user, request.form.get("sku", ""))
        if not is_fragment_request():
            flash(f"Removed {product.name} from your cart.", "success")
    except CartError as error:
        if is_fragment_request():
            return render_cart(422, str(error))
        flash(str(error), "error")
    return render_cart() if is_fragment_request() else redirect(url_for("cart.view"), code=303)


@bp.post("/checkout")
def checkout():
    """Buy the whole cart or nothing; a repeated idempotency key shows the first order."""
    if g.user is None:
        return redirect_via_htmx(url_for("auth.login", next=url_for("cart.view")))
    key = (request.form.get("idempotency_key") or "").strip()
    expected = parse_cents(request.form.get("expected_total_cents"))
    if not key or len(key) > 64 or expected is None:
        flash("This checkout form is out of date. Please press Buy again.", "error")
        return redirect(url_for("cart.view"), code=303)
    try:
        order, _ = place_order(g.user, key, expected)
    except CheckoutRefused as refusal:
        g.user = User.get_by_id(g.user.id)  # the balance may have changed since the request began
        return render_cart(409, str(refusal))
    return redirect_via_htmx(url_for("orders.receipt", number=order.number))
