"""Keyboard focus after htmx swaps (static/js/shop.js: the focus keeper): driven with the keyboard alone,
after Add to cart on a card and on the product page, a filter change, a cart quantity change and removing a
cart line, focus is on the control the person used, or on the message that answers them; never on <body>."""
import pytest
from playwright.sync_api import expect

from .conftest import create_user, log_in_browser

pytestmark = pytest.mark.browser


def settles(page):
    """Count htmx's settled swaps on <body data-settles>."""
    page.evaluate("document.body.dataset.settles = '0'; document.body.addEventListener('htmx:afterSettle', "
                  "() => { document.body.dataset.settles = String(Number(document.body.dataset.settles) + 1) })")


def settled_after(page, action):
    """Do `action`, then wait until htmx has settled at least one swap more and the focus keeper has run."""
    before = int(page.evaluate("document.body.dataset.settles"))
    action()
    for _ in range(100):  # polled from here: wait_for_function would evaluate a string, which the CSP forbids
        if int(page.evaluate("document.body.dataset.settles")) > before:
            break
        page.wait_for_timeout(50)
    page.wait_for_timeout(150)  # the swap's other requests (badge, counts) settle too


def tab_to(page, selector, limit=300):
    """Press Tab until the focused element matches `selector`, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def focused(page):
    """A short description of the focused element: tag, id, text or aria-label."""
    return page.evaluate("""() => { const e = document.activeElement;
        return e ? [e.tagName.toLowerCase(), e.id, (e.getAttribute('aria-label') || e.textContent).trim()] : null }""")


def is_focused(page, selector):
    """True when the element matching `selector` has the keyboard focus."""
    return page.evaluate("(s) => document.activeElement === document.querySelector(s)", selector)


@pytest.mark.parametrize("width", [1280, 390])
def test_focus_stays_where_the_keyboard_user_is_after_every_swap(seeded, live_server, browser, width):
    create_user(balance_cents=300_00)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in_browser(page, live_server.url)

    # Add to cart on a card: focus stays on the button, the answer is read from its status region.
    page.goto(live_server.url + "/products?q=monstera")
    settles(page)
    card_button = "form:has(#add-result-FH-10001) button[type=submit]"
    tab_to(page, card_button)
    settled_after(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator("#add-result-FH-10001")).to_contain_text("Added Monstera Deliciosa")
    assert is_focused(page, card_button), focused(page)
    assert page.locator("#add-result-FH-10001").get_attribute("role") == "status"

    # A filter changed with Space (on a phone inside the opened filter sheet): focus stays on the box.
    if width < 600:
        tab_to(page, "#filters-open")
        page.keyboard.press("Enter")
    box = "input[name=category][value=ferns]"
    tab_to(page, box)
    settled_after(page, lambda: page.keyboard.press("Space"))
    expect(page.locator(box)).to_be_checked()
    assert is_focused(page, box), focused(page)

    # Add to cart on the product page, from its quantity field and from its button.
    page.goto(live_server.url + "/products/FH-10042")
    settles(page)
    tab_to(page, "#quantity-FH-10042")
    page.keyboard.press("Tab")
    settled_after(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator("#add-result-FH-10042")).to_contain_text("Added Sweet Basil")
    assert is_focused(page, "form:has(#add-result-FH-10042) button[type=submit]"), focused(page)

    # The cart: a new quantity confirmed with Enter keeps focus in the field (the whole cart was swapped).
    page.goto(live_server.url + "/cart")
    settles(page)
    tab_to(page, "#qty-FH-10001")
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    settled_after(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator("#cart-count")).to_have_text("4")
    assert is_focused(page, "#qty-FH-10001"), focused(page)

    # A new quantity left with Tab: the change is sent as focus reaches the line's Remove button, which the
    # swap replaces; focus is on the new Remove button, not on <body>.
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    settled_after(page, lambda: page.keyboard.press("Tab"))
    expect(page.locator("#cart-count")).to_have_text("3")
    assert is_focused(page, "#line-FH-10001 button.remove"), focused(page)

    # Removing a line: the line is gone, focus is on the message saying so, in a live region.
    tab_to(page, "#line-FH-10042 button.remove")
    settled_after(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator("#line-FH-10042")).to_have_count(0)
    assert page.evaluate("document.activeElement !== document.body"), focused(page)
    message = page.locator("#cart-message")
    expect(message).to_have_text("Removed Sweet Basil from your cart.")
    assert is_focused(page, "#cart-message"), focused(page)
    assert message.get_attribute("role") == "status"

    # The last line removed: the empty cart's message has the focus.
    tab_to(page, "#line-FH-10001 button.remove")
    settled_after(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator("#cart-message")).to_have_text("Removed Monstera Deliciosa from your cart.")
    assert is_focused(page, "#cart-message"), focused(page)
    assert errors == []
    context.close()
