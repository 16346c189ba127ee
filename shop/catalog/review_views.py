"""The review route: a buyer posts stars and words from the product page."""
from flask import Blueprint, g, redirect, render_template, request, url_for

from ..htmx import is_fragment_request, redirect_via_htmx
from .reviews import ReviewRefused, add_review, reviews_context
from .views import get_product_or_404, render_product_page

bp = Blueprint("reviews", __name__)


@bp.post("/products/<sku>/reviews")
def create(sku):
    """Post a review; htmx gets the refreshed reviews section, a plain form goes back to the page."""
    product = get_product_or_404(sku)
    if g.user is None:  # back to the product page after logging in, not to this POST-only URL
        return redirect_via_htmx(url_for("auth.login", next=url_for("catalog.product", sku=product.sku)))
    try:
        add_review(g.user, product, request.form.get("rating"), request.form.get("body"))
    except ReviewRefused as refusal:
        if is_fragment_request():
            context = reviews_context(product, g.user, str(refusal), request.form)
            return render_template("partials/reviews/reviews.html", **context), 422
        return render_product_page(product, 422, error=str(refusal), values=request.form)
    if is_fragment_request():
        context = reviews_context(product, g.user)
        # The rating at the top of the page changes too: sent beside the section, swapped by its id.
        return (render_template("partials/reviews/reviews.html", **context)
                + render_template("partials/reviews/rating_summary.html", product=context["product"],
                                  written=context["written"], oob=True))
    return redirect(url_for("catalog.product", sku=product.sku) + "#reviews", code=303)
