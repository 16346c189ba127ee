"""Money moves here and only here: checkout, and the order history that records it.

place_order() is one database transaction. Stock is reserved and the balance charged with
conditional UPDATEs (`... WHERE stock >= qty`, `... WHERE balance_cents >= total`) whose row counts
say whether they happened, so no interleaving of requests can make stock or a balance negative.
The CHECK constraints in schema.sql are the database's own backstop behind them.
"""
import secrets
from datetime import date

from flask import Blueprint, abort, g, render_template
from peewee import IntegrityError, OperationalError

from .accounts import login_required
from .db import current_read, is_retryable, write_transaction
from .mail import queue_email
from .money import format_cents
from .models import Booking, CartItem, JunglePlant, Order, OrderItem, Product, User, Workshop, utcnow

bp = Blueprint("orders", __name__)

ATTEMPTS = 3


class CheckoutRefused(Exception):
    """The order cannot go through; the message says why, and nothing was changed."""


def new_order_number(today=None):
    """A readable order number like FH-261124-482193: the date, then six random digits."""
    today = today or date.today()
    return f"FH-{today:%y%m%d}-{secrets.randbelow(1_000_000):06d}"


def cart_lines(user):
    """The customer's cart lines with their products, in product-id order (the order rows get locked)."""
    return list(CartItem.select(CartItem, Product).join(Product)
                .where(CartItem.user == user).order_by(Product.id))


def reserve_stock(line):
    """Take the line's quantity from stock, only if that much is there; refuse and name the plant if not."""
    changed = (Product.update(stock=Product.stock - line.quantity)
               .where(Product.id == line.product.id, Product.stock >= line.quantity).execute())
    if changed != 1:
        left = current_read(Product.select(Product.stock).where(Product.id == line.product.id)).scalar()
        if not left:
            raise CheckoutRefused(f"{line.product.name} has just sold out. Remove it from your cart to buy the rest.")
        raise CheckoutRefused(f"Only {left} of {line.product.name} left, and your cart has {line.quantity}. "
                              "Lower the quantity to buy the rest.")


def charge_balance(user, total_cents):
    """Take the total from the balance, only if the balance covers it; refuse with both figures if not."""
    if total_cents == 0:
        # A conditional UPDATE that subtracts 0 changes no row, and PyMySQL reports changed rows,
        # not matched ones: a free order would look refused. Nothing to charge, so no UPDATE.
        return
    changed = (User.update(balance_cents=User.balance_cents - total_cents)
               .where(User.id == user.id, User.balance_cents >= total_cents).execute())
    if changed != 1:
        balance = current_read(User.select(User.balance_cents).where(User.id == user.id)).scalar()
        raise CheckoutRefused(f"Your balance is {format_cents(balance)} and this order costs {format_cents(total_cents)}. "
                              "Remove something from your cart to go ahead.")


class Line:
    """One thing to buy: a product and a quantity (a cart line, or given directly)."""

    def __init__(self, product, quantity):
        self.product, self.quantity = product, quantity


def lines_for(items):
    """Lines for explicit (product id, quantity) pairs, read fresh, in product-id order."""
    wanted = dict(items)
    products = Product.select().where(Product.id.in_(list(wanted))).order_by(Product.id)
    return [Line(product, wanted[product.id]) for product in products]


def _place_order_once(user, idempotency_key, items):
    """One attempt at the checkout transaction; see place_order()."""
    with write_transaction():
        lines = cart_lines(user) if items is None else lines_for(items)
        if not lines:
            raise CheckoutRefused("Your cart is empty.")
        total = sum(line.quantity * line.product.price_cents for line in lines)  # today's prices
        for line in lines:
            reserve_stock(line)
        charge_balance(user, total)
        balance_after = User.select(User.balance_cents).where(User.id == user.id).scalar()
        order = Order.create(number=new_order_number(), user=user, total_cents=total,
                             balance_after_cents=balance_after, idempotency_key=idempotency_key)
        order_items = [OrderItem.create(order=order, product=line.product, product_name=line.product.name,
                                        quantity=line.quantity, unit_price_cents=line.product.price_cents)
                       for line in lines]
        for order_item in order_items:
            if order_item.product.light:  # a plant, not a pot or a tool: it joins My Jungle
                JunglePlant.create(user=user, product=order_item.product, order_item=order_item,
                                   acquired_on=order.created_at.date())
        if items is None:
            CartItem.delete().where(CartItem.user == user).execute()
        queue_email(user.email, f"Your Fernhouse order {order.number}", "order_confirmation",
                    user=user, order=order, items=order_items)
    return order


def run_once_per_key(model, user, idempotency_key, attempt, refused):
    """Run a money-moving transaction at most once per (user, key); return (record, created).

    A record already made with the key is returned instead of running again. When `attempt` is
    refused, or a parallel request with the same key won the unique index, the first record is shown
    if there is one. InnoDB deadlocks and lock timeouts are retried.
    """
    def existing():
        return model.get_or_none(model.user == user, model.idempotency_key == idempotency_key)

    for attempt_number in range(ATTEMPTS):
        first = existing()
        if first:
            return first, False
        try:
            return attempt(), True
        except refused:
            # A double-click's second request can find the cart already bought by the first:
            # show that order rather than "your cart is empty".
            first = existing()
            if first:
                return first, False
            raise
        except IntegrityError:
            # Either the same key committed first in a parallel request (the unique index on
            # user + key refuses a second record), or a random number collided: try again.
            continue
        except OperationalError as error:
            if not is_retryable(error) or attempt_number == ATTEMPTS - 1:
                raise
    first = existing()
    if first:
        return first, False
    raise refused("The shop is very busy right now and this did not go through. Please try again.")


def place_order(user, idempotency_key, items=None):
    """Buy the whole cart (or the given (product id, quantity) pairs) or nothing; return (order, created).

    A repeated idempotency key returns the first order instead of buying again.
    Raises CheckoutRefused (nothing changed) when the cart is empty, a plant is short, or the balance
    does not cover the total.
    """
    return run_once_per_key(Order, user, idempotency_key,
                            lambda: _place_order_once(user, idempotency_key, items), CheckoutRefused)


class BookingRefused(Exception):
    """The booking cannot go through; the message says why, and nothing was changed."""


def reserve_seats(workshop, seats):
    """Take seats from the workshop, only if that many are left; refuse with the number left if not."""
    changed = (Workshop.update(seats_left=Workshop.seats_left - seats)
               .where(Workshop.id == workshop.id, Workshop.seats_left >= seats).execute())
    if changed != 1:
        left = current_read(Workshop.select(Workshop.seats_left).where(Workshop.id == workshop.id)).scalar()
        raise BookingRefused(f"{workshop.title} is fully booked." if not left else
                             f"Only {left} seat{'s' if left != 1 else ''} left for {workshop.title}.")


def _book_once(user, workshop, seats, idempotency_key):
    """One attempt at the booking transaction; see book_workshop()."""
    with write_transaction():
        reserve_seats(workshop, seats)
        total = seats * workshop.price_cents
        try:
            charge_balance(user, total)
        except CheckoutRefused as refusal:
            raise BookingRefused(str(refusal).replace("this order", "this booking")
                                 .replace(" Remove something from your cart to go ahead.", "")) from None
        booking = Booking.create(number=new_order_number().replace("FH-", "WS-"), workshop=workshop, user=user,
                                 seats=seats, total_cents=total, idempotency_key=idempotency_key)
        balance = User.select(User.balance_cents).where(User.id == user.id).scalar()
        queue_email(user.email, f"Booked: {workshop.title}", "booking_confirmation", user=user,
                    workshop=workshop, booking=booking, balance_cents=balance)
    return booking


def book_workshop(user, workshop, seats, idempotency_key):
    """Book seats and pay from the balance, all or nothing; return (booking, created).

    The same rules as a purchase: conditional updates for seats and balance, one transaction with
    the confirmation email, and a repeated idempotency key returns the first booking.
    """
    if workshop.starts_at <= utcnow():
        raise BookingRefused(f"{workshop.title} has already taken place.")
    return run_once_per_key(Booking, user, idempotency_key,
                            lambda: _book_once(user, workshop, seats, idempotency_key), BookingRefused)


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
