"""Accessibility: axe-core (vendored in tests/vendor) finds no serious or critical problem on any page."""
from pathlib import Path

import pytest

from shop.db import database
from shop.models import Order, Product

from .conftest import buy, create_user, log_in_browser

pytestmark = pytest.mark.browser

AXE = next((Path(__file__).parent / "vendor").glob("axe-core-*.min.js"))
PAGES = ["/", "/products?q=fern", "/products?q=zzzzzz", "/products/FH-10001", "/register", "/login", "/account",
         "/cart", "/orders", "/guides", "/guides/aroids", "/finder", "/finder?light=bright&water=weekly&pets=yes"
         "&experience=beginner&space=small", "/jungle", "/workshops", "/nope", "ORDER", "/dev/mailbox",
         "/dev/fragments"]


def serious_violations(tab):
    """axe-core's serious and critical findings on the current page, as readable lines."""
    tab.add_script_tag(path=str(AXE))
    result = tab.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("width", [1280, 390])
def test_no_serious_accessibility_problems(seeded, app, live_server, browser, width):
    app.config["SHOP_ENV"] = "development"  # so the dev pages can be checked too
    user = create_user(balance_cents=200_00)
    with database.connection_context():
        basil = Product.get(Product.sku == "FH-10042").id
    buy(app, user, [(basil, 2)], "a11y")
    with database.connection_context():
        order = Order.get().number
    # axe is injected as a script, which the shop's own CSP would (rightly) block.
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    tab = context.new_page()
    log_in_browser(tab, live_server.url)
    problems = {}
    for path in PAGES:
        tab.goto(live_server.url + (f"/orders/{order}" if path == "ORDER" else path))
        found = serious_violations(tab)
        if found:
            problems[path] = found
    context.close()
    assert problems == {}
