"""The catalogue pages and fragments, on both databases."""
import re
from html import unescape
from xml.etree import ElementTree

import pytest

from shop import create_app

from .conftest import TEST_SECRET, free_port
from .helpers import HX


def card_names(html):
    """The product names shown on the cards of a page or fragment."""
    return [unescape(name) for name in re.findall(r'<span class="card-name">([^<]+)</span>', html)]


def test_home_shows_the_catalogue(seeded, client):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" in html and 'name="csrf-token"' in html
    assert "68 products" in html
    assert len(card_names(html)) == 24
    assert "ZZ Plant" in card_names(html)  # featured: in stock, most reviewed first
    assert "FH-10007" in html and "Zamioculcas zamiifolia" in html and "$24.00" in html
    assert 'href="/products?page=2"' in html  # the real link under "Show more"


def test_fragment_for_htmx_whole_page_otherwise(seeded, client):
    fragment = client.get("/products?q=fern", headers=HX)
    page = client.get("/products?q=fern")
    assert fragment.status_code == page.status_code == 200
    fragment_html = fragment.get_data(as_text=True)
    assert fragment_html.strip().startswith('<section id="results"') and "<html" not in fragment_html
    assert "<html" in page.get_data(as_text=True)
    assert card_names(fragment_html) == card_names(page.get_data(as_text=True))
    assert "HX-Request" in fragment.headers["Vary"] and "HX-Request" in page.headers["Vary"]
    assert len(fragment.data) < len(page.data) - 5000  # no header, filters or footer in the fragment


@pytest.mark.parametrize("extra", [{"HX-History-Restore-Request": "true"}, {"HX-Boosted": "true"}])
def test_history_restore_and_boosted_requests_get_the_whole_page(seeded, client, extra):
    response = client.get("/products?q=fern", headers={**HX, **extra})
    assert "<html" in response.get_data(as_text=True)


@pytest.mark.parametrize("query, expected, absent", [
    ("category=ferns", {"Boston Fern", "Maidenhair Fern"}, {"ZZ Plant"}),
    ("category=ferns&category=palms", {"Boston Fern", "Kentia Palm"}, {"ZZ Plant"}),
    ("min_price=50&max_price=60", {"Bird of Paradise", "Meyer Lemon Tree"}, {"ZZ Plant", "Kentia Palm"}),
    ("min_rating=4.8&category=tropicals", {"ZZ Plant", "Monstera Deliciosa"}, {"Fiddle Leaf Fig"}),
    ("availability=out_of_stock", {"Elephant Ear 'Polly'", "String of Pearls"}, {"ZZ Plant"}),
    ("q=FH-10001", {"Monstera Deliciosa"}, {"ZZ Plant"}),
    ("q=palm", {"Kentia Palm", "Parlour Palm"}, {"Boston Fern"}),
    ("light=low&category=tropicals", {"ZZ Plant", "Snake Plant 'Laurentii'"}, {"Monstera Deliciosa"}),
    ("pet_safe=1&category=tropicals", {"Calathea Orbifolia", "Chinese Money Plant"}, {"ZZ Plant"}),
    ("difficulty=expert", {"Maidenhair Fern", "Calathea Orbifolia"}, {"ZZ Plant"}),
    ("size=large&category=palms", {"Kentia Palm", "Areca Palm"}, {"Parlour Palm"}),
    ("light=bright&difficulty=easy&size=small&pet_safe=1", {"Chinese Money Plant"}, {"Aloe Vera", "Wax Plant"}),
])
def test_filters(seeded, client, query, expected, absent):
    names = set(card_names(client.get(f"/products?{query}", headers=HX).get_data(as_text=True)))
    assert expected <= names
    assert not absent & names


def test_in_stock_filter_and_sorts(seeded, client):
    html = client.get("/products?availability=in_stock&category=ferns&sort=price_asc", headers=HX)
    names = card_names(html.get_data(as_text=True))
    assert names[0] == "Asparagus Fern" and names[-1] == "Staghorn Fern"
    html = client.get("/products?category=palms&sort=price_desc", headers=HX).get_data(as_text=True)
    assert card_names(html)[0] == "Kentia Palm"
    html = client.get("/products?category=ferns&sort=rating", headers=HX).get_data(as_text=True)
    assert card_names(html)[0] == "Bird's Nest Fern"


def test_pages_cover_every_product_once(seeded, client):
    seen = []
    for page in (1, 2, 3):
        seen += card_names(client.get(f"/products?page={page}", headers=HX).get_data(as_text=True))
    assert len(seen) == len(set(seen)) == 68


REFUSED = ["min_price=abc", "max_price=-5", "min_price=1e400", "min_price=1e999999", "min_price=NaN",
           "min_price=-0.01", "max_price=" + "9" * 30, "min_rating=9", "min_rating=x", "min_rating=nan", "page=abc"]
IGNORED = ["q=" + "x" * 5000, "q=%27%3B+DROP+TABLE+products%3B--", "q=%2B%2A%22%28%29~%3C%3E%40",
           "q=%F0%9F%8C%B5%E2%80%8B", "page=-1", "page=99999999999999999999", "sort=evil", "availability=nope",
           "category=%00", "light=ultraviolet", "size=%00", "difficulty=1", "pet_safe=yes",
           "min_price=80&max_price=10", "q=%25%5F", "min_price=-0"]


@pytest.mark.parametrize("query, status", [(query, 422) for query in REFUSED] + [(query, 200) for query in IGNORED])
def test_hostile_input_never_breaks_the_page(seeded, client, query, status):
    """A refused number is a 422 with its message and the results without it; an unknown choice is
    ignored (200); nothing is ever a 500."""
    for headers in ({}, HX):
        response = client.get(f"/products?{query}", headers=headers)
        assert response.status_code == status
        html = response.get_data(as_text=True)
        assert "<script>" not in html and "DROP TABLE products;--<" not in html


def category_counts(client, query):
    """{slug: count} from the category counts fragment."""
    html = client.get(f"/products/category-counts?{query}", headers=HX).get_data(as_text=True)
    return {slug: int(n.replace(",", "")) for slug, n in
            re.findall(r'<span class="facet-count[^"]*" id="count-([a-z-]+)" hx-swap-oob="true">([\d,]+)</span>', html)}


@pytest.mark.parametrize("query", ["", "q=fern", "q=pl&max_price=30", "availability=in_stock&min_rating=4.5",
                                   "q=FH-1002&sort=price_asc", "light=low&pet_safe=1"])
def test_category_counts_match_the_results_of_each_category(seeded, client, query):
    counts = category_counts(client, query + "&category=palms")  # the category filter is left out
    assert len(counts) == 11 and sum(counts.values()) == len(card_names_all(client, query))
    for slug in ("ferns", "tropicals", "palms"):
        assert counts[slug] == len(card_names_all(client, f"{query}&category={slug}")), slug


def card_names_all(client, query):
    """Every card name across the pages of a catalogue query."""
    names, page = [], 1
    while True:
        html = client.get(f"/products?{query}&page={page}", headers=HX).get_data(as_text=True)
        names += card_names(html)
        if 'id="load-more"' not in html:
            return names
        page += 1


def test_new_results_ask_for_the_counts_and_the_counts_url_is_only_a_fragment(seeded, client):
    first, more = client.get("/products?q=fern", headers=HX), client.get("/products?page=2", headers=HX)
    assert first.headers["HX-Trigger-After-Settle"] == "catalogue-changed"
    assert "HX-Trigger-After-Settle" not in more.headers  # "Show more" changes no count
    page = client.get("/products?q=fern").get_data(as_text=True)
    assert 'hx-get="/products/category-counts" hx-include="#filters"' in page
    response = client.get("/products/category-counts?q=fern&min_price=abc")
    assert response.status_code == 303 and response.headers["Location"] == "/products?q=fern"  # clean filters only
    assert client.get("/products/category-counts?min_price=abc&q=%F0%9F%8C%B5", headers=HX).status_code == 200


def test_bad_numbers_say_what_was_ignored(seeded, client):
    html = client.get("/products?min_price=abc&min_rating=9", headers=HX).get_data(as_text=True)
    assert "Minimum price must be a number" in html and "Minimum rating must be between 0 and 5" in html
    assert "68 products" in html


def test_search_text_is_escaped(seeded, client):
    html = client.get("/products?q=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E", headers=HX).get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_empty_result_suggests_clearing(seeded, client):
    html = client.get("/products?q=zzzzzz", headers=HX).get_data(as_text=True)
    assert "No plants match that" in html and "Clear all filters" in html and "0 products" in html


def test_product_page(seeded, client):
    response = client.get("/products/FH-10001")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Monstera Deliciosa" in html and "$34.00" in html and "Keep away from pets" in html
    assert "moss pole" in html  # the care notes
    assert client.get("/products/fh-10001").status_code == 200


@pytest.mark.parametrize("sku", ["FH-99999", "nope", "%27%20OR%201%3D1", "x" * 300])
def test_unknown_product_is_a_friendly_404(seeded, client, sku):
    response = client.get(f"/products/{sku}")
    assert response.status_code == 404
    assert "We could not find that page" in response.get_data(as_text=True)


def test_product_picture_is_svg(seeded, client):
    response = client.get("/products/FH-10001/picture.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    root = ElementTree.fromstring(response.data)
    assert root.tag.endswith("svg") and "Monstera" in root.get("aria-label")
    assert response.headers["ETag"] and "max-age=86400" in response.headers["Cache-Control"]
    again = client.get("/products/FH-10001/picture.svg", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/products/FH-10002/picture.svg").data != response.data


def test_healthz(app, client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.data == b"ok"


def test_security_headers_on_every_response(seeded, client):
    for url in ("/", "/products/FH-10001", "/nope", "/healthz", "/static/css/shop.css"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_no_inline_script_or_style_in_pages(seeded, client):
    for url in ("/", "/products/FH-10001", "/nope"):
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)
        assert "<style" not in html and " style=" not in html and "hx-on" not in html


def test_unreachable_database_gives_a_friendly_503():
    app = create_app({"TESTING": False, "SHOP_ENV": "testing", "SECRET_KEY": TEST_SECRET,
                      "DATABASE_URL": f"mysql://root@127.0.0.1:{free_port()}/nowhere"})
    response = app.test_client().get("/")
    assert response.status_code == 503
    assert "The shop is having a short rest" in response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "30"
    assert app.test_client().get("/healthz").status_code == 503
