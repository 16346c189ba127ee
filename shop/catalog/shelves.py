"""Searches that name a shelf ("ferns", "Succulents & Cacti", "cactus", "house"), answered from the shelf's
index instead of ranking every full-text match.

Such a search finds the shelf's products (thousands at 100,000 products) and the few off the shelf whose
own words match. Ranking them all to show 24 is what made these the slowest searches. When nothing else
narrows the catalogue and the order is relevance, the first pages come instead from:
- the shelf's visible products in popularity order, read from the index products_shelf_popularity
  (category_id, hidden, rating_count), only as many as the page needs;
- the products whose own words match (a few, in one pass over the full-text index), which says which
  have every word in their name (the first tier) and which sit off the shelf;
and the count is the shelf's size (from the same index) plus the matches off the shelf. The products and
their order are exactly those of the general query (tests/test_search.py compares the two).
"""
import heapq

from peewee import Case, fn

from ..models import Product
from .filters import default_filters
from .search import engine, parse_query, shelf_ids

DEEPEST_PAGE_ROW = 600  # past this the general query answers (a person rarely pages that far)
MAX_TEXT_MATCHES = 20000  # more matches by their own text than this: the general query ranks them


def named_shelf(filters, categories):
    """(parsed query, shelf ids) when the search is nothing but words that all name the same shelves
    and no other filter or sort applies; otherwise None."""
    defaults = default_filters()
    if any(filters[key] != defaults[key] for key in defaults if key not in ("q", "page", "exact")):
        return None
    parsed = parse_query(filters["q"])
    if not parsed.words or parsed.sku_prefixes or parsed.name_prefix or parsed.short_word:
        return None
    if any(len(word) < 3 for word in parsed.words):
        return None
    shelves = [shelf_ids(word, categories) for word in parsed.words]
    if not shelves[0] or any(shelf != shelves[0] for shelf in shelves):
        return None
    return parsed, shelves[0]


def visible():
    """Products staff have not hidden."""
    return Product.hidden == False  # noqa: E712 (peewee builds SQL from ==)


def text_matches(parsed):
    """[(id, rating_count, category id, 1 if every word is in the name else 0)] of the visible products
    whose own text (name, latin name, tags) has every word: one pass over the full-text index, at most
    MAX_TEXT_MATCHES + 1 rows."""
    in_name = Case(None, [(engine().matches(parsed.words, name_only=True), 1)], 0)
    return list(Product.select(Product.id, Product.rating_count, Product.category, in_name)
                .where(engine().matches(parsed.words), visible()).limit(MAX_TEXT_MATCHES + 1).tuples())


def shelf_page(parsed, shelf, offset, limit):
    """(product ids of one page in relevance order, how many match) or None when the general query
    should answer (a deep page, or too many matches by text)."""
    if offset + limit > DEEPEST_PAGE_ROW:
        return None
    matches = text_matches(parsed)
    if len(matches) > MAX_TEXT_MATCHES:
        return None
    named = {product_id for product_id, _count, _category, in_name in matches if in_name}
    off_shelf = [row for row in matches if row[2] not in shelf]
    named_on_shelf = sum(1 for product_id, _count, category, in_name in matches if in_name and category in shelf)
    top_of_shelf = []
    if len(named) < offset + limit:  # the name matches do not fill the page: the shelf's most popular
        # follow, enough of them even if every name match on the shelf is among them
        top_of_shelf = list(Product.select(Product.id, Product.rating_count)
                            .where(Product.category.in_(shelf), visible())
                            .order_by(Product.rating_count.desc(), Product.id.desc())
                            .limit(offset + limit + named_on_shelf).tuples())
    on_shelf = Product.select(fn.COUNT(Product.id)).where(Product.category.in_(shelf), visible()).scalar()
    rating = {**dict(top_of_shelf), **{product_id: count for product_id, count, _c, _n in matches}}
    # relevance: every word in the name first, then popularity, then newest (the general ORDER BY)
    ranked = heapq.nsmallest(offset + limit, rating,
                             key=lambda product_id: (product_id not in named, -rating[product_id], -product_id))
    return ranked[offset:], on_shelf + len(off_shelf)


def shelf_counts(parsed, shelf, categories):
    """{category id: matches} for a search naming a shelf: the shelf's size from its index, and the
    matches off the shelf grouped by their category."""
    counts = dict(Product.select(Product.category, fn.COUNT(Product.id))
                  .where(Product.category.in_(shelf), visible()).group_by(Product.category).tuples())
    for category_id, count in (Product.select(Product.category, fn.COUNT(Product.id))
                               .where(engine().matches(parsed.words), Product.category.not_in(shelf), visible())
                               .group_by(Product.category).tuples()):
        counts[category_id] = counts.get(category_id, 0) + count
    return counts
