"""Searches that name a shelf come from the shelf's index (shop/catalog/shelves.py): the same products,
in the same order, with the same count and category counts as the general query, on both engines."""
import pytest

from shop.catalog.filters import default_filters
from shop.catalog.listing import all_categories, category_counts, filtered_products, page_for, page_of
from shop.catalog.shelves import named_shelf
from shop.db import database
from shop.models import Product
from shop.seeding import generate_products

SHELF_QUERIES = ["ferns", "fern", "Succulents & Cacti", "cactus", "cacti", "house", "plant", "planters", "palms",
                 "herbs", "tools", "soil", "care", "tro", "trees shrubs"]


@pytest.fixture
def catalogue(seeded):
    with database.connection_context():
        generate_products(700, seed=11)
        Product.update(hidden=True).where(Product.id.in_(list(range(17, 2000, 17)))).execute()  # never counted
    return seeded


def general(filters, categories, offset, limit):
    """The general query's page: ids and count."""
    return page_of(filtered_products(filters, categories), offset, limit, True)


@pytest.mark.parametrize("text", SHELF_QUERIES)
def test_a_shelf_search_gives_what_the_general_query_gives(catalogue, text):
    with database.connection_context():
        categories = all_categories()
        filters = {**default_filters(), "q": text}
        assert named_shelf(filters, categories) is not None  # the shelf's index answers
        first, total = page_for(filters, categories, 0, 25, True)
        assert len(first) == 25 and total > 50
        for offset in (0, 24, 48, total - 10, total + 5):  # the last page and one past the end too
            assert page_for(filters, categories, offset, 25, True) == general(filters, categories, offset, 25), offset
        # the counts beside the categories: every match, by category
        matches = filtered_products(filters, categories).order_by()
        expected = {category.slug: matches.where(Product.category == category.id).count() for category in categories}
        assert category_counts(filters, categories) == expected


def test_a_word_names_its_shelf_even_as_a_singular(catalogue):
    with database.connection_context():
        categories = all_categories()
        by_slug = {category.slug: category.id for category in categories}
        for text, shelf in (("cactus", "succulents-cacti"), ("house", "flowering"),
                            ("fern", "ferns"), ("palm", "palms")):
            found = filtered_products({**default_filters(), "q": text}, categories)
            on_shelf = Product.select().where(Product.category == by_slug[shelf], Product.hidden == False)  # noqa: E712
            assert set(on_shelf) <= set(found), text


def test_anything_else_is_answered_by_the_general_query(catalogue):
    with database.connection_context():
        categories = all_categories()
        for extra in ({"sort": "price_asc"}, {"max_price": 2000}, {"availability": "in_stock"},
                      {"q": "fern pots"}, {"q": "monstera"}, {"q": "fe"}, {"q": "FH-10001"}):
            filters = {**default_filters(), "q": "ferns", **extra}
            assert named_shelf(filters, categories) is None, extra
        deep = {**default_filters(), "q": "ferns"}  # past the shelf path's depth: the general query answers
        assert page_for(deep, categories, 600, 25, True) == general(deep, categories, 600, 25)


def test_a_shelf_word_with_other_filters_gives_the_same_either_way(catalogue, monkeypatch):
    """MariaDB lists a shelf word's own matches by id, or joins them as a UNION when there are thousands:
    both give the same products in the same order (and with the filters the shelf path never applies)."""
    from shop.catalog import search

    with database.connection_context():
        categories = all_categories()
        for text in ("ferns", "plant", "house", "cactus"):
            filters = {**default_filters(), "q": text, "sort": "price_asc", "max_price": 5000}
            listed = general(filters, categories, 0, 60)
            monkeypatch.setattr(search, "MAX_LISTED_MATCHES", 0)
            joined = general(filters, categories, 0, 60)
            monkeypatch.undo()
            assert listed == joined and listed[1] > 10, text
