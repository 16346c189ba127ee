"""The catalogue in a real browser: headless Chromium through Playwright."""
import pytest
from playwright.sync_api import expect

from .conftest import screenshot

pytestmark = pytest.mark.browser


def test_home_page_shows_the_shop(seeded, live_server, page, engine):
    page.goto(live_server.url + "/")
    cards = page.locator("#grid li.card")
    assert cards.count() == 24
    assert page.locator(".card-name").first.inner_text() == "ZZ Plant"
    # every picture on screen actually loaded as an image
    for index in range(4):
        expect(page.locator(".card-picture").nth(index)).to_have_js_property("complete", True)
        assert page.locator(".card-picture").nth(index).evaluate("img => img.naturalWidth") > 0
    screenshot(page, f"home-{engine}.png")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, f"home-phone-{engine}.png")
    assert page.errors == []  # a CSP violation or a script error would show up here


def test_typing_narrows_the_grid_without_a_page_load(seeded, live_server, page):
    page.goto(live_server.url + "/")
    page.evaluate("window.notReloaded = true")
    page.fill("#q", "fern")
    page.wait_for_url("**/products?q=fern")
    expect(page.locator(".card-name", has_text="ZZ Plant")).to_have_count(0)
    names = page.locator(".card-name").all_inner_texts()
    assert "Boston Fern" in names and "ZZ Plant" not in names
    assert page.evaluate("window.notReloaded") is True
    assert "products" in page.locator("#results-status").inner_text()
    # the counts beside the category boxes follow the search (a request of their own, after the grid)
    expect(page.locator("#count-ferns")).to_have_text(str(len(names)))
    expect(page.locator("#count-palms")).to_have_text("0")
    page.check("input[name=category][value=palms]")
    page.wait_for_url("**/products?q=fern&category=palms")
    expect(page.locator(".card-name", has_text="Boston Fern")).to_have_count(0)
    page.go_back()
    page.wait_for_url("**/products?q=fern")
    expect(page.locator(".card-name", has_text="Boston Fern")).to_have_count(1)
    assert page.errors == []


def test_show_more_appends_the_next_page(seeded, live_server, page):
    page.goto(live_server.url + "/")
    page.click("#load-more a")
    expect(page.locator("#grid li.card")).to_have_count(48)
    assert page.url == live_server.url + "/"


def test_works_without_javascript(seeded, live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(live_server.url + "/")
    tab.fill("#q", "palm")
    tab.click("#filters button[type=submit]")
    tab.wait_for_url("**/products?q=palm**")
    assert "Kentia Palm" in tab.locator(".card-name").all_inner_texts()
    tab.goto(live_server.url + "/")
    tab.click("#load-more a")
    tab.wait_for_url("**page=2")
    assert tab.locator("#grid li.card").count() == 24
    context.close()


def test_dev_mailbox_renders_the_email(app, live_server, page):
    from shop.db import database
    from shop.mail import queue_email

    app.config["SHOP_ENV"] = "development"
    with app.test_request_context(), database.atomic():
        queue_email("fern@example.com", "Welcome to Fernhouse", "test", message="Hello there")
    page.goto(live_server.url + "/dev/mailbox")
    expect(page.locator(".mail-subject")).to_have_text(["Welcome to Fernhouse"])
    frame = page.frame_locator("iframe.mail-frame")
    expect(frame.locator("text=Hello there")).to_be_visible()
    expect(page.locator(".mail-links a")).to_have_attribute("href", "http://shop.test/")
    screenshot(page, "dev-mailbox.png")
    assert page.errors == []


def test_fragment_explorer_shows_rendered_and_raw(app, seeded, live_server, page):
    app.config["SHOP_ENV"] = "development"
    page.goto(live_server.url + "/dev/fragments")
    item = page.locator("#fragment-auth-check_username")
    item.locator("input[name=username]").fill("ab")
    item.locator("button").click()
    expect(page.locator("#fragment-output .field-status")).to_have_text("Usernames have at least 5 characters.")
    expect(page.locator("#fragment-raw")).to_contain_text('<span id="username-status" class="field-status error"')
    expect(page.locator("#fragment-status")).to_contain_text("GET /register/check-username → 200")
    page.locator("#fragment-auth-check_password button").click()  # a POST, with the CSRF header
    expect(page.locator("#fragment-raw")).to_contain_text('<ul id="password-rules"')
    page.locator("#fragment-catalog-products button").click()
    expect(page.locator("#fragment-status")).to_contain_text("Vary: HX-Request")
    assert page.url == live_server.url + "/dev/fragments"  # the explorer stays on its page
    screenshot(page, "fragment-explorer.png")
    assert page.errors == []
