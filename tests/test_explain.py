"""Explain mode (shop/explain.py, static/js/explain.js) and the slides of /dev/slides (shop/slides.py).

Here over the test client: the headers and labels name real routes, views and templates; production and
development with explain mode off carry none of it. tests/test_browser_explain.py drives the overlay itself.
"""
import re
from pathlib import Path

import pytest

from shop.devtools import FRAGMENTS
from shop.slides import markdown, split_notes, split_slides

ROOT = Path(__file__).parent.parent
PAGES = ["/", "/products?q=fern", "/products/FH-10001", "/register", "/login", "/guides", "/finder", "/workshops"]
CSRF_VALUE = re.compile(r'(?<=csrf-token" content=")[^"]+|(?<=name="idempotency_key" value=")[^"]+'
                        r'|(?<=name="csrf_token" value=")[^"]+|(?<="X-CSRFToken": ")[^"]+')
OVERLAY = ("explain.js", "explain.css", "data-explain", "fh-explain", "X-Fernhouse", "dev-bar")


def without_tokens(response):
    """The page with its CSRF tokens (signed with the clock's second) and its fresh idempotency keys replaced."""
    return CSRF_VALUE.sub("TOKEN", response.get_data(as_text=True))


def view_of(app, endpoint):
    """The view function of an endpoint as explain mode names it: "catalog.views.products"."""
    function = app.view_functions[endpoint]
    return f"{function.__module__.removeprefix('shop.')}.{function.__name__}"


def test_production_pages_and_headers_are_free_of_it(seeded, app, client):
    app.config["SHOP_ENV"] = "production"
    for path in PAGES:
        plain = client.get(path)
        client.set_cookie("fh_explain", "1")
        asked = client.get(path)
        client.delete_cookie("fh_explain")
        forced = client.get(path + ("&" if "?" in path else "?") + "explain=1")
        assert without_tokens(asked) == without_tokens(plain), path  # byte for byte, with the cookie or not
        for response in (plain, asked, forced):
            text = response.get_data(as_text=True) + str(response.headers)
            assert [word for word in OVERLAY if word in text] == [], path
            assert "fh_explain" not in response.headers.get("Set-Cookie", "")
    for path in ("/dev/explain/routes", "/dev/slides", "/dev/slides/1"):
        assert client.get(path).status_code == 404
    assert client.post("/dev/explain", data={"on": "1"}).status_code in (400, 404)  # no token, or no route


def test_development_with_explain_off_has_only_the_switch(seeded, app, client):
    app.config["SHOP_ENV"] = "development"
    for path in PAGES:
        response = client.get(path)
        text = response.get_data(as_text=True)
        assert "Explain mode: off" in text and 'aria-pressed="false"' in text
        assert [word for word in OVERLAY if word in text + str(response.headers) and word != "dev-bar"] == []


def test_the_switch_turns_it_on_and_off_without_javascript(seeded, app, client):
    from .conftest import csrf_token

    app.config["SHOP_ENV"] = "development"
    token = csrf_token(client)
    on = client.post("/dev/explain", data={"on": "1", "next": "/products?q=fern&explain=0", "csrf_token": token})
    assert on.status_code == 303 and on.headers["Location"] == "/products?q=fern"
    page = client.get("/products?q=fern")
    text = page.get_data(as_text=True)
    assert "js/explain.js" in text and 'data-explain-view="catalog.views.products"' in text
    assert 'data-explain-template="templates/catalog/index.html"' in text and "Explain mode: on" in text
    assert page.headers["X-Fernhouse-View"] == "catalog.views.products"
    off = client.post("/dev/explain", data={"on": "0", "next": "https://evil.example/", "csrf_token": token})
    assert off.status_code == 303 and off.headers["Location"] == "/"  # never off-site
    assert "js/explain.js" not in client.get("/products?q=fern").get_data(as_text=True)


def test_the_query_switch_is_remembered(seeded, app, client):
    app.config["SHOP_ENV"] = "development"
    first = client.get("/register?explain=1")
    assert "fh_explain=1" in first.headers["Set-Cookie"]
    assert first.headers["X-Fernhouse-Template"] == "templates/auth/register.html"
    assert client.get("/login").headers["X-Fernhouse-View"] == "accounts.views.login"
    assert "fh_explain=;" in client.get("/login?explain=0").headers["Set-Cookie"]
    assert "X-Fernhouse-View" not in client.get("/login").headers


def test_every_fragment_is_labelled_with_its_real_route_view_and_template(seeded, app, client, auth):
    """Each fragment endpoint of the explorer, called as htmx calls it, names the rule, the view function
    and the partial that really answered; all three exist in the URL map and on disk."""
    from shop.db import database
    from shop.models import Address, JunglePlant, Product

    from .conftest import buy, create_user, csrf_token

    app.config["SHOP_ENV"] = "development"
    user = create_user(balance_cents=500_00)
    with database.connection_context():
        basil = Product.get(Product.sku == "FH-10042").id
    buy(app, user, [(basil, 1)], "explain")  # a plant in My Jungle, so watering it answers with the partial
    with database.connection_context():
        plant = JunglePlant.get().id
        address = Address.create(user=user.id, name="Fern Fan", line1="1 Market St", town="San Francisco",
                                 postcode="94103", country="US").id
    auth.login()
    client.set_cookie("fh_explain", "1")
    token = csrf_token(client)
    rules = {(method, rule.rule): rule.endpoint for rule in app.url_map.iter_rules() for method in rule.methods}
    checked = 0
    for endpoint, method, path, fields, partial, _about in FRAGMENTS:
        if endpoint.startswith("staff") or "FH-000000" in path:
            continue  # staff routes are 404 for a customer (tests/test_staff.py); the order needs a real number
        path = path.replace("/jungle/1/", f"/jungle/{plant}/").replace("/addresses/1/", f"/addresses/{address}/")
        headers = {"HX-Request": "true", "X-CSRFToken": token}
        response = (client.get(path, query_string=fields, headers=headers) if method == "GET"
                    else client.post(path, data=fields, headers=headers))
        verb, rule = response.headers["X-Fernhouse-Route"].split(" ", 1)
        assert verb == method and rules[(method, rule)] == endpoint, path
        assert response.headers["X-Fernhouse-View"] == view_of(app, endpoint)
        templates = response.headers["X-Fernhouse-Template"].split(", ")
        assert templates[0] == partial, (path, templates)
        assert all((ROOT / name).is_file() for name in templates)
        checked += 1
    assert checked >= 15


def test_the_route_map_matches_the_url_map(app, client):
    app.config["SHOP_ENV"] = "development"
    routes = client.get("/dev/explain/routes").get_json()["routes"]
    partials = {endpoint: partial for endpoint, _m, _p, _f, partial, _a in FRAGMENTS}
    by_rule = {(route["rule"], route["endpoint"]): route for route in routes}
    assert len(routes) == len([rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"])
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        route = by_rule[(rule.rule, rule.endpoint)]
        assert route["view"] == view_of(app, rule.endpoint) and route["partial"] == partials.get(rule.endpoint, "")
        example = re.sub(r"<[^>]+>", "x1", rule.rule)
        assert re.fullmatch(route["pattern"], example), rule.rule


def test_slides_split_on_rules_outside_code():
    text = "# One\n\n---\n\n## Two\n\n```\n---\n```\n\n---\n\n## Three\n"
    assert [slide.splitlines()[0] for slide in split_slides(text)] == ["# One", "## Two", "## Three"]
    assert "---" in split_slides(text)[1]


def test_a_slides_notes_show_only_in_the_notes_view(app, client):
    assert split_notes("## One\n\n- a\n\nNotes:\n\n`x.y()` in detail") == ("## One\n\n- a", "`x.y()` in detail")
    assert split_notes("## Two\n\n- b") == ("## Two\n\n- b", "")
    app.config["SHOP_ENV"] = "development"
    slide = client.get("/dev/slides/7").get_data(as_text=True)
    notes = client.get("/dev/slides/7?notes=1").get_data(as_text=True)
    assert "parse_filters" not in slide and "Notes:" not in slide and "parse_filters" in notes
    assert 'href="/dev/slides/8?notes=1"' in notes and 'href="/dev/slides/8"' in slide


def test_slides_never_pass_html_or_script_links_through():
    html = markdown.render('<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>')
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html


def test_every_slide_renders_and_is_a_real_talk(app, client):
    app.config["SHOP_ENV"] = "development"
    text = (ROOT / "docs" / "PRESENTATION.md").read_text()
    total = len(split_slides(text))
    assert total >= 15
    assert client.get("/dev/slides").headers["Location"] == "/dev/slides/1"
    titles = []
    for number in range(1, total + 1):
        page = client.get(f"/dev/slides/{number}").get_data(as_text=True)
        assert f"{number} / {total}" in page
        titles.append(re.search(r"<h[12]>(.*?)</h[12]>", page).group(1))
        assert ('rel="next"' in page) == (number < total) and ('rel="prev"' in page) == (number > 1)
    assert client.get(f"/dev/slides/{total + 1}").status_code == 404
    assert len(set(titles)) == total  # every slide has its own title
    app.config["SHOP_ENV"] = "testing"
    assert client.get("/dev/slides/1").status_code == 404


@pytest.mark.parametrize("doc", ["PRESENTATION.md", "DEMO.md"])
def test_the_talk_names_only_files_and_functions_that_exist(doc):
    from .test_docs import resolves, shop_modules

    text = (ROOT / "docs" / doc).read_text()
    modules = shop_modules()
    functions = set(re.findall(r"`((?:\w+\.)*\w+)\.(\w+)\(\)`", text))
    functions |= {(path.replace("/", "."), name) for path, name in re.findall(r"`shop/([\w/]+)\.py: (\w+)\(\)`", text)}
    assert len(functions) >= 10
    ours = {name.split(".")[0] for name in modules}  # FernhouseRules.passwordChecks() is JavaScript
    assert [f"{m}.{f}" for m, f in sorted(functions) if m.split(".")[0] in ours and not resolves(m, f, modules)] == []
    files = set(re.findall(r"`((?:shop|templates|partials|static|tests|docs|scripts|bench)/[\w/.-]+\.\w+)", text))
    assert len(files) >= 10
    assert [name for name in sorted(files) if not (ROOT / name).exists()] == []
