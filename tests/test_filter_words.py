"""Filter words in the search box ("pet safe fern", "under $20"): the filters they set, on both databases,
the chips that show every filter on, and the way back to searching the words as typed."""
import re
from html import unescape

import pytest

from shop.catalog.filter_words import read_filter_words
from shop.db import database
from shop.models import Category, Product

from .helpers import HX
from .test_search import names


@pytest.mark.parametrize("text, rest, found", [
    ("pet safe", "", {"pet_safe": True}),
    ("pet safe fern", "fern", {"pet_safe": True}),
    ("Fern PET-SAFE", "Fern", {"pet_safe": True}),
    ("low light easy", "", {"light": "low", "difficulty": "easy"}),
    ("easy care palm", "palm", {"difficulty": "easy"}),
    ("in stock ferns", "ferns", {"availability": "in_stock"}),
    ("under $20", "", {"max_price": 2000}),
    ("fern under 12.50", "fern", {"max_price": 1250}),
    ("over $30 palm", "palm", {"min_price": 3000}),
    ("pot under 20 cm", "pot under 20 cm", {}),  # a size, not a price
    ('"pet safe" fern', '"pet safe" fern', {}),  # in quotes: the words themselves
    ("uneasy", "uneasy", {}),  # only whole words
    ("monstera", "monstera", {}),
    ("under $٢٠", "under $٢٠", {}),  # ASCII digits only, as every number the shop reads
    ("under ２０", "under ２０", {}),
    ("", "", {}),
])
def test_read_filter_words(text, rest, found):
    assert read_filter_words(text) == (rest, found)


def visible(*conditions):
    """The names of the products in the shop matching the conditions (the database's own answer)."""
    with database.connection_context():
        query = Product.select(Product.name).where(Product.hidden == False, *conditions)  # noqa: E712
        return {name for (name,) in query.tuples()}


def test_pet_safe_finds_exactly_the_pet_safe_products(seeded, client):
    found = names(client, "pet safe")
    assert set(found) == visible(Product.pet_safe == True) and len(found) == len(set(found)) > 20  # noqa: E712
    assert found == names(client, "", pet_safe="1")  # the same products in the same order as the checkbox


def test_pet_safe_fern_is_pet_safe_and_fern(seeded, client):
    found = names(client, "pet safe fern")
    assert found and set(found) == set(names(client, "fern")) & visible(Product.pet_safe == True)  # noqa: E712
    assert found == names(client, "fern", pet_safe="1")
    assert "Boston Fern" in found and "Asparagus Fern" not in found  # asparagus fern is toxic to pets


def test_under_20_dollars_is_a_price_of_at_most_20(seeded, client):
    found = names(client, "under $20")
    assert set(found) == visible(Product.price_cents <= 2000) and found == names(client, "", max_price="20")
    assert set(names(client, "fern under $16")) == set(names(client, "fern")) & visible(Product.price_cents <= 1600)


def test_low_light_easy_and_in_stock(seeded, client):
    with database.connection_context():
        Product.update(stock=0).where(Product.name == "ZZ Plant").execute()
    found = set(names(client, "low light easy in stock"))
    assert found == visible(Product.light == "low", Product.difficulty == "easy", Product.stock > 0)
    assert found and "ZZ Plant" not in found and "ZZ Plant" in names(client, "low light easy")


def chips(html):
    """The chips above the results: [(label, link)]."""
    return [(unescape(re.sub(r"<[^>]+>|✕", "", label)).strip(), unescape(href))
            for href, label in re.findall(r'<a class="chip" href="([^"]+)"[^>]*>(.*?)</a>', html, re.S)]


def test_chips_show_every_filter_on_and_each_link_drops_it(seeded, client):
    html = client.get("/products", query_string={"q": "pet safe fern", "category": "ferns", "max_price": "40"},
                      headers=HX).get_data(as_text=True)
    assert chips(html) == [
        ("Ferns", "/products?q=fern&max_price=40&pet_safe=1"),
        ("Up to $40", "/products?q=fern&category=ferns&pet_safe=1"),
        ("Safe for cats and dogs", "/products?q=fern&category=ferns&max_price=40"),
    ]
    assert 'hx-boost="true"' in html  # htmx swaps the page, search box and filter panel included
    without = client.get("/products?q=fern&category=ferns&max_price=40").get_data(as_text=True)
    assert [label for label, _ in chips(without)] == ["Ferns", "Up to $40"]
    assert 'value="fern"' in without  # the search box holds the words left once the filter words are read
    assert chips(client.get("/products?q=fern").get_data(as_text=True)) == []


def test_the_page_without_javascript_shows_the_words_as_filters(seeded, client):
    html = client.get("/products", query_string={"q": "pet safe fern"}).get_data(as_text=True)
    assert 'id="q" form="filters" type="search" name="q" value="fern"' in html
    assert re.search(r'name="pet_safe" value="1" checked', html)
    assert chips(html) == [("Safe for cats and dogs", "/products?q=fern")]


def test_a_product_named_with_filter_words_is_one_link_away(seeded, client):
    with database.connection_context():
        Product.create(sku="FH-19001", name="Easy Care Aloe", category=Category.get(Category.slug == "succulents-cacti"),
                       price_cents=1500, stock=3, description="A hardy aloe.", difficulty="expert", light="bright",
                       pet_safe=False)
    assert "Easy Care Aloe" not in names(client, "easy care aloe")  # the words are the easy-care filter
    html = client.get("/products", query_string={"q": "easy care aloe"}, headers=HX).get_data(as_text=True)
    link = unescape(re.search(r'<a class="words-as-typed" href="([^"]+)"', html).group(1))
    assert link == "/products?q=easy+care+aloe&exact=1"
    assert "Easy Care Aloe" in names(client, "easy care aloe", exact="1")
    assert "Easy Care Aloe" in names(client, '"easy care" aloe')  # quoted words are searched as words


def test_the_counts_follow_the_filter_words(seeded, client):
    html = client.get("/products/category-counts", query_string={"q": "pet safe fern"}, headers=HX).get_data(as_text=True)
    counts = dict(re.findall(r'id="count-([\w-]+)"[^>]*>([\d,]*)<', html))
    assert int(counts["ferns"]) == len(visible(Product.pet_safe == True) & set(names(client, "fern", category="ferns")))  # noqa: E712
