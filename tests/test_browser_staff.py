"""The back office in a real browser: click to edit a price and see it in the shop, bulk restock,
cancel an order and see the customer's balance and email."""

import pytest
from playwright.sync_api import expect

from shop.db import database
from shop.models import EmailOutbox, Product, User

from .conftest import buy, create_user, log_in_browser, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def staff_page(seeded, app, live_server, page):
    """A browser signed in as staff."""
    create_user(username="nurserymaid", email="staff@fernhouse.test")
    app.test_cli_runner().invoke(args=["staff", "grant", "nurserymaid"])
    log_in_browser(page, live_server.url, "nurserymaid")
    return page


def count_settles(page):
    """Count htmx's settled swaps: htmx wires up swapped-in content about 20 ms after the swap, and a
    person never types in that window, so the test waits for it too."""
    page.evaluate("document.body.dataset.settles = '0'; document.body.addEventListener('htmx:afterSettle', "
                  "() => { document.body.dataset.settles = String(Number(document.body.dataset.settles) + 1) })")


def settled(page, count):
    """Wait until `count` swaps have settled."""
    expect(page.locator("body")).to_have_attribute("data-settles", str(count))


def sku_id(sku):
    """A product's id."""
    with database.connection_context():
        return Product.get(Product.sku == sku).id


def test_click_to_edit_a_price_and_see_it_in_the_shop(staff_page, live_server):
    page = staff_page
    page.goto(live_server.url + "/staff/products?q=monstera")
    page.evaluate("window.notReloaded = true")
    count_settles(page)
    monstera = sku_id("FH-10001")
    cell = page.locator(f"#cell-{monstera}-price")
    cell.locator("a").click()
    field = page.locator(f"#edit-{monstera}-price")
    expect(field).to_be_focused()
    settled(page, 1)
    field.fill("35.75")
    field.press("Escape")  # Esc gives the cell back unchanged
    expect(page.locator(f"#cell-{monstera}-price a")).to_have_text("$34.00")
    settled(page, 2)
    page.locator(f"#cell-{monstera}-price a").click()
    settled(page, 3)
    page.locator(f"#edit-{monstera}-price").fill("abc")
    page.locator(f"#edit-{monstera}-price").press("Enter")
    expect(page.locator(f"#edit-{monstera}-price-error")).to_contain_text("Enter the price in dollars")
    settled(page, 4)
    page.locator(f"#edit-{monstera}-price").fill("35.75")
    page.locator(f"#edit-{monstera}-price").press("Enter")
    expect(page.locator(f"#cell-{monstera}-price a")).to_have_text("$35.75")
    assert page.evaluate("window.notReloaded") is True
    screenshot(page, "staff-products.png")
    page.goto(live_server.url + "/products/FH-10001")
    expect(page.locator(".product-price, .price").first).to_contain_text("$35.75")
    assert all("status of 422" in error for error in page.errors) and len(page.errors) == 1


def test_bulk_restock_in_place(staff_page, live_server):
    page = staff_page
    page.goto(live_server.url + "/staff/products?q=fern")
    ids = [sku_id(sku) for sku in ("FH-10025", "FH-10026")]
    with database.connection_context():
        before = {pid: Product.get_by_id(pid).stock for pid in ids}
    for pid in ids:
        page.locator(f"#product-{pid} input[type=checkbox]").check()
    page.fill("#restock-amount", "7")
    page.click("#bulk-restock button")
    expect(page.locator("#product-table [role=status]")).to_have_text("Restocked 2 products.")
    for pid in ids:
        expect(page.locator(f"#cell-{pid}-stock a")).to_have_text(str(before[pid] + 7))
    assert page.errors == []


def test_cancel_an_order_and_the_customer_sees_the_refund(staff_page, app, live_server, browser):
    page = staff_page
    customer = create_user(username="shopper", email="shopper@example.com", balance_cents=150_00)
    order, _ = buy(app, customer, [(sku_id("FH-10001"), 1)], key="to-cancel")
    page.goto(live_server.url + f"/staff/orders/{order.number}")
    page.fill("#cancel-reason", "Frost damage at the grower.")
    page.click("button:has-text('Cancel and refund')")
    expect(page.locator("#staff-order-status")).to_have_text("Cancelled")
    expect(page.locator("#order-panel [role=status]")).to_contain_text("$34.00 went back")
    screenshot(page, "staff-order-cancelled.png")
    with database.connection_context():
        assert User.get_by_id(customer.id).balance_cents == 150_00
        mail = EmailOutbox.get(EmailOutbox.subject == f"Your Fernhouse order {order.number} is cancelled")
    assert mail.recipient == "shopper@example.com" and "Frost damage" in mail.body_text
    context = browser.new_context()
    shopper = context.new_page()
    log_in_browser(shopper, live_server.url, "shopper")
    expect(shopper.locator("#account-balance")).to_have_text("$150.00")
    shopper.goto(live_server.url + "/orders")
    expect(shopper.locator(f"tr:has-text('{order.number}') .status")).to_have_text("Cancelled")
    context.close()
    assert page.errors == []
