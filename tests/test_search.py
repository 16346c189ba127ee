"""Search: each kind of query, on both databases, and the same answers from both engines."""
import re
from html import unescape

import pytest

from shop import create_app
from shop.catalog.search import parse_query, singular
from shop.db import database
from shop.migrations import migrate as create_schema
from shop.models import Product
from shop.seeding import generate_products, seed_catalogue

from .conftest import TEST_SECRET, close_pool
from .helpers import HX

# query -> (names that must be found, names that must not)
CASES = {
    "MONSTERA deli": ({"Monstera Deliciosa"}, set()),
    "fern": ({"Boston Fern", "Bird's Nest Fern", "Maidenhair Fern", "Staghorn Fern", "Blue Star Fern"}, {"ZZ Plant"}),
    "fern boston": ({"Boston Fern"}, {"Maidenhair Fern"}),
    "nephrolepis": ({"Boston Fern"}, {"Maidenhair Fern"}),
    "palms": ({"Kentia Palm", "Parlour Palm", "Sago Palm"}, {"Boston Fern"}),
    "succulents": ({"Aloe Vera", "Jade Plant"}, {"ZZ Plant"}),
    "FH-10042": ({"Sweet Basil"}, {"Rosemary"}),
    "fh-10042": ({"Sweet Basil"}, {"Rosemary"}),
    "10042": ({"Sweet Basil"}, {"Rosemary"}),
    "FH-1004": ({"Urn Plant", "Sweet Basil", "Rosemary", "Chives"}, {"African Violet", "ZZ Plant"}),
    "1006": ({"Brass Watering Can 1.5 L", "Aroid Mix 5 L"}, {"Sweet Basil"}),
    "nurnberg": ({"Echeveria 'Perle von Nurnberg'"}, set()),
    "the": (set(), {"Monstera Deliciosa"}),
    "z": ({"ZZ Plant", "Zebra Haworthia"}, {"Monstera Deliciosa"}),
    "fe": ({"Boston Fern", "Maidenhair Fern"}, {"Monstera Deliciosa"}),  # a word inside the name
    "zz": ({"ZZ Plant"}, {"Monstera Deliciosa"}),  # a two-letter word InnoDB does not index
    "bird's": ({"Bird's Nest Fern", "Bird of Paradise"}, set()),
    "cactus christmas": ({"Christmas Cactus"}, {"Golden Barrel Cactus"}),
    "zzzzqqq": (set(), {"ZZ Plant"}),
    # plurals find the singular too
    "orchids": ({"Moth Orchid"}, {"Peace Lily"}),
    "lilies": ({"Peace Lily"}, {"Moth Orchid"}),
    "trees": ({"Olive Tree", "Meyer Lemon Tree", "Dwarf Umbrella Tree"}, {"Boston Fern"}),
    "cacti": ({"Christmas Cactus", "Bunny Ears Cactus"}, {"Boston Fern"}),
    "pots": ({"Classic Terracotta Pot 17 cm", "Glazed Ceramic Pot 14 cm, Sage"}, {"Boston Fern"}),
    "moss": (set(), {"Monstera Deliciosa"}),  # not a plural: no "mos" to match Monstera
    "mons": ({"Monstera Deliciosa"}, {"ZZ Plant", "Chinese Money Plant"}),  # half-typed: "mon" only as a whole word
}


def names(client, query, pattern=r'<span class="card-name">([^<]+)</span>', **params):
    """The product names (or what `pattern` picks) the search fragment shows, across every page."""
    found, page = [], 1
    while True:
        html = client.get("/products", query_string={"q": query, "page": page, **params},
                          headers=HX).get_data(as_text=True)
        found += [unescape(n) for n in re.findall(pattern, html)]
        if 'id="load-more"' not in html:
            return found
        page += 1


def skus(client, query, **params):
    """The SKUs the search shows, in the order shown, across every page."""
    return names(client, query, pattern=r'<span class="sku">([^<]+)</span>', **params)


@pytest.mark.parametrize("query", list(CASES))
def test_search_cases(seeded, client, query):
    must, must_not = CASES[query]
    found = set(names(client, query))
    assert must <= found, must - found
    assert not must_not & found


def test_words_narrow_and_the_name_match_comes_first(seeded, client):
    assert names(client, "palm")[0] in {"Kentia Palm", "Parlour Palm", "Areca Palm", "Chinese Fan Palm", "Sago Palm"}
    assert set(names(client, "fern")) > set(names(client, "fern blue"))
    assert names(client, "FH-10001")[0] == "Monstera Deliciosa"
    # "succulents" is only in the keywords of most matches, but Kalanchoe's name does not have it:
    assert names(client, "aloe")[0] == "Aloe Vera"


def test_search_combines_with_filters(seeded, client):
    found = names(client, "fern", availability="in_stock", max_price="16", sort="price_asc")
    assert found == ["Asparagus Fern", "Maidenhair Fern"]


def test_a_new_product_is_searchable_at_once_and_updates_follow(seeded, client):
    with database.connection_context():
        product = Product.get(Product.sku == "FH-10001")
        Product.update(name="Swiss Cheese Vine", latin_name="Vitis caseosa").where(Product.id == product.id).execute()
    assert "Swiss Cheese Vine" in names(client, "vine") and "Swiss Cheese Vine" in names(client, "caseosa")
    assert "Swiss Cheese Vine" not in names(client, "deliciosa")  # the old words left the index
    with database.connection_context():
        Product.update(stock=0).where(Product.id == product.id).execute()  # not an indexed column
    assert "Swiss Cheese Vine" in names(client, "swiss")


def test_parse_query_reads_skus_words_and_drops_operators():
    parsed = parse_query('+mons* -"fern" (FH-100')
    assert parsed.words == ["mons", "fern"] and parsed.sku_prefixes == ["FH-100"]
    assert parse_query("the").name_prefix == "the" and not parse_query("🌵")
    assert parse_query("in monstera").words == ["monstera"]
    assert parse_query("Fe").short_word == "fe" and parse_query("f").name_prefix == "f"
    assert [singular(word) for word in parse_query("Ferns lilies boxes cacti cactus moss this pots").words] \
        == ["fern", "lily", "box", "cactus", None, None, "pot"]


@pytest.mark.parametrize("query", ["🌵", "***", "''", "\\", "%", "_", "+-~<>()\"@", "a" * 300, "SELECT * FROM users"])
def test_hostile_search_text(seeded, client, query):
    response = client.get("/products", query_string={"q": query}, headers=HX)
    assert response.status_code == 200


def build(url):
    """An app on `url` with the seed catalogue and some generated products."""
    app = create_app({"DATABASE_URL": url, "SHOP_ENV": "testing", "SECRET_KEY": TEST_SECRET})
    with app.app_context(), database.connection_context():
        create_schema()
        seed_catalogue()
        generate_products(2000, seed=7)
    return app


def test_the_count_of_a_search_is_exact(seeded, client):
    with database.connection_context():
        generate_products(300, seed=3)
    html = client.get("/products", query_string={"q": "tropicals"}, headers=HX).get_data(as_text=True)
    shown = int(re.search(r"([\d,]+) products? for", html).group(1).replace(",", ""))
    assert shown == len(skus(client, "tropicals")) > 24


def test_relevance_is_exact_sku_then_name_then_the_rest_by_popularity(seeded, client):
    with database.connection_context():
        generate_products(300, seed=3)  # generated ferns have "Ferns" only in their keywords
        fern_names = {p.sku for p in Product.select() if "fern" in p.name.lower()}
        popularity = {p.sku: (p.rating_count, p.id) for p in Product.select()}
    found = skus(client, "fern")
    tier = [0 if sku in fern_names else 1 for sku in found]
    assert tier == sorted(tier) and 0 in tier and 1 in tier  # every name match before the rest
    for group in (0, 1):
        ranked = [popularity[sku] for sku, t in zip(found, tier) if t == group]
        assert ranked == sorted(ranked, reverse=True)  # most reviewed first, then newest


def test_both_engines_give_the_same_products(make_mysql_database, tmp_path):
    # Not in the list: a short word that stands alone in a name ("10" of "Compost 10 L"). InnoDB does
    # not index tokens shorter than innodb_ft_min_token_size (3), FTS5 does; docs/SEARCH.md says so.
    queries = list(CASES) + ["mo", "ph", "philodendron", "monstera alba", "fh-2", "100", "pot", "compost",
                             "green wave", "aloe ruby", "ki", "ficus", "ep", "salvia", "o", "fe", "zz", "ca", "ferns",
                             "trees", "cacti", "lilies", "pots"]
    results = {}
    for engine, url in (("sqlite", f"sqlite:///{tmp_path / 'same.db'}"), ("mysql", make_mysql_database())):
        app = build(url)
        client = app.test_client()
        results[engine] = {query: skus(client, query) if len(query) > 1 or query == "z" else
                           skus(client, query, category="ferns") for query in queries}
        close_pool(app)
    for query in queries:  # the same products, in the same order (both rank by tiers, then popularity)
        assert results["sqlite"][query] == results["mysql"][query], query


def test_two_letters_with_filters_and_a_sort(seeded, client):
    with database.connection_context():
        generate_products(300, seed=3)
        expected = sorted((p.price_cents, p.id, p.sku) for p in Product.select()
                          if p.stock > 0 and any(word.lower().startswith("fe") for word in re.findall(r"\w+", p.name)))
    found = skus(client, "fe", availability="in_stock", sort="price_asc")
    assert found == [sku for _, _, sku in expected] and found


# Two letters, the first three results: names whose first word starts with them, then the shelf whose
# name does (so "fe" shows ferns before Liquid Plant Feed), then the rest, each by popularity.
FIRST_THREE = {
    "fe": ["Boston Fern", "Maidenhair Fern", "Bird's Nest Fern"],
    "pa": ["Parlour Palm", "Areca Palm", "Kentia Palm"],
    "ca": ["Calathea Orbifolia", "Cactus & Succulent Grit Mix 5 L", "Christmas Cactus"],
    "po": ["Classic Terracotta Pot 17 cm", "Glazed Ceramic Pot 14 cm, Sage", "Golden Pothos"],
    "tr": ["Olive Tree", "Dwarf Umbrella Tree", "Meyer Lemon Tree"],
    "mo": ["Monstera Deliciosa", "Moth Orchid", "Chinese Money Plant"],
    "st": ["String of Pearls", "String of Hearts", "Stainless Hand Trowel"],
    "fi": ["Fiddle Leaf Fig", "Fine Mist Sprayer", "Weeping Fig"],
    "pe": ["Peace Lily", "Peat-Free Houseplant Compost 10 L", "Echeveria 'Perle von Nurnberg'"],
    "ba": ["Bay Laurel", "Sweet Basil", "Golden Barrel Cactus"],
    "li": ["Liquid Plant Feed 500 ml", "Peace Lily"],
    "sn": ["Snake Plant 'Laurentii'", "Bypass Pruning Snips"],
}


@pytest.mark.parametrize("letters", list(FIRST_THREE))
def test_two_letters_rank_first_words_then_their_shelf_then_popularity(seeded, client, letters):
    assert names(client, letters)[:3] == FIRST_THREE[letters]
