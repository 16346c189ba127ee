"""Checkout: buying the whole cart or nothing, with the locks, the ledger row and the email.

Each purchase is one transaction run by db.transaction_with_retry(). It locks what it reads, always
in the same order, so two requests never deadlock on each other's locks and never act on a stale read:

    1. the customer's users row        (SELECT ... FOR UPDATE: one purchase per customer at a time)
    2. the customer's cart lines       (FOR UPDATE: the lines bought are the lines deleted)
    3. the products, by id             (FOR UPDATE: stock checked on the current value)
    (bookings: 1, then the workshop row)

Stock and the balance still change by conditional UPDATEs (`... WHERE stock >= qty`,
ledger.move_balance()) and the CHECK constraints in schema.sql stay the database's last backstop.
On a Galera cluster the row locks are local to one node; a purchase racing on another node fails
certification at COMMIT (error 1213) and transaction_with_retry() runs it again, now seeing the
other purchase. SQLite takes its whole-database write lock at BEGIN IMMEDIATE.
"""
import secrets
from datetime import date, timedelta

from peewee import IntegrityError

from ..db import current_read, transaction_with_retry
from ..mail import queue_email
from ..models import (
    CartItem,
    Category,
    JunglePlant,
    Order,
    OrderItem,
    Product,
    User,
    utcnow,
)
from ..money import format_cents
from .delivery import METHODS, DeliveryRefused, delivery_for, order_total
from .ledger import InsufficientBalance, move_balance

NUMBER_TRIES = 3  # a random order number colliding twice in a row is practically impossible

RECENT_ORDER = timedelta(minutes=10)


class CheckoutRefused(Exception):
    """The order cannot go through; the message says why, and nothing was changed. `reason` names the
    kind of refusal in the metrics (fernhouse_checkout_refusals_total)."""

    def __init__(self, message, reason="other"):
        super().__init__(message)
        self.reason = reason


class PriceChanged(CheckoutRefused):
    """Today's total differs from the total the customer saw: nothing was charged."""

    def __init__(self, message):
        super().__init__(message, "price_changed")


def new_number(prefix, today=None):
    """A readable number like FH-261124-482193 (orders) or WS-... (bookings): date, six random digits."""
    today = today or date.today()
    return f"{prefix}-{today:%y%m%d}-{secrets.randbelow(1_000_000):06d}"


def lock_user(user_id):
    """Lock 1: the customer's row, so one customer's purchases run one after another."""
    return current_read(User.select().where(User.id == user_id)).get()


def locked_cart(user_id):
    """Lock 2: the cart lines, in product-id order."""
    return list(current_read(CartItem.select().where(CartItem.user == user_id).order_by(CartItem.product)))


def locked_products(product_ids):
    """Lock 3: the products of the cart, by id, read as they are now: {id: product}."""
    query = Product.select().where(Product.id.in_(product_ids)).order_by(Product.id)
    return {product.id: product for product in current_read(query)}


def already_made(model, user_id, idempotency_key):
    """The order or booking this key already made (a resent form), read past any snapshot."""
    return current_read(model.select().where(model.user == user_id,
                                             model.idempotency_key == idempotency_key)).first()


def empty_cart_message(user_id):
    """Why there is nothing to buy, naming the order that just bought the cart (another tab) if any."""
    recent = (Order.select(Order.number).where(Order.user == user_id, Order.created_at >= utcnow() - RECENT_ORDER)
              .order_by(Order.id.desc()).first())
    if recent:
        return f"Your cart is empty. It was bought a moment ago in order {recent.number}; nothing more was charged."
    return "Your cart is empty."


def stock_refusal(product, quantity):
    """Refuse a line the stock cannot cover, naming the plant."""
    if product.stock <= 0:
        return CheckoutRefused(f"{product.name} has just sold out. Remove it from your cart to buy the rest.",
                               "out_of_stock")
    return CheckoutRefused(f"Only {product.stock} of {product.name} left, and your cart has {quantity}. "
                           "Lower the quantity to buy the rest.", "out_of_stock")


def take_stock(product, quantity):
    """Take the quantity from stock; the WHERE keeps it from ever going negative."""
    changed = (Product.update(stock=Product.stock - quantity)
               .where(Product.id == product.id, Product.stock >= quantity).execute())
    if changed != 1:
        raise stock_refusal(Product.get_by_id(product.id), quantity)


def total_changed(goods_cents, shipping, expected_total_cents):
    """The refusal's message when today's grand total is not the one the cart showed: the new total, its parts."""
    charged = goods_cents + shipping["cents"]
    if not shipping["cents"]:
        said = f"Prices changed since your cart was shown: the total is now {format_cents(charged)}"
    else:
        label = METHODS[shipping["method"]]["label"]
        said = (f"The total changed since your cart was shown: it is now {format_cents(charged)} (plants "
                f"{format_cents(goods_cents)}, {label} {format_cents(shipping['cents'])})")
    return (f"{said}, not {format_cents(expected_total_cents)}. Nothing was charged. "
            "Check the new total and press Buy again.")


def _checkout(user_id, idempotency_key, expected_total_cents, address_id=None, method="collect"):
    """The checkout transaction's body; see place_order()."""
    user = lock_user(user_id)
    first = already_made(Order, user_id, idempotency_key)
    if first:
        return first, False
    lines = locked_cart(user_id)
    if not lines:
        raise CheckoutRefused(empty_cart_message(user_id), "empty_cart")
    products = locked_products([line.product_id for line in lines])
    plant_shelves = {category_id for (category_id,) in
                     Category.select(Category.id).where(Category.holds_plants == True).tuples()}  # noqa: E712
    total = sum(line.quantity * products[line.product_id].price_cents for line in lines)
    try:
        shipping = delivery_for(user_id, address_id, method, total, utcnow().date())
    except DeliveryRefused as refusal:
        raise CheckoutRefused(str(refusal), "delivery") from None
    charged = order_total(total, shipping["method"])  # the plants and their delivery, as the cart's button showed
    if expected_total_cents is not None and charged != expected_total_cents:
        raise PriceChanged(total_changed(total, shipping, expected_total_cents))
    for line in lines:
        if products[line.product_id].hidden:  # taken out of the shop since it went into the cart
            raise CheckoutRefused(f"{products[line.product_id].name} is no longer sold. "
                                  "Remove it from your cart to buy the rest.", "not_sold")
        if products[line.product_id].stock < line.quantity:
            raise stock_refusal(products[line.product_id], line.quantity)
    for line in lines:
        take_stock(products[line.product_id], line.quantity)
    number = new_number("FH")
    try:
        balance_after = move_balance(user_id, -charged, "order", number)
    except InsufficientBalance as short:
        with_delivery = f" with {format_cents(shipping['cents'])} delivery" if shipping["cents"] else ""
        raise CheckoutRefused(f"Your balance is {format_cents(short.balance_cents)} and this order costs "
                              f"{format_cents(charged)}{with_delivery}. Remove something from your cart, or "
                              "choose another delivery, to go ahead.", "balance") from None
    order = Order.create(number=number, user=user_id, total_cents=charged, balance_after_cents=balance_after,
                         idempotency_key=idempotency_key, delivery_method=shipping["method"],
                         delivery_cents=shipping["cents"], ship_to=shipping["ship_to"],
                         expected_on=shipping["expected_on"])
    items = []
    for line in lines:
        product = products[line.product_id]
        item = OrderItem.create(order=order, product=product, product_name=product.name,
                                quantity=line.quantity, unit_price_cents=product.price_cents)
        items.append(item)
        if product.category_id in plant_shelves:  # a plant, not a pot or a tool: it joins My Jungle
            JunglePlant.create(user=user_id, product=product, order_item=item, acquired_on=order.created_at.date())
    deleted = CartItem.delete().where(CartItem.id.in_([line.id for line in lines])).execute()
    if deleted != len(lines):  # cannot happen while lock 2 holds; if it ever did, buy nothing
        raise CheckoutRefused("Your cart changed while the order was being placed. Nothing was charged.",
                              "cart_changed")
    queue_email(user.email, f"Your Fernhouse order {order.number}", "order_confirmation",
                user=user, order=order, items=items)
    return order, True


def with_fresh_number(work, model, user_id, idempotency_key):
    """Run work() in a retried transaction; a duplicate key means a random number collided (run it
    again) or the same form committed first on another server (return that record)."""
    for attempt in range(NUMBER_TRIES):
        try:
            return transaction_with_retry(work, idempotent=True)  # work() finds its key first
        except IntegrityError:
            first = model.get_or_none(model.user == user_id, model.idempotency_key == idempotency_key)
            if first:
                return first, False
            if attempt == NUMBER_TRIES - 1:
                raise


def place_order(user, idempotency_key, expected_total_cents=None, address_id=None, method="collect"):
    """Buy the whole cart or nothing; return (order, created).

    The same idempotency key returns the first order instead of buying again; a second tab (another
    key) finds the cart empty. Raises PriceChanged when expected_total_cents (the total the cart
    page showed; the checkout form always sends it) differs from today's, CheckoutRefused when the
    cart is empty, a plant is short or the balance does not cover the total, and db.ShopBusy when
    the database stayed too busy. In every refusal nothing was changed.
    """
    return with_fresh_number(lambda: _checkout(user.id, idempotency_key, expected_total_cents, address_id, method),
                             Order, user.id, idempotency_key)
