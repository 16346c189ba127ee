"""The amount on the button is the amount charged, in a real browser at phone and desktop widths (issue 25):
choose next-day delivery in the cart, read the button, change a quantity, buy, and compare with the ledger."""
import re

import pytest
from playwright.sync_api import expect

from shop.db import database
from shop.models import Address, BalanceLedger, Order, User

from .conftest import create_user, log_in_browser, screenshot
from .test_browser_orders import set_quantity, watch_settling

pytestmark = pytest.mark.browser
HOME = {"name": "Fern Fan", "line1": "1 Market St", "town": "San Francisco", "postcode": "94103", "country": "US"}


def customer_with_address():
    """A customer with $200.00 and a default address."""
    user = create_user(balance_cents=200_00)
    with database.connection_context():
        Address.create(user=user.id, is_default=True, **HOME)
    return user


def cents(text):
    """'$77.95' -> 7795."""
    return int(re.sub(r"[^\d]", "", text))


def charged_for(user):
    """The order placed, its ledger row's amount and the balance now."""
    with database.connection_context():
        order = Order.get(Order.user == user.id)
        row = BalanceLedger.get(BalanceLedger.reference == order.number)
        return order, -row.delta_cents, User.get_by_id(user.id).balance_cents


@pytest.mark.parametrize("width", [390, 1280])
def test_next_day_delivery_is_on_the_button_and_the_button_is_what_is_charged(seeded, live_server, browser, width):
    user = customer_with_address()
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in_browser(page, live_server.url)
    page.goto(live_server.url + "/products/FH-10001")
    page.click("button:has-text('Add to cart')")
    expect(page.locator("#cart-badge .count")).to_have_text("1")
    page.goto(live_server.url + "/cart")
    watch_settling(page)
    button = page.locator("#buy-now .when-idle")
    expect(button).to_have_text("Buy now · $38.95")  # $34.00 of plants and $4.95 standard delivery
    page.evaluate("document.body.dataset.settled = 'no'")
    page.check("#delivery-next_day")
    expect(button).to_have_text("Buy now · $43.95")
    expect(page.locator("#cart-delivery")).to_have_text("$9.95")
    expect(page.locator("#cart-after")).to_have_text("$156.05")
    set_quantity(page, "FH-10001", "2")  # a quantity change keeps next-day delivery
    expect(button).to_have_text("Buy now · $77.95")
    expect(page.locator("#delivery-next_day")).to_be_checked()
    expect(page.locator("#cart-after")).to_have_text("$122.05")
    screenshot(page, f"cart-next-day-{width}.png")
    shown = cents(button.inner_text())
    page.click("#buy-now")
    page.wait_for_url(re.compile(r".*/orders/FH-\d{6}-\d{6}$"))
    order, ledger, balance = charged_for(user)
    assert shown == 77_95 == order.total_cents == ledger == 200_00 - balance
    expect(page.locator("#order-total")).to_have_text("$77.95")
    expect(page.locator("#header-balance")).to_have_text("$122.05")
    assert errors == []
    context.close()


def test_without_javascript_the_update_button_puts_the_delivery_on_the_buy_button(seeded, live_server, browser):
    user = customer_with_address()
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 900})
    page = context.new_page()
    log_in_browser(page, live_server.url)
    page.goto(live_server.url + "/products/FH-10001")
    page.click("button:has-text('Add to cart')")
    page.goto(live_server.url + "/cart")
    page.check("#delivery-next_day")
    page.click("button:has-text('Update the total')")
    page.wait_for_url("**/cart")
    expect(page.locator("#buy-now .when-idle")).to_have_text("Buy now · $43.95")
    page.click("#buy-now")
    page.wait_for_url(re.compile(r".*/orders/FH-\d{6}-\d{6}$"))
    assert charged_for(user)[1:] == (43_95, 200_00 - 43_95)
    context.close()
