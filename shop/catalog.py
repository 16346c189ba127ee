"""The catalogue: the product grid with filters, product pages and product pictures."""
import math
from decimal import Decimal, InvalidOperation

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for
from peewee import SQL, fn
from werkzeug.datastructures import MultiDict

from .htmx import is_fragment_request, render_page_or_fragment, set_push_url
from .models import Category, Product
from .pictures import product_svg
from .search import parse_query, search

bp = Blueprint("catalog", __name__)

SORTS = {
    "relevance": "Featured",
    "price_asc": "Price: low to high",
    "price_desc": "Price: high to low",
    "rating": "Best rated",
    "newest": "Newest",
}
AVAILABILITY = {"any": "Everything", "in_stock": "In stock", "out_of_stock": "Sold out"}
# The plant attributes a person can filter on: parameter -> {value: label}.
PLANT_FILTERS = {
    "light": {"low": "Low light", "medium": "Medium light", "bright": "Bright light", "direct": "Direct sun"},
    "difficulty": {"easy": "Easy", "moderate": "Moderate", "expert": "Expert"},
    "size": {"small": "Small", "medium": "Medium", "large": "Large"},
}
MAX_PRICE_CENTS = 100_000_00
MAX_PAGE = 10_000


def _parse_dollars(raw, label, messages):
    """Dollars typed by a person to cents, or None with a message when it is not a sensible price."""
    raw = (raw or "").strip().lstrip("$")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        messages.append(f"{label} must be a number of dollars, like 25 or 19.99.")
        return None
    if not value.is_finite() or value < 0 or value * 100 > MAX_PRICE_CENTS:
        messages.append(f"{label} must be between $0 and ${MAX_PRICE_CENTS // 100:,}.")
        return None
    return int(value * 100)


def parse_filters(args):
    """Read the catalogue's query string into clean filters and messages for what was ignored."""
    messages = []
    filters = {
        "q": (args.get("q") or "").strip()[:100],
        "category": [slug[:64] for slug in args.getlist("category") if slug][:20],
        "min_price": _parse_dollars(args.get("min_price"), "Minimum price", messages),
        "max_price": _parse_dollars(args.get("max_price"), "Maximum price", messages),
        "min_rating": None,
        "availability": args.get("availability") if args.get("availability") in AVAILABILITY else "any",
        "sort": args.get("sort") if args.get("sort") in SORTS else "relevance",
        "pet_safe": args.get("pet_safe") == "1",
        "page": 1,
    }
    for name, choices in PLANT_FILTERS.items():
        filters[name] = args.get(name) if args.get(name) in choices else None
    rating = (args.get("min_rating") or "").strip()
    if rating:
        try:
            value = float(rating)
            if not 0 <= value <= 5:
                raise ValueError
            filters["min_rating"] = value
        except ValueError:
            messages.append("Minimum rating must be between 0 and 5.")
    try:
        filters["page"] = min(max(int(args.get("page", 1)), 1), MAX_PAGE)
    except (TypeError, ValueError):
        messages.append("That page number was not understood, so here is the first page.")
    if filters["min_price"] is not None and filters["max_price"] is not None \
            and filters["min_price"] > filters["max_price"]:
        messages.append("The minimum price was above the maximum, so the two were swapped.")
        filters["min_price"], filters["max_price"] = filters["max_price"], filters["min_price"]
    return filters, messages


def filtered_products(filters, categories):
    """The products query for the filters: search text through shop/search.py, then each filter.

    Categories are matched by id, not joined: with a join, MariaDB's planner likes to start from
    the 11 categories and sort 100,000 products in a temporary table (330 ms instead of 5 ms).
    """
    query = Product.select()
    query, relevance = search(query, filters["q"])
    if filters["category"]:
        ids = [category.id for category in categories if category.slug in filters["category"]]
        query = query.where(Product.category.in_(ids or [0]))
    if filters["min_price"] is not None:
        query = query.where(Product.price_cents >= filters["min_price"])
    if filters["max_price"] is not None:
        query = query.where(Product.price_cents <= filters["max_price"])
    if filters["min_rating"] is not None:
        query = query.where(Product.rating >= filters["min_rating"])
    for name in PLANT_FILTERS:
        if filters[name]:
            query = query.where(getattr(Product, name) == filters[name])
    if filters["pet_safe"]:
        query = query.where(Product.pet_safe == True)  # noqa: E712 (peewee builds SQL from ==)
    if filters["availability"] == "in_stock":
        query = query.where(Product.stock > 0)
    elif filters["availability"] == "out_of_stock":
        query = query.where(Product.stock == 0)
    # Every key of an ORDER BY runs in one direction, so the index (which ends in the id) can be
    # read backwards or forwards instead of sorting 100,000 rows.
    order = {
        "price_asc": [Product.price_cents.asc(), Product.id.asc()],
        "price_desc": [Product.price_cents.desc(), Product.id.desc()],
        "rating": [Product.rating.desc(), Product.rating_count.desc(), Product.id.desc()],
        "newest": [Product.created_at.desc(), Product.id.desc()],
    }.get(filters["sort"]) or relevance or [Product.rating_count.desc(), Product.id.desc()]
    return query.order_by(*order)


def page_url(filters, page):
    """The catalogue URL for the same filters on another page."""
    args = {key: value for key, value in filters.items()
            if key != "page" and value not in (None, "", [], "any", "relevance", False)}
    if args.get("pet_safe"):
        args["pet_safe"] = "1"
    if page > 1:
        args["page"] = page
    for key in ("min_price", "max_price"):
        if key in args:
            args[key] = f"{args[key] / 100:g}"
    return url_for("catalog.products", **args)


COUNT_CAP = 1000


def count_up_to(query, cap=COUNT_CAP):
    """How many products match, counting no further than `cap` when it is given (an exact count
    of the whole catalogue is a scan of 100,000 rows that the page itself never needs)."""
    query = query.order_by().select(Product.id)
    return (query.limit(cap + 1) if cap else query).count()


def all_categories():
    """Every category, in shelf order."""
    return list(Category.select().order_by(Category.position, Category.name))


def page_of(query, offset, limit, count_all):
    """One page of the query's products, in order, and how many products match in all.

    Two steps: first the ids of the page, then those rows. Sorting only (id, sort keys) lets
    MariaDB sort thousands of search matches without dragging their descriptions along (28 ms
    against 18 ms for "fern" at 100,000 products). A search has to look at every match to rank
    it anyway, so COUNT(*) OVER () counts them in the same pass (`count_all`); without one, the
    count is capped instead. Returns (products, total or None when the page is past the end).
    """
    columns = [Product.id] + ([fn.COUNT(SQL("*")).over()] if count_all else [])
    rows = list(query.select(*columns).limit(limit).offset(offset).tuples())
    if not rows:
        return [], None
    by_id = {product.id: product for product in Product.select().where(Product.id.in_([row[0] for row in rows]))}
    return [by_id[row[0]] for row in rows], (rows[0][1] if count_all else None)


def catalogue_context():
    """Everything the catalogue page and its results fragment need, from the query string."""
    filters, messages = parse_filters(request.args)
    searching = bool(parse_query(filters["q"]))
    if filters["q"] and not searching:
        messages.append("Search for plants with letters or digits, like “fern” or “FH-10042”.")
    per_page = current_app.config["PRODUCTS_PER_PAGE"]
    categories = all_categories()
    query = filtered_products(filters, categories)
    page = filters["page"]
    # One row more than a page tells whether a next page exists.
    rows, total = page_of(query, (page - 1) * per_page, per_page + 1, count_all=searching)
    products, has_next = rows[:per_page], len(rows) > per_page
    by_id = {category.id: category for category in categories}
    for product in products:
        product.category = by_id[product.category_id]  # no query per card
    if total is None:  # a page past the end, or not a search
        total = count_up_to(query, cap=None if searching else COUNT_CAP)
    capped = total > COUNT_CAP and not searching
    return {
        "filters": filters, "messages": messages, "products": products,
        "total": min(total, COUNT_CAP) if capped else total, "total_capped": capped,
        "page": page, "pages": None if capped else max(1, math.ceil(total / per_page)),
        "next_url": page_url(filters, page + 1) if has_next else None,
        "categories": categories,
        "sorts": SORTS, "availability_options": AVAILABILITY, "plant_filters": PLANT_FILTERS,
    }


def render_catalogue():
    """The catalogue page or its results fragment, pushing the tidy URL of the first page."""
    context = catalogue_context()
    response = make_response(render_page_or_fragment(
        "templates/catalog/index.html", "partials/catalog/results.html", **context))
    if context["page"] == 1:
        # The browser's address bar shows /products?q=fern, not every empty form field.
        set_push_url(response, page_url(context["filters"], 1))
        if is_fragment_request():  # new results: the category counts of the filter panel follow
            response.headers["HX-Trigger-After-Settle"] = "catalogue-changed"
    return response


@bp.get("/")
def index():
    """The home page: the whole catalogue with its filters."""
    return render_catalogue()


@bp.get("/products")
def products():
    """The catalogue filtered by the query string; a fragment for htmx, else the page."""
    return render_catalogue()


def category_counts(filters, categories):
    """How many products each category holds for the search and every filter but the category
    one (the counts beside the category boxes say what ticking one would show): {slug: count}.

    With a search or filter, the category is grouped as `category_id + 0`: otherwise MariaDB and
    SQLite walk the whole category index to skip a sort and look up every row (115 ms for
    "FH-5" at 100,000 products) instead of reading only the matches (18 ms).
    """
    others = {**filters, "category": []}
    defaults = parse_filters(MultiDict())[0]
    narrowed = any(others[key] != defaults[key] for key in defaults if key not in ("category", "sort", "page"))
    group = Product.category + 0 if narrowed else Product.category
    rows = (filtered_products(others, categories).order_by(SQL("NULL"))
            .select(group.alias("category_id"), fn.COUNT(SQL("*"))).group_by(group).tuples())
    by_id = dict(rows)
    return {category.slug: by_id.get(category.id, 0) for category in categories}


@bp.get("/products/category-counts")
def counts():
    """Fragment: the count beside each category box, for the catalogue's current search.

    The filter panel asks for it when the page loads and whenever a first page of results comes
    in (the event catalogue-changed), so the grid never waits for the counts; the answer swaps
    the counts out of band.
    """
    if not is_fragment_request():
        return redirect(url_for("catalog.products", **request.args.to_dict(flat=False)), code=303)
    filters, _ = parse_filters(request.args)
    categories = all_categories()
    return render_template("partials/catalog/category_counts.html", categories=categories,
                           counts=category_counts(filters, categories))


def get_product_or_404(sku):
    """The product with this SKU (any letter case), or a 404."""
    product = (Product.select(Product, Category).join(Category)
               .where(Product.sku == sku.strip().upper()[:16]).first())
    if product is None:
        abort(404)
    return product


@bp.get("/products/<sku>")
def product(sku):
    """One product: picture, description, care, price and availability."""
    item = get_product_or_404(sku)
    related = (Product.select(Product, Category).join(Category)
               .where(Product.category == item.category, Product.id != item.id, Product.stock > 0)
               .order_by(Product.rating_count.desc()).limit(4))
    from .reviews import reviews_context

    return render_template("templates/catalog/product.html", related=list(related), **reviews_context(item))


@bp.get("/products/<sku>/picture.svg")
def picture(sku):
    """The product's SVG illustration, cached by browsers for a day."""
    item = get_product_or_404(sku)
    svg = product_svg(item.sku, item.name, item.category.slug, item.size, item.keywords)
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
