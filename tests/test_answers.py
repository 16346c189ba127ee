"""Search answers kept until the catalogue changes (catalog/answers.py, migration 0010) and product cards
kept as HTML (catalog/cards.py), on both engines: what moves the version, what does not, that a kept answer
is really what is served until it moves, that no worker serves an answer older than a change, and that a
kept card still carries each visitor's own CSRF token and the current price and stock."""
import importlib
import re

from shop import create_app
from shop.catalog.answers import Answers
from shop.db import database, is_mysql
from shop.models import CatalogueState, Category, Product

from .conftest import TEST_SECRET, AuthActions, buy, create_user
from .helpers import HX

WATCHED = importlib.import_module("shop.migrations.0010_catalogue_version").WATCHED


def version():
    with database.connection_context():
        return CatalogueState.get_by_id(1).version


def words_version():
    with database.connection_context():
        return CatalogueState.get_by_id(1).words_version


def cards(client, query):
    """The SKUs of the cards a search shows, in order."""
    html = client.get(f"/products?{query}", headers=HX).get_data(as_text=True)
    return re.findall(r'<span class="sku">([^<]+)</span>', html)


def trigger_text():
    """The text of the triggers on products (what the database itself holds)."""
    with database.connection_context():
        if is_mysql():
            rows = database.execute_sql("SELECT action_statement FROM information_schema.triggers "
                                        "WHERE trigger_schema = DATABASE() AND event_object_table = 'products'")
        else:
            rows = database.execute_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                        "AND tbl_name = 'products' AND name LIKE '%version%'")
        return " ".join(row[0] for row in rows)


def test_the_triggers_watch_every_column_of_a_product_but_its_stock(app):
    columns = {field.column_name for field in Product._meta.sorted_fields} - {"id", "stock"}
    assert set(WATCHED) == columns  # a new column must be watched too (a migration recreates the triggers)
    text = trigger_text()
    for column in columns:
        assert re.search(rf"OLD\.`?{column}`?\b", text, re.I), column
    assert re.search(r"OLD\.`?stock`? > 0", text, re.I)  # the stock only where it crosses zero


def test_what_moves_the_version_and_what_does_not(seeded):
    with database.connection_context():
        basil = Product.get(Product.sku == "FH-10042")
        start = version()
        Product.update(stock=basil.stock - 1).where(Product.id == basil.id).execute()  # a sale: still in stock
        Product.update(description="New words").where(Product.id == basil.id).execute()
        assert version() == start + 1
        for change, words_move in (({"price_cents": 999}, False), ({"name": "Basil Genovese"}, True),
                                   ({"rating_count": 400}, False), ({"hidden": True}, True),
                                   ({"hidden": False}, True), ({"stock": 0}, False), ({"stock": 3}, False),
                                   ({"latin_name": "Ocimum basilicum 'Genovese'"}, True)):
            before, words = version(), words_version()
            Product.update(**change).where(Product.id == basil.id).execute()
            assert version() == before + 1, change
            assert words_version() == words + words_move, change  # the did-you-mean vocabulary's version
        before = version()
        Product.update(stock=2).where(Product.id == basil.id).execute()  # 3 -> 2: nothing a search answers
        assert version() == before
        Category.update(name="Kitchen Herbs").where(Category.slug == "herbs").execute()
        assert version() == before + 1


def test_an_answer_is_kept_until_the_version_moves_and_the_cards_stay_fresh(seeded, client):
    first = cards(client, "q=fern")
    assert len(first) > 3
    with database.connection_context():
        kept = version()
        fern = Product.get(Product.sku == first[0])
        Product.update(name="Zanzibar Gem", price_cents=12345).where(Product.id == fern.id).execute()
        # the version moved; put it back, as if the change had not been seen: the kept answer is served
        CatalogueState.update(version=kept).where(CatalogueState.id == 1).execute()
    html = client.get("/products?q=fern", headers=HX).get_data(as_text=True)
    assert re.findall(r'<span class="sku">([^<]+)</span>', html) == first  # the kept ids...
    assert "Zanzibar Gem" in html and "$123.45" in html  # ...with the rows read fresh
    with database.connection_context():
        CatalogueState.update(version=kept + 1).where(CatalogueState.id == 1).execute()
    again = cards(client, "q=fern")  # the version moved: the search is asked again, and the plant,
    assert again != first and again[0] != fern.sku  # on the Ferns shelf but no longer named so, ranks lower
    assert cards(client, "q=zanzibar")[0] == fern.sku  # (the ZZ plant, Zamioculcas, follows)


def test_no_worker_serves_an_answer_older_than_a_change(seeded, database_url, app):
    """Two apps are two workers, each with its own kept answers: a change through one is seen by both."""
    other = create_app({"TESTING": True, "SHOP_ENV": "testing", "SECRET_KEY": TEST_SECRET,
                        "DATABASE_URL": database_url, "MAIL_BACKEND": "outbox", "ARGON2_PROFILE": "fast"})
    one, two = app.test_client(), other.test_client()
    for client in (one, two):
        assert "FH-10042" in cards(client, "q=basil")
        assert "FH-10042" in cards(client, "availability=in_stock&category=herbs&sort=price_asc")
    with database.connection_context():
        basil = Product.get(Product.sku == "FH-10042")
        Product.update(stock=2).where(Product.id == basil.id).execute()
    buy(app, create_user(), [(basil.id, 2)])  # the last ones sold: out of "in stock"
    for client in (one, two):
        assert "FH-10042" not in cards(client, "availability=in_stock&category=herbs&sort=price_asc")
        assert "FH-10042" in cards(client, "availability=out_of_stock&category=herbs")
    herbs = {client: herb_count(client) for client in (one, two)}
    with database.connection_context():
        Product.update(hidden=True).where(Product.id == basil.id).execute()
    for client in (one, two):
        assert "FH-10042" not in cards(client, "q=basil")
        assert herb_count(client) == herbs[client] - 1


def herb_count(client):
    """The count beside the Herbs box for a search for basil."""
    counts = client.get("/products/category-counts?q=basil", headers=HX).get_data(as_text=True)
    return int(re.search(r'id="count-herbs" hx-swap-oob="true">(\d+)<', counts).group(1))


def test_a_sale_that_leaves_stock_shows_at_once_on_a_kept_answer(seeded, client, app):
    assert "FH-10042" in cards(client, "q=basil")
    kept = version()
    with database.connection_context():
        basil = Product.get(Product.sku == "FH-10042")
    buy(app, create_user(balance_cents=1500_00), [(basil.id, basil.stock - 2)])
    assert version() == kept  # nothing a search answers changed...
    html = client.get("/products?q=basil", headers=HX).get_data(as_text=True)
    assert "Only 2 left" in html  # ...but the card says what is left


def test_a_kept_card_carries_each_visitors_own_token(seeded, app):
    alice, bob = app.test_client(), app.test_client()
    forms = {}
    for name, client in (("alice", alice), ("bob", bob)):
        html = client.get("/products?q=basil", headers=HX).get_data(as_text=True)
        tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', html))
        assert len(tokens) == 1 and "csrf-token-of-this-visitor" not in html
        forms[name] = tokens.pop()
    assert forms["alice"] != forms["bob"]
    create_user(username="alice", email="alice@example.com")
    AuthActions(alice).login("alice")
    token = re.search(r'name="csrf_token" value="([^"]+)"', alice.get("/products?q=basil").get_data(as_text=True))
    added = alice.post("/cart/add", data={"sku": "FH-10042", "quantity": "1", "csrf_token": token.group(1)})
    assert added.status_code in (200, 303)
    assert "Sweet Basil" in alice.get("/cart").get_data(as_text=True)  # the card's token was accepted


def test_a_product_named_like_the_token_stand_in_is_shown_as_written(seeded, client):
    with database.connection_context():
        Product.update(name="<csrf-token-of-this-visitor> Fern").where(Product.sku == "FH-10025").execute()
    html = client.get("/products?q=FH-10025", headers=HX).get_data(as_text=True)
    assert "&lt;csrf-token-of-this-visitor&gt; Fern" in html  # escaped, and not swapped for the token
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert html.count(token) == 1 and len(token) > 20


def test_kept_answers_are_bounded_and_forgotten_when_the_version_moves():
    answers = Answers(size=2)
    assert answers.get(1, "a") is None
    answers.put(1, "a", "A")
    answers.put(1, "b", "B")
    assert answers.get(1, "a") == "A"  # now the most recently used
    answers.put(1, "c", "C")
    assert answers.get(1, "b") is None and answers.get(1, "a") == "A" and answers.get(1, "c") == "C"
    answers.put(0, "d", "D")  # computed at an older version: not kept
    assert answers.get(2, "a") is None  # a new version forgets everything
    assert answers.get(2, "c") is None and len(answers.entries) == 0


def test_counts_without_search_text_stop_at_the_cap_and_say_so(seeded, client, monkeypatch):
    """Without search text each shelf is counted from its index up to COUNT_CAP, shown "n+"; a search's
    matches are counted exactly (monkeypatched cap: the seed catalogue has 68 products)."""
    from shop.catalog import listing, views

    monkeypatch.setattr(listing, "COUNT_CAP", 5)
    monkeypatch.setattr(views, "COUNT_CAP", 5)
    with database.connection_context():
        sizes = {category.slug: Product.select().where(Product.category == category.id,
                                                       Product.hidden == False).count()  # noqa: E712
                 for category in Category.select()}
        in_stock = {category.slug: Product.select().where(Product.category == category.id, Product.stock > 0,
                                                          Product.hidden == False).count()  # noqa: E712
                    for category in Category.select()}
    assert max(sizes.values()) > 5 and min(sizes.values()) <= 5  # both kinds of shelf are there
    for query, expected in (("", sizes), ("availability=in_stock&category=ferns", in_stock)):
        html = client.get(f"/products/category-counts?{query}", headers=HX).get_data(as_text=True)
        shown = dict(re.findall(r'id="count-([\w-]+)" hx-swap-oob="true">([^<]+)<', html))
        assert shown == {slug: "5+" if count > 5 else str(count) for slug, count in expected.items()}
    for query in ("q=plant", "light=bright", "pet_safe=1"):  # a search's counts, and a plant filter's, are exact
        html = client.get(f"/products/category-counts?{query}", headers=HX).get_data(as_text=True)
        assert "+<" not in html and re.search(r'hx-swap-oob="true">([6-9]|\d\d+)<', html), query
