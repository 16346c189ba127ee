"""Reviews: a customer whose order of a plant arrived rates it once; the product's rating follows at once.

Only an order that reached the customer opens a review: status `delivered` (staff/fulfilment.py moves a
collected order there too), never a cancelled one (bought, cancelled, $0 spent) nor one still on its way
(nobody has seen the plant yet). One review per customer per plant (a unique index); a second is refused.
"""
from peewee import IntegrityError, fn

from ..db import current_read, transaction_with_retry
from ..models import Order, OrderItem, Product, Review, User

BODY_MAX = 2000


class ReviewRefused(Exception):
    """The review cannot be saved; the message says why."""


ARRIVED = "delivered"


def review_by_id(review_id):
    """One review, hidden or not, or None."""
    return Review.get_or_none(Review.id == review_id)


def orders_of_plant(user, product):
    """{order number: status} of the customer's orders with this product in them."""
    query = (Order.select(Order.id, Order.number, Order.status).join(OrderItem)
             .where(Order.user == user, OrderItem.product == product).order_by(Order.id))
    return {order.number: order.status for order in query}


def why_not_reviewable(user, product):
    """None when one of the customer's orders of the plant arrived; otherwise (box state, message)."""
    orders = orders_of_plant(user, product)
    if ARRIVED in orders.values():
        return None
    on_its_way = [(number, status) for number, status in orders.items() if status != "cancelled"]
    if on_its_way:
        number, status = on_its_way[-1]
        return "not_arrived", f"You can review this plant once it has arrived: order {number} is {status}."
    if orders:
        return "not_bought", (f"Only customers who received this plant can review it; your order {list(orders)[-1]} "
                              "was cancelled.")
    return "not_bought", "Only customers who bought this plant can review it."


def review_state(user, product):
    """What the review box shows: 'anonymous', 'not_bought', 'not_arrived', 'reviewed' or 'can_review'."""
    if user is None:
        return "anonymous"
    if Review.select().where(Review.user == user, Review.product == product).exists():
        return "reviewed"
    refusal = why_not_reviewable(user, product)
    return refusal[0] if refusal else "can_review"


def add_review(user, product, rating_text, body):
    """Save a buyer's review and fold its stars into the product's rating, in one transaction."""
    try:
        rating = int(rating_text)
    except (TypeError, ValueError):
        raise ReviewRefused("Choose from 1 to 5 stars.") from None
    if not 1 <= rating <= 5:
        raise ReviewRefused("Choose from 1 to 5 stars.")
    body = (body or "").strip()
    if len(body) > BODY_MAX:
        raise ReviewRefused(f"Please keep the review under {BODY_MAX:,} characters.")
    refusal = why_not_reviewable(user, product)
    if refusal:
        raise ReviewRefused(refusal[1])

    def save():
        # The shop's lock order (users, then products; see orders.py): a review racing a purchase of
        # the same plant waits for it instead of deadlocking with it.
        current_read(User.select(User.id).where(User.id == user.id)).get()
        current_read(Product.select(Product.id).where(Product.id == product.id)).get()
        Review.create(product=product, user=user, rating=rating, body=body)
        # Two statements on purpose: MySQL evaluates SET left to right, so one statement that
        # also bumped rating_count would depend on the order of its assignments.
        # ROUND: SQLite does not enforce DECIMAL(3,2) and would keep every digit.
        new_rating = fn.ROUND((Product.rating * Product.rating_count + rating) / (Product.rating_count + 1), 2)
        Product.update(rating=new_rating).where(Product.id == product.id).execute()
        Product.update(rating_count=Product.rating_count + 1).where(Product.id == product.id).execute()

    try:
        transaction_with_retry(save)
    except IntegrityError:
        raise ReviewRefused("You have already reviewed this plant.") from None


def reviews_context(product, user, error=None, values=None):
    """Everything the reviews section needs, for the customer `user` (None when anonymous)."""
    reviews = list(Review.select(Review, User).join(User)
                   .where(Review.product == product, Review.hidden == False)  # noqa: E712 (hidden by staff)
                   .order_by(Review.id.desc()).limit(50))
    written = Review.select().where(Review.product == product, Review.hidden == False).count()  # noqa: E712
    return {"product": Product.get_by_id(product.id), "reviews": reviews, "written": written,
            "review_box": review_state(user, product), "error": error, "values": values or {}}
