"""Buying in a real browser: add to cart in place, the badge updates, checkout, receipt, new balance."""
import re

import pytest
from playwright.sync_api import expect

from shop.db import database
from shop.models import CartItem, Order, User

from .conftest import create_user, log_in_browser, screenshot

pytestmark = pytest.mark.browser


def watch_settling(page):
    """Mark <body data-settled> each time htmx has settled a swap of #cart (it wires up new content 20 ms
    after swapping it in; a robot that types inside that window changes a form htmx does not yet
    listen to, which no person is quick enough to do)."""
    page.evaluate("document.body.addEventListener('htmx:afterSettle', (event) => {"
                  " if (event.detail.target && event.detail.target.id === 'cart') document.body.dataset.settled = 'yes' })")


def set_quantity(page, sku, quantity):
    """Type a cart quantity once the last swap has settled, as a person would."""
    expect(page.locator("body")).not_to_have_attribute("data-settled", "no")
    page.evaluate("document.body.dataset.settled = 'no'")
    page.fill(f"#qty-{sku}", quantity)
    page.locator(f"#qty-{sku}").dispatch_event("change")



def test_add_to_cart_then_checkout(seeded, live_server, page):
    user = create_user(balance_cents=150_00)
    log_in_browser(page, live_server.url)
    page.goto(live_server.url + "/products?q=monstera")
    page.evaluate("window.notReloaded = true")
    expect(page.locator("#cart-badge .count")).to_have_text("0")
    page.click("#add-result-FH-10001 >> xpath=.. >> button:has-text('Add to cart')")
    expect(page.locator("#add-result-FH-10001")).to_contain_text("Added Monstera Deliciosa to your cart.")
    expect(page.locator("#cart-badge .count")).to_have_text("1")
    assert page.evaluate("window.notReloaded") is True
    screenshot(page, "added-to-cart.png")

    page.click("#cart-badge")
    page.wait_for_url("**/cart")
    watch_settling(page)
    expect(page.locator("#cart-total")).to_have_text("$34.00")
    set_quantity(page, "FH-10001", "3")
    expect(page.locator("#cart-total")).to_have_text("$102.00")
    expect(page.locator("#cart-after")).to_have_text("$48.00")
    expect(page.locator("#cart-badge .count")).to_have_text("3")
    set_quantity(page, "FH-10001", "5")
    expect(page.locator("#cart-after")).to_have_text("not enough")
    expect(page.locator("#buy-now")).to_be_disabled()
    set_quantity(page, "FH-10001", "4")
    expect(page.locator("#cart-total")).to_have_text("$136.00")
    screenshot(page, "cart.png")

    page.click("#buy-now")
    page.wait_for_url(re.compile(r".*/orders/FH-\d{6}-\d{6}$"))
    expect(page.locator("#order-total")).to_have_text("$136.00")
    expect(page.locator("#order-balance")).to_have_text("$14.00")
    expect(page.locator("#header-balance")).to_have_text("$14.00")
    expect(page.locator("#cart-badge .count")).to_have_text("0")
    screenshot(page, "receipt.png")
    with database.connection_context():
        assert Order.select().count() == 1 and User.get_by_id(user.id).balance_cents == 14_00
    assert page.errors == []


def test_a_guest_adds_to_the_cart_logs_in_and_the_cart_holds_the_plant(seeded, live_server, browser):
    user = create_user()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    tab = context.new_page()
    tab.goto(live_server.url + "/products/FH-10007")
    tab.click("button:has-text('Add to cart')")
    expect(tab.locator("#add-result-FH-10007")).to_contain_text("Added")  # no detour to the login page
    expect(tab.locator("#cart-badge .count")).to_have_text("1")
    tab.goto(live_server.url + "/cart")
    tab.click("a:has-text('Log in to buy')")
    tab.wait_for_url("**/login?next=/cart")
    tab.fill("#login", "fernfan")
    tab.fill("#password", "Gr33n-Fingers")
    tab.click("button:has-text('Log in')")
    tab.wait_for_url("**/cart")
    expect(tab.locator("#line-FH-10007")).to_be_visible()
    expect(tab.locator("#buy-now")).to_be_enabled()
    screenshot(tab, "guest-cart-merged-phone.png")
    with database.connection_context():
        assert [(line.product.sku, line.quantity) for line in CartItem.select().where(CartItem.user == user.id)] == \
            [("FH-10007", 1)]
    context.close()


def test_checkout_without_javascript(seeded, live_server, browser):
    create_user(balance_cents=100_00)
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(live_server.url + "/login")
    tab.fill("#login", "fernfan")
    tab.fill("#password", "Gr33n-Fingers")
    tab.click("button:has-text('Log in')")
    tab.goto(live_server.url + "/products/FH-10042")
    tab.fill("#quantity-FH-10042", "2")
    tab.click("button:has-text('Add to cart')")
    assert "Added Sweet Basil to your cart." in tab.content()
    tab.goto(live_server.url + "/cart")
    tab.click("#buy-now")
    tab.wait_for_url(re.compile(r".*/orders/FH-\d{6}-\d{6}$"))
    assert "$91.00" in tab.content()
    context.close()


def test_a_buyer_reviews_in_place(seeded, live_server, page):
    create_user(balance_cents=150_00)
    log_in_browser(page, live_server.url)
    page.goto(live_server.url + "/products/FH-10042")
    page.click("button:has-text('Add to cart')")
    expect(page.locator("#cart-badge .count")).to_have_text("1")
    page.goto(live_server.url + "/cart")
    page.click("#buy-now")
    page.wait_for_url(re.compile(r".*/orders/FH-\d{6}-\d{6}$"))
    with database.connection_context():  # the nursery delivers it: a review needs the plant to have arrived
        Order.update(status="delivered").execute()
    page.goto(live_server.url + "/products/FH-10042")
    page.evaluate("window.notReloaded = true")
    count_before = int(page.locator("#product-rating-count").inner_text())
    page.click("label[for=rating-5]")
    page.fill("#review-body", "Smells like summer on my windowsill.")
    page.click("button:has-text('Post review')")
    expect(page.locator(".review-list")).to_contain_text("Smells like summer on my windowsill.")
    expect(page.locator("#product-rating-count")).to_have_text(str(count_before + 1))
    expect(page.locator("#product-rating-summary")).to_contain_text(f"from {count_before + 1} ratings")
    assert page.evaluate("window.notReloaded") is True
    screenshot(page, "review.png")
    assert page.errors == []


def test_a_new_quantity_takes_the_old_message_away(seeded, live_server, page):
    create_user(balance_cents=100_00)
    log_in_browser(page, live_server.url)
    page.goto(live_server.url + "/products/FH-10042")
    page.click("button:has-text('Add to cart')")
    result = page.locator("#add-result-FH-10042")
    expect(result).to_contain_text("Added Sweet Basil")
    page.fill("#quantity-FH-10042", "500")  # the browser refuses it (max is the stock): no answer comes
    expect(result).to_have_text("")
    page.click("button:has-text('Add to cart')")
    expect(result).to_have_text("")  # nothing was sent, nothing stale shown
    with database.connection_context():
        assert CartItem.get().quantity == 1
    assert page.errors == []


def test_choosing_next_day_delivery_at_the_cart_on_a_phone(seeded, live_server, browser):
    from shop.models import Address

    user = create_user(balance_cents=100_00)
    with database.connection_context():
        Address.create(user=user.id, is_default=True, name="Fern Fan", line1="1 Market St", town="San Francisco",
                       postcode="94103", country="US")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    tab = context.new_page()
    log_in_browser(tab, live_server.url)
    tab.goto(live_server.url + "/products/FH-10042")
    tab.click("button:has-text('Add to cart')")
    expect(tab.locator("#add-result-FH-10042")).to_contain_text("Added")
    tab.goto(live_server.url + "/cart")
    expect(tab.locator("input[name=address_id]")).to_be_checked()
    tab.check("input[name=delivery][value=next_day]")
    expect(tab.locator("#buy-now .when-idle")).to_have_text("Buy now · $14.45")  # the basil and next-day delivery
    screenshot(tab, "cart-delivery-phone.png")
    tab.click("#buy-now")
    tab.wait_for_url(re.compile(r".*/orders/FH-\d{6}-\d{6}$"))
    expect(tab.locator("#order-delivery")).to_contain_text("Next working day")
    expect(tab.locator("#ship-to")).to_contain_text("1 Market St")
    with database.connection_context():
        order = Order.get()
    assert (order.delivery_method, order.delivery_cents) == ("next_day", 9_95)
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_the_address_book_and_cancelling_an_order_in_a_browser(seeded, live_server, browser):
    """On a phone: a refused postcode is said beside its field with nothing lost, the fixed address is saved
    in place; then an order still placed is cancelled from its receipt and refunded."""
    create_user(balance_cents=100_00)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    tab = context.new_page()
    errors = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    log_in_browser(tab, live_server.url)
    tab.click("a:has-text('Your address book')")
    tab.wait_for_url("**/account/addresses")
    tab.fill("#address-name", "Fern Fan")
    tab.fill("#address-line1", "1 Market St")
    tab.fill("#address-town", "San Francisco")
    tab.fill("#address-postcode", "9410")
    tab.select_option("#address-country", "US")
    tab.click("button:has-text('Save address')")
    expect(tab.locator("#address-postcode-error")).to_contain_text("not a United States postcode")
    expect(tab.locator("#address-line1")).to_have_value("1 Market St")  # nothing typed is lost
    tab.fill("#address-postcode", "94103")
    tab.click("button:has-text('Save address')")
    expect(tab.locator(".address-card")).to_have_count(1)
    expect(tab.locator(".address-card")).to_contain_text("San Francisco 94103")
    expect(tab.locator(".address-card .badge")).to_have_text("Default")
    screenshot(tab, "address-book-phone.png")
    tab.goto(live_server.url + "/products/FH-10042")
    tab.click("button:has-text('Add to cart')")
    expect(tab.locator("#add-result-FH-10042")).to_contain_text("Added")
    tab.goto(live_server.url + "/cart")
    tab.click("#buy-now")
    tab.wait_for_url(re.compile(r".*/orders/FH-\d{6}-\d{6}$"))
    tab.once("dialog", lambda dialog: dialog.accept())  # hx-confirm asks first
    tab.click("button:has-text('Cancel this order')")
    expect(tab.locator("#order-status")).to_contain_text("Cancelled")
    expect(tab.locator("#header-balance")).to_have_text("$100.00")
    screenshot(tab, "receipt-cancelled-phone.png")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []
    context.close()
