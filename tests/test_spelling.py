"""Did you mean: a misspelt search shows the plants of the closest catalogue words (both engines)."""
import re

import pytest

from shop.catalog import spelling
from shop.db import database
from shop.models import Product

from .helpers import HX


@pytest.fixture
def catalogue(seeded):
    """The seed catalogue, with the cached vocabulary of an earlier test forgotten."""
    spelling.forget()
    return seeded


def names(client, query, **params):
    """The product names of a search's fragment, and the fragment."""
    html = client.get("/products", query_string={"q": query, **params}, headers=HX).get_data(as_text=True)
    return re.findall(r'class="card-title"[^>]*>\s*<a[^>]*>([^<]+)<', html) or \
        re.findall(r'class="card-title[^"]*"[^>]*>([^<]+)<', html), html


@pytest.mark.parametrize("typed, shown", [
    ("monstrea", "monstera"),          # two letters swapped
    ("monstra", "monstera"),           # a letter missing
    ("monsstera", "monstera"),         # a letter doubled
    ("lavendar", "lavender"),          # a wrong vowel
    ("boston fren", "boston fern"),    # two words, one wrong
])
def test_a_misspelt_search_shows_the_closest_words(catalogue, client, typed, shown):
    assert spelling.suggest(typed) == shown
    _, html = names(client, typed)
    assert f"here are the plants for <strong>{shown}</strong>" in html
    assert f"Search instead for “{typed}”" in html and "0 products" not in html
    exact = re.search(r'href="([^"]+exact=1[^"]*)"', html).group(1).replace("&amp;", "&")
    literal = client.get(exact, headers=HX).get_data(as_text=True)
    assert "0 products" in literal and "here are the plants for" not in literal


@pytest.mark.parametrize("typed", ["monstera", "mons", "monst", "basil", "boston fern", "fern", "xqzvkw", "FH-10042",
                                   "lavender hidcote"])
def test_a_correct_word_or_a_prefix_is_never_corrected(catalogue, client, typed):
    assert spelling.suggest(typed) is None
    assert "here are the plants for" not in names(client, typed)[1]


def test_the_page_without_javascript_says_it_too(catalogue, client):
    html = client.get("/products?q=monstrea").get_data(as_text=True)
    assert "here are the plants for <strong>monstera</strong>" in html and "Monstera Deliciosa" in html
    assert 'value="monstrea"' in html  # the search box keeps what was typed


def test_the_vocabulary_follows_the_catalogue(catalogue, client, monkeypatch):
    assert spelling.suggest("zanzibarr") is None
    monkeypatch.setattr(spelling, "RECHECK_SECONDS", 0)
    with database.connection_context():
        Product.update(name="Zanzibar Gem").where(Product.sku == "FH-10007").execute()
        Product.update(hidden=True).where(Product.sku == "FH-10001").execute()
        Product.insert(sku="FH-19999", name="Filler", category=Product.get(Product.sku == "FH-10007").category,
                       price_cents=100, stock=1, description="x").execute()  # a new product: a new version
    # the version moved: this answer still comes from the vocabulary the worker has, while a thread
    # builds the new one (no request waits for a build but a worker's first)
    assert spelling.suggest("zanzibarr") is None
    spelling.settle()
    assert spelling.suggest("zanzibarr") == "zanzibar"
    assert spelling.suggest("monstrea") != "monstera"  # hidden products leave the vocabulary


def test_a_moved_version_starts_one_build_at_most_every_recheck(catalogue, monkeypatch):
    spelling.vocabulary()
    builds = []
    monkeypatch.setattr(spelling, "rebuild", lambda version, db=None: builds.append(version))
    monkeypatch.setattr(spelling, "RECHECK_SECONDS", 3600)
    spelling._cache["started"] = float("-inf")
    with database.connection_context():
        Product.update(price_cents=101, stock=0).where(Product.sku == "FH-10007").execute()
        spelling.vocabulary()
        assert builds == []  # a price or a sale changes no word: nothing to build
        for name in ("Zanzibar Gem", "Zanzibar Gem 2", "Zanzibar Gem 3"):
            Product.update(name=name).where(Product.sku == "FH-10007").execute()
            spelling.vocabulary()
            spelling.settle()
    assert len(builds) == 1  # three renames within the hour: one build, for the first


def test_the_category_counts_follow_the_corrected_search(catalogue, client):
    counts = client.get("/products/category-counts?q=monstrea", headers=HX).get_data(as_text=True)
    assert re.search(r'id="count-tropicals"[^>]*>\s*1\s*<', counts)
    exact = client.get("/products/category-counts?q=monstrea&exact=1", headers=HX).get_data(as_text=True)
    assert re.search(r'id="count-tropicals"[^>]*>\s*0\s*<', exact)


@pytest.mark.parametrize("typed, shown, guide", [
    ("humidty", "humidity", "Calatheas and prayer plants"),   # a letter missing
    ("cactsu", "cactus", "Cacti, from desert barrels"),        # two letters swapped
    ("repoting humidity", "repotting humidity", "Calatheas and prayer plants"),
])
def test_the_guides_search_corrects_typos_too(seeded, client, typed, shown, guide):
    html = client.get("/guides", query_string={"q": typed}, headers=HX).get_data(as_text=True)
    assert f"here are the guides for <strong>{shown}</strong>" in html and guide in html
    assert "No guide mentions" not in html
    exact = re.search(r'href="([^"]+exact=1[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "No guide mentions" in client.get(exact, headers=HX).get_data(as_text=True)
    page = client.get("/guides", query_string={"q": typed}).get_data(as_text=True)  # without JavaScript
    assert f"here are the guides for <strong>{shown}</strong>" in page and f'value="{typed}"' in page


def test_a_guide_word_or_its_start_is_never_corrected(seeded, client):
    for typed in ("humidity", "humid", "watering", "zzzzq"):
        html = client.get("/guides", query_string={"q": typed}, headers=HX).get_data(as_text=True)
        assert "here are the guides for" not in html
