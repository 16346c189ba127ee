"""Leaving the shop: everything a customer's account holds as a JSON download, and deleting it.

Deleting keeps the books whole and the person out of them:
- it is refused while an order is not finished (placed, packed or shipped): the nursery still needs the
  name and the address to deliver it, and cancelling it here would silently turn the customer's money into
  a balance that is then given up. The customer cancels a placed order from its receipt (refunded in full,
  the email to the address they still have) or waits until it arrives, then deletes;
- workshop bookings not yet held are cancelled: seats back, a `refund` ledger row each;
- what is left of the balance is closed with an `adjustment` ledger row (the form says so first);
- sessions, the cart, My Jungle, rate-limit counts and every queued or sent email to the address go;
- the orders keep their numbers, amounts and lines, but not the address they were sent to (ship_to);
- the users row stays as a placeholder ("deleted-<id>") so orders, bookings and the ledger still add
  up, with the username, email, member ID and password hash replaced: the name and the address are
  free to register again;
- reviews stay, shown as written by a "former customer";
- a goodbye email goes to the old address, and its outbox row is erased once delivered.
"""
from flask import url_for

from ..db import current_read, transaction_with_retry
from ..limits import forget_keys
from ..mail import queue_email
from ..models import (
    Address,
    BalanceLedger,
    Booking,
    CartItem,
    EmailOutbox,
    JunglePlant,
    Order,
    OrderItem,
    Product,
    Review,
    User,
    UserSession,
    Workshop,
    utcnow,
)
from ..orders.ledger import current_balance, move_balance
from .lifecycle import AccountRefused, password_matches

UNFINISHED = ("placed", "packed", "shipped")  # see the module's docstring; delivered and cancelled are done


def when(value):
    """A date or time as ISO 8601 text (None stays None)."""
    return value.isoformat() if value else None


def export_data(user):
    """Everything the shop holds about this customer, and nothing about anyone else."""
    orders = list(Order.select().where(Order.user == user.id).order_by(Order.id))
    lines = {}
    for item in OrderItem.select().where(OrderItem.order.in_([order.id for order in orders] or [0])):
        lines.setdefault(item.order_id, []).append(
            {"product": item.product_name, "quantity": item.quantity, "unit_price_cents": item.unit_price_cents})
    return {
        "account": {"username": user.username, "email": user.email, "pending_email": user.pending_email,
                    "member_id": user.member_id, "verified_at": when(user.verified_at),
                    "created_at": when(user.created_at), "balance_cents": user.balance_cents},
        "addresses": [{"name": address.name, "line1": address.line1, "line2": address.line2, "town": address.town,
                       "postcode": address.postcode, "country": address.country, "is_default": address.is_default}
                      for address in Address.select().where(Address.user == user.id).order_by(Address.id)],
        "orders": [{"number": order.number, "created_at": when(order.created_at), "status": order.status,
                    "total_cents": order.total_cents, "balance_after_cents": order.balance_after_cents,
                    "delivery": {"method": order.delivery_method, "cents": order.delivery_cents,
                                 "ship_to": order.ship_to, "expected_on": when(order.expected_on)},
                    "lines": lines.get(order.id, [])}
                   for order in orders],
        "ledger": [{"created_at": when(row.created_at), "reason": row.reason, "delta_cents": row.delta_cents,
                    "reference": row.reference}
                   for row in BalanceLedger.select().where(BalanceLedger.user == user.id).order_by(BalanceLedger.id)],
        "reviews": [{"product": review.product.name, "sku": review.product.sku, "rating": review.rating,
                     "body": review.body, "created_at": when(review.created_at)}
                    for review in Review.select(Review, Product).join(Product).where(Review.user == user.id)],
        "my_jungle": [{"product": plant.product.name, "sku": plant.product.sku, "acquired_on": when(plant.acquired_on),
                       "last_watered_on": when(plant.last_watered_on)}
                      for plant in JunglePlant.select(JunglePlant, Product).join(Product)
                      .where(JunglePlant.user == user.id)],
        "bookings": [{"number": booking.number, "workshop": booking.workshop.title,
                      "starts_at": when(booking.workshop.starts_at), "seats": booking.seats,
                      "total_cents": booking.total_cents, "cancelled_at": when(booking.cancelled_at)}
                     for booking in Booking.select(Booking, Workshop).join(Workshop).where(Booking.user == user.id)],
        "signed_in_browsers": [{"since": when(row.created_at), "last_seen": when(row.last_seen_at)}
                               for row in UserSession.select().where(UserSession.user == user.id)],
    }


def cancel_future_bookings(user_id, now):
    """Cancel the bookings of workshops still to come: seats back, a refund row each."""
    upcoming = current_read(Booking.select().join(Workshop)
                            .where(Booking.user == user_id, Booking.cancelled_at.is_null(), Workshop.starts_at > now)
                            .order_by(Booking.workshop))
    for booking in upcoming:
        Workshop.update(seats_left=Workshop.seats_left + booking.seats).where(Workshop.id == booking.workshop_id).execute()
        move_balance(user_id, booking.total_cents, "refund", booking.number)
        Booking.update(cancelled_at=now).where(Booking.id == booking.id).execute()


def forget_person(user):
    """Delete what belongs only to the person, and replace the personal fields of the users row."""
    addresses = [address for address in (user.email, user.pending_email) if address]
    UserSession.delete().where(UserSession.user == user.id).execute()
    CartItem.delete().where(CartItem.user == user.id).execute()
    Address.delete().where(Address.user == user.id).execute()
    Order.update(ship_to=None).where(Order.user == user.id).execute()  # the books stay, the address goes
    JunglePlant.delete().where(JunglePlant.user == user.id).execute()
    EmailOutbox.delete().where(EmailOutbox.recipient.in_(addresses)).execute()
    forget_keys(user.id, user.username_lower, *addresses)  # what the rate limits counted of them
    # "#" is not allowed in usernames or addresses, so nobody can register or log in as the placeholder
    User.update(username=f"deleted-{user.id}", username_lower=f"#deleted-{user.id}", email=f"#deleted-{user.id}",
                member_id=f"DEL-{user.id}", pending_email=None, password_hash="!", verified_at=None,
                deleted_at=utcnow()).where(User.id == user.id).execute()


def refuse_while_unfinished(user_id):
    """AccountRefused, naming them, while any of the customer's orders is not finished (read past any snapshot,
    under the locked users row, so an order placed in another tab a moment ago counts)."""
    unfinished = list(current_read(Order.select(Order.id, Order.number, Order.status)
                                   .where(Order.user == user_id, Order.status.in_(UNFINISHED)).order_by(Order.id)))
    if unfinished:
        named = ", ".join(f"{order.number} ({order.status})" for order in unfinished)
        many = len(unfinished) > 1
        raise AccountRefused("orders", f"{'Orders' if many else 'Order'} {named} {'are' if many else 'is'} not "
                             "finished yet: we still need your name and address to deliver "
                             f"{'them' if many else 'it'}. Cancel a placed order from its receipt (it is refunded "
                             "in full), or wait until your plants have arrived; then delete your account.")


def delete_account(user, password, confirm):
    """Delete a customer's account (see the module's docstring); returns the balance given up."""
    if not password_matches(user, password):
        raise AccountRefused("password", "That is not your password.")
    if (confirm or "").strip() != user.username:
        raise AccountRefused("confirm", f"Type your username, {user.username}, exactly as it is written.")
    goodbye = {"user": user, "shop_url": url_for("catalog.index")}

    def apply():
        current_read(User.select(User.id).where(User.id == user.id)).get()  # lock 1, as every money path
        refuse_while_unfinished(user.id)
        now = utcnow()
        cancel_future_bookings(user.id, now)
        left = current_balance(user.id)
        if left:
            move_balance(user.id, -left, "adjustment", "account closed")
        forget_person(User.get_by_id(user.id))
        queue_email(user.email, "Your Fernhouse account is deleted", "goodbye", erase_after_send=True,
                    balance_cents=left, **goodbye)
        return left

    return transaction_with_retry(apply)
