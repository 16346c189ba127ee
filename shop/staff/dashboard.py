"""The figures on the back office's dashboard, each the count behind a link into its list."""
from datetime import timedelta

from ..models import EmailOutbox, Order, Product, Review, utcnow
from .products import LOW_STOCK


def dashboard_figures():
    """What the dashboard shows, each a link into its list."""
    today = utcnow().replace(hour=0, minute=0, second=0)
    todays = Order.select().where(Order.created_at >= today, Order.status != "cancelled")
    return {
        "orders_today": todays.count(),
        "revenue_today": sum(order.total_cents for order in todays),
        "to_pack": Order.select().where(Order.status == "placed").count(),
        "low_stock": Product.select().where(Product.stock <= LOW_STOCK, Product.hidden == False).count(),  # noqa: E712
        "failing_mail": EmailOutbox.select().where(EmailOutbox.sent_at.is_null(),
                                                   EmailOutbox.last_error.is_null(False)).count(),
        "new_reviews": Review.select().where(Review.created_at >= utcnow() - timedelta(days=7),
                                             Review.hidden == False).count(),  # noqa: E712
    }
