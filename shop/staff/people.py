"""Customers, reviews and workshops in the back office. Money moves only through the
ledger (an `adjustment` or `refund` row), never below zero; every change is audited."""
import re
from datetime import datetime

from peewee import IntegrityError

from ..accounts.registration import send_verification_email
from ..db import current_read, transaction_with_retry
from ..mail import is_one_line, queue_email
from ..models import (
    BalanceLedger,
    Booking,
    Order,
    Product,
    Review,
    User,
    Workshop,
    utcnow,
)
from ..money import format_cents
from ..orders.ledger import InsufficientBalance, move_balance
from .access import StaffRefused, audit

# One adjustment is a goodwill credit or the correction of one order, never more than the dearest order
# line a customer is likely to have; anything bigger is a refund of the order itself (Orders: cancel).
MAX_ADJUSTMENT_CENTS = 500_00
# Far above any real balance, far below what balance_cents (INT) holds.
MAX_BALANCE_CENTS = 1_000_000_00
SLUG_LENGTH = 40  # staff_actions.object_id, where a workshop's slug is written


class OwnBalance(StaffRefused):
    """A staff member tried to adjust their own balance: another person has to do it."""


def slugify(text):
    """A URL-safe slug of a title: 'Terrarium building!' -> 'terrarium-building'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "workshop"


def free_slug(title, day):
    """A slug no workshop has yet, at most SLUG_LENGTH characters: title-YYYYMMDD, then -2, -3..."""
    for n in range(1, 100):
        tail = f"-{day:%Y%m%d}" + (f"-{n}" if n > 1 else "")
        slug = slugify(title)[:SLUG_LENGTH - len(tail)].rstrip("-") + tail
        if not Workshop.select().where(Workshop.slug == slug).exists():
            return slug
    raise StaffRefused("There are too many workshops with that title on that day.")


def find_customers(text, limit=50):
    """Customers whose username, email or member ID starts with the text (deleted ones left out)."""
    text = (text or "").strip()[:254]
    query = User.select().where(User.deleted_at.is_null()).order_by(User.id.desc())
    if text:
        lowered = text.lower()
        query = query.where(User.username_lower.startswith(lowered) | User.email.startswith(lowered)
                            | User.member_id.startswith(text.upper()))
    return list(query.limit(limit))


def customer_file(user_id):
    """One customer with their orders and ledger, or None."""
    user = User.get_or_none(User.id == user_id, User.deleted_at.is_null())
    if user is None:
        return None
    return {"customer": user,
            "orders": list(Order.select().where(Order.user == user_id).order_by(Order.id.desc()).limit(50)),
            "ledger": list(BalanceLedger.select().where(BalanceLedger.user == user_id)
                           .order_by(BalanceLedger.id.desc()).limit(50))}


def parse_signed_dollars(raw):
    """+12.50 or -3 dollars as signed cents, or StaffRefused."""
    text = (raw or "").strip().replace("$", "").replace(",", "")
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    whole, _, cents = digits.partition(".")
    if not digits.isascii() or not whole.isdigit() or not (cents == "" or (cents.isdigit() and len(cents) <= 2)) \
            or len(whole) > 6:
        raise StaffRefused("Enter the amount in dollars, like 10 or -4.50.")
    value = sign * (int(whole) * 100 + int((cents + "00")[:2]))
    if value == 0:
        raise StaffRefused("An adjustment of $0 changes nothing.")
    return value


def adjust_balance(staff_id, user_id, amount_text, reason):
    """Credit or debit another person's balance with a reason (an `adjustment` ledger row): at most
    MAX_ADJUSTMENT_CENTS either way, never below $0 nor above MAX_BALANCE_CENTS."""
    if staff_id == user_id:
        raise OwnBalance("That is not your own balance to change: ask another member of staff.")
    cents = parse_signed_dollars(amount_text)
    if abs(cents) > MAX_ADJUSTMENT_CENTS:
        raise StaffRefused(f"An adjustment is at most {format_cents(MAX_ADJUSTMENT_CENTS)} either way: "
                           "refund a larger amount by cancelling its order.")
    reason = (reason or "").strip()[:500]
    if not reason:
        raise StaffRefused("Give the reason: it stays in the audit trail.")

    def apply():
        user = current_read(User.select().where(User.id == user_id)).get()
        if cents > 0 and user.balance_cents + cents > MAX_BALANCE_CENTS:
            raise StaffRefused(f"A balance holds at most {format_cents(MAX_BALANCE_CENTS)}: "
                               f"this one is {format_cents(user.balance_cents)}.")
        try:
            after = move_balance(user_id, cents, "adjustment", f"staff-{staff_id}")
        except InsufficientBalance as short:
            raise StaffRefused(f"The balance is {format_cents(short.balance_cents)}: it cannot go below $0.") from None
        audit(staff_id, "customer.adjust", "user", user.member_id, {"balance_cents": user.balance_cents},
              {"balance_cents": after}, reason)
        return after

    return transaction_with_retry(apply)


def resend_verification(staff_id, user_id):
    """Send a customer who has not verified a new verification email."""
    def apply():
        user = User.get_by_id(user_id)
        if user.verified_at is not None:
            raise StaffRefused(f"{user.username} is verified already.")
        send_verification_email(user)
        audit(staff_id, "customer.resend", "user", user.member_id)

    transaction_with_retry(apply)


def find_reviews(state="all", limit=100, review_id=None):
    """Reviews, newest first, with their product and author (or the one review_id)."""
    query = (Review.select(Review, Product, User).join(Product).switch(Review).join(User)
             .order_by(Review.id.desc()))
    if review_id is not None:
        query = query.where(Review.id == review_id)
    if state in ("hidden", "shown"):
        query = query.where(Review.hidden == (state == "hidden"))
    return list(query.limit(limit))


def set_review_hidden(staff_id, review_id, hidden):
    """Hide or show a review; its stars leave or rejoin the product's rating in the same transaction."""
    def apply():
        review = current_read(Review.select().where(Review.id == review_id)).get()
        if review.hidden == hidden:
            return review
        product = current_read(Product.select().where(Product.id == review.product_id)).get()
        total = float(product.rating) * product.rating_count + (-review.rating if hidden else review.rating)
        count = product.rating_count + (-1 if hidden else 1)
        rating = round(total / count, 2) if count > 0 else 0
        Product.update(rating=rating, rating_count=count).where(Product.id == product.id).execute()
        Review.update(hidden=hidden).where(Review.id == review_id).execute()
        audit(staff_id, "review.hide" if hidden else "review.show", "review", review_id,
              {"hidden": review.hidden, "product_rating": str(product.rating), "rating_count": product.rating_count},
              {"hidden": hidden, "product_rating": str(rating), "rating_count": count})
        return review

    transaction_with_retry(apply)


def workshop_values(form):
    """The workshop form's values: (values, {field: error})."""
    errors, values = {}, {}
    values["title"] = (form.get("title") or "").strip()[:150]
    if not is_one_line(values["title"]):  # it becomes an email's subject: a line break would end the header
        errors["title"] = "A title is one line of ordinary text: no line breaks, tabs or control characters."
    elif len(values["title"]) < 3:
        errors["title"] = "A title has at least 3 characters."
    values["description"] = (form.get("description") or "").strip()[:2000]
    values["host"] = (form.get("host") or "").strip()[:100]
    try:
        values["starts_at"] = datetime.fromisoformat((form.get("starts_at") or "").strip()[:16])
        if values["starts_at"] <= utcnow():
            errors["starts_at"] = "A workshop starts in the future."
    except ValueError:
        errors["starts_at"] = "Give the date and time, like 2027-03-14T10:00."
    for field, low, high, label in (("duration_minutes", 15, 600, "Minutes"), ("seats_total", 1, 200, "Seats")):
        text = (form.get(field) or "").strip()
        if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
            errors[field] = f"{label}: a whole number from {low} to {high}."
        else:
            values[field] = int(text)
    try:
        price = parse_signed_dollars(form.get("price") or "0") if (form.get("price") or "").strip() not in ("", "0") else 0
        if price < 0 or price > 1000_00:
            raise StaffRefused("")
        values["price_cents"] = price
    except StaffRefused:
        errors["price"] = "A price from $0 to $1,000, like 25 or 12.50."
    return values, errors


def save_workshop(staff_id, workshop_id, values):
    """Add a workshop (workshop_id None) or edit one; returns it. values are already checked."""
    def apply():
        if workshop_id is None:
            slug = free_slug(values["title"], values["starts_at"])
            workshop = Workshop.create(**values, slug=slug, seats_left=values["seats_total"])
            audit(staff_id, "workshop.create", "workshop", workshop.slug, None, values)
            return workshop
        workshop = current_read(Workshop.select().where(Workshop.id == workshop_id)).get()
        booked = workshop.seats_total - workshop.seats_left
        if values["seats_total"] < booked:
            raise StaffRefused(f"{booked} seats are booked already: the workshop needs at least that many.")
        before = {key: getattr(workshop, key) for key in values}
        Workshop.update(**values, seats_left=values["seats_total"] - booked).where(Workshop.id == workshop_id).execute()
        audit(staff_id, "workshop.edit", "workshop", workshop.slug, before, values)
        return Workshop.get_by_id(workshop_id)

    for attempt in range(3):  # two staff adding the same title and day at once: the second takes the next slug
        try:
            return transaction_with_retry(apply)
        except IntegrityError:
            if attempt == 2:
                raise StaffRefused("Another workshop was saved at the same moment. Please save again.") from None


def cancel_workshop(staff_id, workshop_id, reason):
    """Cancel a workshop: every booking refunded through the ledger and emailed. Returns how many."""
    reason = (reason or "").strip()[:500]
    if not reason:
        raise StaffRefused("Say why the workshop is cancelled: the customers read it.")

    def apply():
        bookings = list(Booking.select().where(Booking.workshop == workshop_id, Booking.cancelled_at.is_null()))
        users = {user.id: user for user in current_read(  # lock 1: the customers, in id order
            User.select().where(User.id.in_([b.user_id for b in bookings] or [0])).order_by(User.id))}
        workshop = current_read(Workshop.select().where(Workshop.id == workshop_id)).get()
        if workshop.cancelled_at is not None:
            raise StaffRefused(f"{workshop.title} is cancelled already.")
        # again, under the locks: a customer may have cancelled a booking since the first read
        bookings = list(current_read(Booking.select().where(Booking.workshop == workshop_id,
                                                            Booking.cancelled_at.is_null())))
        for user in User.select().where(User.id.in_([b.user_id for b in bookings if b.user_id not in users] or [0])):
            users[user.id] = user
        now = utcnow()
        for booking in bookings:
            balance = move_balance(booking.user_id, booking.total_cents, "refund", booking.number)
            Booking.update(cancelled_at=now).where(Booking.id == booking.id).execute()
            queue_email(users[booking.user_id].email, f"Cancelled: {workshop.title}", "workshop_cancelled",
                        user=users[booking.user_id], workshop=workshop, booking=booking, reason=reason,
                        balance_cents=balance)
        Workshop.update(cancelled_at=now, seats_left=workshop.seats_total).where(Workshop.id == workshop_id).execute()
        audit(staff_id, "workshop.cancel", "workshop", workshop.slug, {"bookings": len(bookings)},
              {"refunded_cents": sum(b.total_cents for b in bookings)}, reason)
        return len(bookings)

    return transaction_with_retry(apply)
