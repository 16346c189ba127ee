"""Explain mode in a real browser: labels on the regions htmx fills, plain words on every hx-* control, and the
panel of requests (static/js/explain.js, fed by shop/explain.py). Checked against the URL map and the files."""
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import create_user, log_in_browser, screenshot
from .test_accessibility import serious_violations

pytestmark = pytest.mark.browser

ROOT = Path(__file__).parent.parent
SHOTS = os.environ.get("SHOP_SHOTS", "/tmp/shots-ui-trust")
LABELLED_PAGES = ["/register", "LOG IN", "/products?q=fern", "/workshops", "/cart", "/guides", "/finder", "/account"]


def labels_on(tab):
    """Every labelled region of the page: (route, view, partial)."""
    expect(tab.locator("body")).to_have_attribute("data-explain-ready", "1")
    return tab.eval_on_selector_all("[data-explain-route]:not(body)", "regions => regions.map(r => [r.dataset.explainRoute,"
                                    " r.dataset.explainView, r.dataset.explainPartial])")


def view_of(app, endpoint):
    function = app.view_functions[endpoint]
    return f"{function.__module__.removeprefix('shop.')}.{function.__name__}"


def test_typing_lists_the_request_with_its_route_view_and_partial(seeded, app, live_server, page):
    app.config["SHOP_ENV"] = "development"
    page.goto(live_server.url + "/products?explain=1")
    expect(page.locator("body")).to_have_attribute("data-explain-ready", "1")
    results = page.locator("#results")
    assert results.get_attribute("data-explain-route") == "GET /products"
    assert results.get_attribute("data-explain-view") == "catalog.views.products"
    assert results.get_attribute("data-explain-partial") == "partials/catalog/results.html"
    assert "GET /products · catalog.views.products · partials/catalog/results.html" in results.get_attribute(
        "data-explain-label")
    expect(page.locator(".fh-explain-page")).to_contain_text("templates/catalog/index.html")
    # the search box's words, on focus
    page.focus("#q")
    tip = page.locator("#fh-explain-tip")
    expect(tip).to_be_visible()
    words = tip.inner_text()
    assert "on input (if the value changed), after 300 ms of quiet" in words and "GET /products" in words
    assert "replace #results" in words and "a newer request replaces one in flight" in words
    page.fill("#q", "fern")
    request = page.locator(".fh-explain-request[data-url^='/products?q=fern']").first
    expect(request).to_be_visible()
    assert request.get_attribute("data-status") == "200"
    facts = request.locator(".fh-explain-facts").inner_text()
    assert "catalog.views.products" in facts and "partials/catalog/results.html" in facts
    assert "HX-Request: true" in facts and "HX-Trigger-After-Settle: catalogue-changed" in facts
    assert "#results" in facts  # which element was swapped
    # the counts follow as a request of their own, also listed
    expect(page.locator(".fh-explain-request[data-url^='/products/category-counts']").first).to_have_count(1)
    request.locator("summary").click()
    expect(request.locator("pre")).to_contain_text('id="results"')
    screenshot(page, "explain-catalogue.png")
    assert page.errors == []  # the overlay keeps the CSP: no inline script or style, no eval


def test_the_panel_keeps_the_last_twenty(seeded, app, live_server, page):
    app.config["SHOP_ENV"] = "development"
    page.goto(live_server.url + "/register?explain=1")
    expect(page.locator("body")).to_have_attribute("data-explain-ready", "1")
    for number in range(12):  # each name checked: 12 requests, and the password checklist is not asked
        page.fill("#username", f"fernfan{number}")
        expect(page.locator(f".fh-explain-request[data-url$='username=fernfan{number}']")).to_have_count(1)
    page.fill("#email", "a@example.com")
    for number in range(12):
        page.fill("#username", f"leaf{number}")
        expect(page.locator(f".fh-explain-request[data-url$='username=leaf{number}']")).to_have_count(1)
    expect(page.locator(".fh-explain-request")).to_have_count(20)
    assert page.locator(".fh-explain-count").inner_text() == "20"
    first = page.locator(".fh-explain-request").first
    assert "accounts.views.check_username" in first.inner_text()
    assert "partials/auth/check_username.html" in first.inner_text()
    screenshot(page, "explain-register.png")
    assert page.errors == []


def test_every_label_names_a_real_route_view_and_partial(seeded, app, live_server, page):
    app.config["SHOP_ENV"] = "development"
    from shop.db import database
    from shop.models import CartItem, Product

    user = create_user()
    with database.connection_context():
        CartItem.create(user=user.id, product=Product.get(Product.sku == "FH-10042").id, quantity=1)
    with app.test_request_context(), database.connection_context():  # a booking, so /account offers Cancel
        from shop.models import User, Workshop
        from shop.orders.bookings import book_workshop

        book_workshop(User.get_by_id(user.id), Workshop.get(Workshop.slug == "houseplant-clinic"), 1, "label-test")
    rules = {(method, rule.rule): rule.endpoint for rule in app.url_map.iter_rules() for method in rule.methods}
    seen = set()
    for path in LABELLED_PAGES:
        if path == "LOG IN":
            log_in_browser(page, live_server.url)
            continue
        page.goto(live_server.url + path + ("&" if "?" in path else "?") + "explain=1")
        found = labels_on(page)
        assert found, path
        body = page.locator("body")  # the page itself: its view and template
        method, rule = body.get_attribute("data-explain-route").split(" ", 1)
        assert body.get_attribute("data-explain-view") == view_of(app, rules[(method, rule)])
        assert (ROOT / body.get_attribute("data-explain-template")).is_file()
        for route, view, partial in found:
            method, rule = route.split(" ", 1)
            assert view == view_of(app, rules[(method, rule)]), (path, route)
            assert partial == "" or (ROOT / partial).is_file(), (path, partial)
            seen.add(route)
        says = page.eval_on_selector_all("[data-explain-says]", "controls => controls.map(c => c.dataset.explainSays)")
        assert says and all(" /" in words for words in says), path
    assert {"GET /products", "GET /register/check-username", "GET /cart/badge", "POST /cart/update",
            "GET /workshops/<slug>/book", "POST /account/bookings/<number>/cancel", "GET /guides",
            "GET /finder"} <= seen
    assert page.errors == []


def test_off_means_none_of_it(seeded, app, live_server, page):
    app.config["SHOP_ENV"] = "development"
    page.goto(live_server.url + "/products?explain=1")
    expect(page.locator(".fh-explain")).to_have_count(1)
    page.click(".dev-switch")  # the dev bar's switch: a plain form
    page.wait_for_url("**/products")
    expect(page.locator(".dev-switch")).to_have_text("Explain mode: off")
    assert page.locator(".fh-explain, [data-explain-label], script[src*=explain], link[href*=explain]").count() == 0
    page.fill("#q", "palm")
    page.wait_for_url("**/products?q=palm")
    assert page.locator(".fh-explain-request").count() == 0


def test_on_a_phone_the_panel_opens_from_its_button_and_is_accessible(seeded, app, live_server, browser):
    app.config["SHOP_ENV"] = "development"
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})  # to inject axe
    tab = context.new_page()
    tab.goto(live_server.url + "/products?explain=1")
    expect(tab.locator("body")).to_have_attribute("data-explain-ready", "1")
    toggle = tab.locator(".fh-explain-toggle")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(tab.locator("#fh-explain-body")).to_be_hidden()
    tab.fill("#q", "fern")
    expect(tab.locator(".fh-explain-count")).not_to_have_text("0")
    toggle.click()
    expect(tab.locator(".fh-explain-request").first).to_be_visible()
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390  # nothing scrolls sideways
    screenshot(tab, "explain-phone.png")
    assert serious_violations(tab) == []
    tab.goto(live_server.url + "/register")
    expect(tab.locator("body")).to_have_attribute("data-explain-ready", "1")
    assert serious_violations(tab) == []
    context.close()


def boxes_meet(first, second):
    """True when two bounding boxes overlap."""
    return not (first["x"] + first["width"] <= second["x"] or second["x"] + second["width"] <= first["x"]
                or first["y"] + first["height"] <= second["y"] or second["y"] + second["height"] <= first["y"])


def test_the_open_panel_docks_beside_the_page_and_below_it_on_a_phone(seeded, app, live_server, browser):
    app.config["SHOP_ENV"] = "development"
    os.makedirs(SHOTS, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.goto(live_server.url + "/products?explain=1")
    expect(tab.locator("body")).to_have_attribute("data-explain-ready", "1")
    expect(tab.locator(".fh-explain-toggle")).to_have_attribute("aria-expanded", "true")  # open on a desktop
    panel = tab.locator(".fh-explain").bounding_box()
    assert panel["height"] >= 850 and panel["x"] + panel["width"] == 1280  # docked to the right edge, full height
    login = tab.locator(".site-header").get_by_role("link", name="Log in")
    create = tab.locator(".site-header").get_by_role("link", name="Create account")
    covered = [name for name, box in [("Log in", login.bounding_box()), ("Create account", create.bounding_box()),
                                     ("search", tab.locator("#q").bounding_box())]
               + [(f"card {n}", card.bounding_box()) for n, card in enumerate(tab.locator(".card").all())]
               if boxes_meet(box, panel)]
    assert tab.locator(".card").count() >= 12 and covered == []
    assert tab.evaluate("document.documentElement.scrollWidth") <= 1280
    tab.screenshot(path=f"{SHOTS}/explain-docked-1280.png")
    tab.click(".fh-explain-toggle")  # closed, the page takes the whole width again
    expect(tab.locator(".fh-explain-toggle")).to_have_attribute("aria-expanded", "false")
    assert tab.locator("main").bounding_box()["width"] > 1200
    context.close()

    context = browser.new_context(viewport={"width": 390, "height": 844})
    tab = context.new_page()
    tab.goto(live_server.url + "/products?explain=1")
    expect(tab.locator("body")).to_have_attribute("data-explain-ready", "1")
    tab.click(".fh-explain-toggle")
    expect(tab.locator("#fh-explain-body")).to_be_visible()
    panel = tab.locator(".fh-explain").bounding_box()
    footer = tab.locator(".site-footer").bounding_box()
    assert panel["y"] >= footer["y"] + footer["height"] - 1  # below the page, covering none of it
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    tab.screenshot(path=f"{SHOTS}/explain-below-390.png", full_page=True)
    context.close()
