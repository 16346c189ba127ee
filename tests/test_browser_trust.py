"""The trust pages in a real browser at 390 and 1280 px: nothing overflows, the footer is there, and the contact
form answers in place with htmx (a message per field, then the thanks)."""
import os

import pytest
from playwright.sync_api import expect

from shop.db import database
from shop.models import ContactMessage, EmailOutbox

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SHOP_SHOTS", "/tmp/shots-ui-trust")


@pytest.mark.parametrize("width", [390, 1280])
def test_the_trust_pages_fit_and_the_contact_form_answers_in_place(seeded, live_server, browser, width):
    os.makedirs(SHOTS, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900})
    tab = context.new_page()
    tab.errors = []
    tab.on("console", lambda msg: tab.errors.append(msg.text) if msg.type == "error" else None)
    for path in ("about", "delivery", "privacy", "terms", "contact"):
        tab.goto(f"{live_server.url}/{path}")
        expect(tab.locator(".site-footer")).to_contain_text("Opening hours")
        assert tab.evaluate("document.documentElement.scrollWidth") <= width, path
        tab.screenshot(path=f"{SHOTS}/{path}-{width}.png", full_page=True)
    tab.fill("#contact-name", "Ada Greenleaf")
    tab.fill("#contact-email", "not-an-address")
    tab.fill("#contact-message", "hi")
    tab.click("button:has-text('Send to the nursery')")
    expect(tab.locator("#contact-message-error")).to_contain_text("at least 10")
    expect(tab.locator("#contact-email-error")).to_be_visible()
    assert tab.input_value("#contact-name") == "Ada Greenleaf"  # kept
    tab.locator("#contact-form").screenshot(path=f"{SHOTS}/contact-errors-{width}.png")
    tab.fill("#contact-email", "ada@example.com")
    tab.fill("#contact-message", "Do you ship a fiddle leaf fig in winter?")
    tab.click("button:has-text('Send to the nursery')")
    expect(tab.locator("#contact-form [role=status]")).to_contain_text("Thank you, Ada Greenleaf")
    assert tab.url.endswith("/contact")  # answered in place
    with database.connection_context():
        assert ContactMessage.select().count() == 1 and EmailOutbox.select().count() == 1
    assert [error for error in tab.errors if "422" not in error] == []  # the CSP holds (the 422 was the errors)
    context.close()
