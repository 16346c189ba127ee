"""The catalogue's queries: the filtered products, one page of them, how many, and counts per category.

Every function takes plain values (filters from catalog.filters, categories) and returns rows.
"""
from types import SimpleNamespace

from peewee import SQL, fn

from ..models import Category, Product
from .filters import PLANT_FILTERS
from .search import parse_query, search
from .shelves import named_shelf, shelf_counts, shelf_page
from .spelling import suggest

COUNT_CAP = 1000


def filtered_products(filters, categories):
    """The products query for the filters: search text through catalog/search.py, then each filter.

    Categories are matched by id, not joined: with a join, MariaDB's planner likes to start from
    the 11 categories and sort 100,000 products in a temporary table (330 ms instead of 5 ms).
    """
    query = Product.select().where(Product.hidden == False)  # noqa: E712 (hidden by staff: not listed)
    query, relevance = search(query, filters["q"], categories)
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


def count_up_to(query, cap=COUNT_CAP):
    """How many products match, counting no further than `cap` when it is given (an exact count
    of the whole catalogue is a scan of 100,000 rows that the page itself never needs)."""
    query = query.order_by().select(Product.id)
    return (query.limit(cap + 1) if cap else query).count()


def all_categories():
    """Every category, in shelf order."""
    return list(Category.select().order_by(Category.position, Category.name))


def page_of(query, offset, limit, count_all):
    """The ids of one page of the query's products, in order, and how many products match in all.

    Only (id, sort keys) are sorted: MariaDB sorts thousands of search matches without dragging their
    descriptions along (28 ms against 18 ms for "fern" at 100,000 products). A search has to look at
    every match to rank it anyway, so COUNT(*) OVER () counts them in the same pass (`count_all`);
    without one, the count is capped instead. Returns (ids, total or None when the page is past the end).
    """
    columns = [Product.id] + ([fn.COUNT(SQL("*")).over()] if count_all else [])
    rows = list(query.select(*columns).limit(limit).offset(offset).tuples())
    if not rows:
        return [], None
    return [row[0] for row in rows], (rows[0][1] if count_all else None)


def page_for(filters, categories, offset, limit, count_all):
    """The ids of one page of the catalogue for the filters and how many match, as page_of() answers.
    A search that names a shelf and nothing else comes from the shelf's index (catalog/shelves.py)."""
    shortcut = named_shelf(filters, categories)
    found = shelf_page(*shortcut, offset, limit) if shortcut else None
    if found is None:
        return page_of(filtered_products(filters, categories), offset, limit, count_all)
    ids, total = found
    return (ids, total) if ids else ([], None)  # past the end, as page_of() says it


def find(filters, categories, per_page):
    """What the catalogue shows for the filters: {"ids": the page's product ids in order, "total": how
    many match, "has_next", "q": the search shown, which is the typed one or, when that found nothing,
    its spelling correction (catalog/spelling.py)}. Plain values only, so the answer can be kept
    (catalog/answers.py); the rows themselves are read fresh for every request (products_in_order)."""
    searching = bool(parse_query(filters["q"]))
    page = filters["page"]
    # One row more than a page tells whether a next page exists.
    ids, total = page_for(filters, categories, (page - 1) * per_page, per_page + 1, count_all=searching)
    shown = filters
    if searching and total is None and page == 1 and not filters["exact"]:
        better = suggest(filters["q"])  # nothing found: the closest catalogue words, if they find something
        if better:
            alternative = {**filters, "q": better}
            alt_ids, alt_total = page_for(alternative, categories, 0, per_page + 1, count_all=True)
            if alt_ids:
                shown, ids, total = alternative, alt_ids, alt_total
    if total is None:  # a page past the end, or not a search
        total = count_up_to(filtered_products(shown, categories), cap=None if searching else COUNT_CAP)
    return {"ids": tuple(ids[:per_page]), "total": total, "has_next": len(ids) > per_page, "q": shown["q"]}


def products_in_order(ids, categories):
    """What the cards of these products show (catalog/cards.py), in the order of `ids`, each with its
    category: light records, not models, as 24 model instances cost more than the query."""
    shown = (Product.id, Product.sku, Product.name, Product.latin_name, Product.category, Product.rating,
             Product.rating_count, Product.price_cents, Product.stock)
    rows = Product.select(*shown).where(Product.id.in_(list(ids) or [0])).dicts()
    shelves = {category.id: category for category in categories}
    by_id = {row["id"]: SimpleNamespace(**{**row, "category": shelves[row["category"]]}) for row in rows}
    return [by_id[product_id] for product_id in ids if product_id in by_id]  # one deleted meanwhile: left out


def counts_for(filters, categories):
    """The category counts for the filters, following the grid to the spelling correction when the
    typed search finds nothing (as find() does): {slug: count}."""
    counts = category_counts(filters, categories)
    if filters["q"] and not filters["exact"] and not any(counts.values()):
        better = suggest(filters["q"])
        if better:
            counts = category_counts({**filters, "q": better}, categories)
    return counts


def counts_capped(filters):
    """True when category_counts() counts each shelf only up to COUNT_CAP: no search text, no plant filter."""
    return not parse_query(filters["q"]) and not any(filters[name] for name in (*PLANT_FILTERS, "pet_safe"))


def category_counts(filters, categories):
    """How many products each category holds for the search and every filter but the category
    one (the counts beside the category boxes say what ticking one would show): {slug: count}.

    A search's matches are counted exactly, grouped as `category_id + 0`: otherwise MariaDB and SQLite
    walk the whole category index to skip a sort and look up every row (115 ms for "FH-5" at 100,000
    products) instead of reading only the matches (18 ms). Without search text or a plant filter, each
    shelf is counted only up to COUNT_CAP (shown "1,000+"), as the catalogue's own total is, from the
    shelf indexes (migration 0011): counting "in stock" exactly meant reading 92,000 rows (43 ms on SQLite,
    32 ms on MariaDB at 100,000 products; now 2 and 9 ms). The plant filters (light, difficulty, size, pet
    safe) have no index: they are counted in one pass, as a search is (a shelf of pots would otherwise be
    read whole to find no match).
    """
    others = {**filters, "category": []}
    shortcut = named_shelf(others, categories)
    if shortcut:
        by_id = shelf_counts(*shortcut, categories)
        return {category.slug: by_id.get(category.id, 0) for category in categories}
    matches = filtered_products(others, categories).order_by(SQL("NULL"))
    if counts_capped(others):  # a shelf index answers each (category_id, hidden, then stock, rating or price)
        return {category.slug: count_up_to(matches.where(Product.category == category.id))
                for category in categories}
    group = Product.category + 0
    by_id = dict(matches.select(group.alias("category_id"), fn.COUNT(SQL("*"))).group_by(group).tuples())
    return {category.slug: by_id.get(category.id, 0) for category in categories}


def find_product(sku, include_hidden=False):
    """The product with this SKU (any letter case) and its category, or None (also when staff hid
    it, unless include_hidden)."""
    query = Product.select(Product, Category).join(Category).where(Product.sku == sku.strip().upper()[:16])
    if not include_hidden:
        query = query.where(Product.hidden == False)  # noqa: E712
    return query.first()


def related_products(product, limit=4):
    """Other plants of the same category in stock, most reviewed first."""
    return list(Product.select(Product, Category).join(Category)
                .where(Product.category == product.category, Product.id != product.id, Product.stock > 0,
                       Product.hidden == False)  # noqa: E712
                .order_by(Product.rating_count.desc()).limit(limit))


def products_per_guide():
    """How many products each care guide covers: {guide id: count}."""
    return dict(Product.select(Product.guide, fn.COUNT(Product.id))
                .where(Product.guide.is_null(False), Product.hidden == False)  # noqa: E712
                .group_by(Product.guide).tuples())
