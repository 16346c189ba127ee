"""A guest's cart: kept in the signed session cookie (SKU → quantity, bounded), and merged into the
account's cart when the guest logs in or registers.

Nothing is reserved for a guest: the stock is checked when a plant is added (as for a customer) and
again, for real, at checkout. Merging adds each line with the customer cart's own rules
(orders.cart.add_to_cart(): one conditional statement within the stock and the per-line cap); what does
not fit is added as far as it fits, and every shortfall is said in a message.
"""
from types import SimpleNamespace

from ..models import CartItem, Product
from .cart import MAX_QUANTITY, CartError, add_to_cart, over_limit, product_for, stock_problem

SESSION_KEY = "guest_cart"
MAX_LINES = 20


def guest_lines(session):
    """{sku: quantity} from the session, anything malformed dropped (the cookie is signed, but old)."""
    raw = session.get(SESSION_KEY)
    if not isinstance(raw, dict):
        return {}
    return {str(sku)[:16]: quantity for sku, quantity in list(raw.items())[:MAX_LINES]
            if isinstance(quantity, int) and 1 <= quantity <= MAX_QUANTITY}


def guest_count(session):
    """How many items the guest's cart holds (for the header badge)."""
    return sum(guest_lines(session).values())


def guest_add(session, sku, quantity):
    """Add `quantity` of a plant to the guest's cart within its stock, the per-line cap and MAX_LINES."""
    product = product_for(sku)
    lines = guest_lines(session)
    already = lines.get(product.sku, 0)
    if already + quantity > min(MAX_QUANTITY, product.stock):
        raise over_limit(product, quantity, already)
    if product.sku not in lines and len(lines) >= MAX_LINES:
        raise CartError(f"A cart holds up to {MAX_LINES} different plants. Log in to keep shopping.")
    lines[product.sku] = already + quantity
    session[SESSION_KEY] = lines
    return product


def guest_set(session, sku, quantity):
    """Change a line of the guest's cart to exactly `quantity`, within stock."""
    product = product_for(sku)
    problem = stock_problem(product, quantity)
    if problem:
        raise CartError(problem)
    lines = guest_lines(session)
    if product.sku not in lines:
        raise CartError(f"{product.name} is not in your cart any more.")
    lines[product.sku] = quantity
    session[SESSION_KEY] = lines


def guest_remove(session, sku):
    """Take a plant out of the guest's cart."""
    product = product_for(sku)
    lines = guest_lines(session)
    lines.pop(product.sku, None)
    session[SESSION_KEY] = lines
    return product


def guest_summary(session):
    """The guest's cart in the shape of cart.cart_summary() (lines with .id, .product, .quantity), with no
    balance: a guest logs in to buy."""
    lines = guest_lines(session)
    products = {product.sku: product for product in Product.select().where(Product.sku.in_(list(lines) or [""]))}
    rows = [SimpleNamespace(id=number, product=products[sku], quantity=quantity)
            for number, (sku, quantity) in enumerate(lines.items()) if sku in products]
    problems = {row.id: stock_problem(row.product, row.quantity) for row in rows}
    total = sum(row.quantity * row.product.price_cents for row in rows)
    return {"lines": rows, "count": sum(row.quantity for row in rows), "total": total, "guest": True,
            "balance": 0, "after": 0, "problems": {key: value for key, value in problems.items() if value}}


def take_guest_cart(session):
    """The guest's lines, taken out of the session (logging in clears the session anyway)."""
    lines = guest_lines(session)
    session.pop(SESSION_KEY, None)
    return lines


def merge_guest_cart(user, lines):
    """Add a guest's lines to the customer's cart; return a message for each line that did not fully fit."""
    messages = []
    for sku, quantity in lines.items():
        try:
            add_to_cart(user, sku, quantity)
            continue
        except CartError:
            pass
        try:
            product = product_for(sku)
        except CartError as gone:
            messages.append(str(gone))
            continue
        line = CartItem.get_or_none(CartItem.user == user.id, CartItem.product == product.id)
        room = min(MAX_QUANTITY, product.stock) - (line.quantity if line else 0)
        fitted = 0
        if room > 0:
            try:
                add_to_cart(user, sku, min(room, quantity))
                fitted = min(room, quantity)
            except CartError:
                fitted = 0
        limit = f"only {product.stock} in stock" if product.stock < MAX_QUANTITY else f"at most {MAX_QUANTITY} per plant"
        messages.append(f"{fitted} of the {quantity} {product.name} from before you logged in fitted in your cart "
                        f"({limit}).")
    return messages
