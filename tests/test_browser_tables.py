"""Every table readable on a phone: on the receipt (placed and cancelled), the order list, the cart and the
account's orders and statement, no element reaches past the viewport's edges at 390 px or 1280 px (a table
that scrolls sideways inside its box counts: its cells are cut off on screen). Screenshots for a person."""
import os

import pytest

from shop.db import database
from shop.models import Address, CartItem, Product
from shop.orders.cancelling import cancel_my_order

from .conftest import buy, create_user, log_in_browser

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SHOP_SHOTS_DIR", "")

OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const element of document.querySelectorAll('main *')) {
    if (element.closest('.visually-hidden')) continue;
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right > width + 0.5 || box.left < -0.5) {
      out.push(`${element.tagName.toLowerCase()}.${element.className} [${Math.round(box.left)}, ${Math.round(box.right)}]: `
               + element.textContent.replace(/\\s+/g, ' ').trim().slice(0, 40));
    }
  }
  return out;
}"""


@pytest.mark.parametrize("width", [390, 1280])
def test_no_table_or_money_is_cut_off(seeded, app, live_server, browser, width):
    user = create_user(balance_cents=900_00)
    with database.connection_context():
        products = {p.sku: p.id for p in Product.select().where(Product.sku.in_(["FH-10001", "FH-10042", "FH-10008"]))}
        Address.create(user=user.id, is_default=True, name="Fern Fan", line1="1 Market St", town="San Francisco",
                       postcode="94103", country="US")
    placed, _ = buy(app, user, [(products["FH-10001"], 2), (products["FH-10042"], 3)], "first")
    cancelled, _ = buy(app, user, [(products["FH-10008"], 1)], "second")
    with app.test_request_context(), database.connection_context():
        cancel_my_order(user.id, cancelled.number)
        CartItem.create(user=user.id, product=products["FH-10001"], quantity=12)
        CartItem.create(user=user.id, product=products["FH-10008"], quantity=1)
    context = browser.new_context(viewport={"width": width, "height": 844})
    page = context.new_page()
    log_in_browser(page, live_server.url)
    found = {}
    for name, path in [("receipt", f"/orders/{placed.number}"), ("receipt-cancelled", f"/orders/{cancelled.number}"),
                       ("orders", "/orders"), ("cart", "/cart"), ("account", "/account")]:
        page.goto(live_server.url + path)
        if SHOTS:
            os.makedirs(SHOTS, exist_ok=True)
            page.screenshot(path=os.path.join(SHOTS, f"{name}-{width}.png"), full_page=True)
        over = page.evaluate(OVERFLOWING)
        if over:
            found[path] = over[:5]
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()
    assert found == {}
