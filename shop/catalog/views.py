"""The catalogue's routes: the product grid with filters, the category counts, product pages, pictures."""
import math

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from ..htmx import (
    hx_target,
    is_fragment_request,
    render_page_or_fragment,
    set_push_url,
    set_triggers,
)
from .answers import remembered
from .cards import card
from .filters import AVAILABILITY, PLANT_FILTERS, SORTS, default_filters, filter_chips, parse_filters, refused_any
from .listing import (
    COUNT_CAP,
    all_categories,
    counts_capped,
    counts_for,
    find,
    find_product,
    products_in_order,
    related_products,
)
from .pictures import product_svg
from .reviews import reviews_context
from .search import parse_query

bp = Blueprint("catalog", __name__)
bp.add_app_template_global(card)  # {{ card(product) }}: a product card, kept as HTML (catalog/cards.py)


def page_url(filters, page):
    """The catalogue URL for the same filters on another page."""
    args = {key: value for key, value in filters.items()
            if key != "page" and value not in (None, "", [], "any", "relevance", False)}
    for flag in ("pet_safe", "exact"):
        if args.get(flag):
            args[flag] = "1"
    if page > 1:
        args["page"] = page
    for key in ("min_price", "max_price"):
        if key in args:
            args[key] = f"{args[key] / 100:g}"
    return url_for("catalog.products", **args)


def catalogue_context():
    """Everything the catalogue page and its results fragment need, from the query string."""
    filters, messages = parse_filters(request.args)
    searching = bool(parse_query(filters["q"]))
    if filters["q"] and not searching:
        messages.append("Search for plants with letters or digits, like “fern” or “FH-10042”.")
    per_page = current_app.config["PRODUCTS_PER_PAGE"]
    categories = remembered("shelves", {}, all_categories)  # they move the version too
    found = remembered("page", filters, lambda: find(filters, categories, per_page))
    typed, total, page = filters, found["total"], filters["page"]
    if found["q"] != typed["q"]:
        filters = {**typed, "q": found["q"]}  # the spelling correction's results are shown
    capped = total > COUNT_CAP and not searching
    return {
        "filters": filters, "messages": messages, "products": products_in_order(found["ids"], categories),
        "total": min(total, COUNT_CAP) if capped else total, "total_capped": capped,
        "page": page, "pages": None if capped else max(1, math.ceil(total / per_page)),
        "next_url": page_url(filters, page + 1) if found["has_next"] else None,
        "typed": typed,  # what the search box holds (filters may be the corrected search)
        # the phone sheet's buttons, out of band, only when the catalogue page itself asked
        "fragment": is_fragment_request() and hx_target() == "results",
        "show_label": show_label(min(total, COUNT_CAP) if capped else total, capped),
        "filters_label": filters_label(filters),
        "corrected": filters is not typed,
        "exact_url": page_url({**typed, "exact": True}, 1),
        "chips": [(label, page_url(without, 1)) for label, without in filter_chips(typed, categories)],
        "words_url": words_as_typed_url(typed),
        "categories": categories,
        "sorts": SORTS, "availability_options": AVAILABILITY, "plant_filters": PLANT_FILTERS,
    }


def words_as_typed_url(typed):
    """When filter words were read from the search ("pet safe fern"), the URL that searches the text as
    typed instead (exact=1); else None."""
    text = (request.args.get("q") or "").strip()[:100]
    if typed["exact"] or text == typed["q"]:
        return None
    args = request.args.copy()
    args["exact"] = "1"
    return page_url(parse_filters(args)[0], 1)


def show_label(total, capped):
    """The phone filter sheet's close button: what closing it shows ("Show 48 plants")."""
    if not total:
        return "No plants match: back to the list"
    return f"Show {'more than ' if capped else ''}{total:,} plant{'s' if total != 1 or capped else ''}"


def filters_label(filters):
    """The phone's button that opens the filter sheet, with how many filters are on: "Filters (2)"."""
    defaults = default_filters()
    active = sum(len(filters[key]) if key == "category" else 1 for key in defaults
                 if key not in ("q", "sort", "page", "exact") and filters[key] != defaults[key])
    return f"Filters ({active})" if active else "Filters"


def render_catalogue():
    """The catalogue page or its results fragment, pushing the tidy URL of the first page."""
    context = catalogue_context()
    response = make_response(render_page_or_fragment(
        "templates/catalog/index.html", "partials/catalog/results.html", **context))
    if refused_any(context["messages"]):
        # a refused filter value: the results without it and the message say what happened, as a 422
        response.status_code = 422
    if context["page"] == 1:
        # The browser's address bar shows /products?q=fern, not every empty form field.
        set_push_url(response, page_url(context["typed"], 1))
        if is_fragment_request():  # new results: the category counts of the filter panel follow
            set_triggers(response, "catalogue-changed", after_settle=True)
    return response


@bp.get("/")
def index():
    """The home page: the whole catalogue with its filters."""
    return render_catalogue()


@bp.get("/products")
def products():
    """The catalogue filtered by the query string; a fragment for htmx, else the page."""
    return render_catalogue()


@bp.get("/products/category-counts")
def counts():
    """Fragment: the count beside each category box, for the catalogue's current search.

    The filter panel asks for it when the page loads and whenever a first page of results comes
    in (the event catalogue-changed), so the grid never waits for the counts; the answer swaps
    the counts out of band.
    """
    filters, _ = parse_filters(request.args)
    if not is_fragment_request():
        # the clean filters only: raw query keys such as _external or _anchor never reach url_for
        return redirect(page_url(filters, 1), code=303)
    categories = remembered("shelves", {}, all_categories)  # they move the version too
    # the grid shows the spelling correction when the typed search finds nothing: the counts follow it
    counts = remembered("counts", {**filters, "page": 1, "sort": "", "category": []},
                        lambda: counts_for(filters, categories))
    return render_template("partials/catalog/category_counts.html", categories=categories, counts=counts,
                           count_cap=COUNT_CAP if counts_capped(filters) else None)


def get_product_or_404(sku):
    """The product with this SKU (any letter case), or a 404."""
    product = find_product(sku)
    if product is None:
        abort(404)
    return product


def render_product_page(item, status=200, **review_box):
    """The product page: the product, related plants and the reviews section (with a refused
    review's message and values when there is one)."""
    return render_template("templates/catalog/product.html", related=related_products(item),
                           **reviews_context(item, g.user, **review_box)), status


@bp.get("/products/<sku>")
def product(sku):
    """One product: picture, description, care, price and availability."""
    return render_product_page(get_product_or_404(sku))


@bp.get("/products/<sku>/picture.svg")
def picture(sku):
    """The product's SVG illustration, cached by browsers for a day."""
    item = get_product_or_404(sku)
    svg = product_svg(item.sku, item.name, item.category.slug, item.size, item.keywords, item.latin_name)
    response = make_response(svg)
    response.content_type = "image/svg+xml; charset=utf-8"
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    response.add_etag()
    return response.make_conditional(request)


@bp.app_template_global()
def stars(rating):
    """How a rating out of 5 is drawn: a CSS class for the nearest half star, and words for screen readers."""
    value = float(rating or 0)
    return {"css": f"s{round(value * 2) * 5}", "label": f"Rated {value:.1f} out of 5"}


@bp.app_template_global()
def availability(product):
    """The stock state shown on a card: in stock, only N left, or sold out."""
    if product.stock <= 0:
        return {"css": "sold-out", "label": "Sold out"}
    if product.stock <= 5:
        return {"css": "low", "label": f"Only {product.stock} left"}
    return {"css": "in-stock", "label": "In stock"}
