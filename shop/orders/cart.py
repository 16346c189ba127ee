"""The cart: one per customer, kept in the database; every change a single conditional statement."""
import secrets

from peewee import IntegrityError

from ..db import current_read, transaction_with_retry
from ..models import CartItem, Product

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
    if product.hidden:
        return f"{product.name} is no longer sold. Remove it to buy the rest."
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
    product = Product.get_or_none(Product.sku == (sku or "").strip().upper()[:16], Product.hidden == False)  # noqa: E712
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


def new_idempotency_key():
    """A fresh key for the checkout form: a resent form carries the same key and buys nothing twice."""
    return secrets.token_urlsafe(24)
