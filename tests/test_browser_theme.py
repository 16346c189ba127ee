"""The nursery's own pages in a real browser: each works in place with htmx and looks like the shop."""
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from shop.db import database
from shop.models import Booking, JunglePlant, Product, Workshop

from .conftest import buy, create_user, log_in_browser, screenshot

pytestmark = pytest.mark.browser



def test_guides_search_and_read(seeded, live_server, page):
    page.goto(live_server.url + "/guides")
    page.evaluate("window.notReloaded = true")
    page.fill("#guide-q", "humidity")
    page.wait_for_url("**/guides?q=humidity")
    expect(page.locator(".guide-card h2").first).to_be_visible()
    page.fill("#guide-q", "sago")
    expect(page.locator(".guide-card h2")).to_have_text(["Indoor palms and the sago cycad"])
    assert page.evaluate("window.notReloaded") is True
    page.click("text=Indoor palms and the sago cycad")
    page.wait_for_url("**/guides/palms")
    expect(page.locator(".guide-section h2")).to_have_count(7)
    screenshot(page, "guide.png")
    assert page.errors == []


def test_finder_walks_question_by_question(seeded, live_server, page):
    page.goto(live_server.url + "/finder")
    page.evaluate("window.notReloaded = true")
    for step, answer in enumerate(("Bright", "Weekly", "Yes", "Beginner", "A shelf or sill"), start=1):
        expect(page.locator(".finder-question .eyebrow")).to_have_text(f"Question {step} of 5")
        page.click(f".finder-option:has(strong:text-is('{answer}'))")
    expect(page.locator(".finder-results h2")).to_contain_text("for you")
    assert page.url.endswith("/finder?light=bright&water=weekly&pets=yes&experience=beginner&space=small")
    assert page.evaluate("window.notReloaded") is True
    screenshot(page, "finder.png")
    page.click("text=← Back")
    expect(page.locator(".finder-question h2")).to_have_text("How much space is there?")
    page.go_back()
    expect(page.locator(".finder-results")).to_be_visible()
    assert page.errors == []


def test_jungle_watering_in_place(seeded, live_server, page, app):
    user = create_user(balance_cents=300_00)
    with database.connection_context():
        ids = [Product.get(Product.sku == sku).id for sku in ("FH-10001", "FH-10025", "FH-10016")]
    buy(app, user, [(i, 1) for i in ids], "jungle")
    with database.connection_context():
        JunglePlant.update(acquired_on=date.today() - timedelta(days=9)).execute()
    log_in_browser(page, live_server.url)
    page.goto(live_server.url + "/jungle")
    page.evaluate("window.notReloaded = true")
    expect(page.locator(".jungle-plant.overdue")).to_have_count(2)  # Monstera (7 days) and Boston Fern (3)
    screenshot(page, "jungle.png")
    page.locator(".jungle-plant.overdue button").first.click()
    expect(page.locator(".jungle-plant.overdue")).to_have_count(1)
    expect(page.locator("button:has-text('Watered today ✓')")).to_have_count(1)
    assert page.evaluate("window.notReloaded") is True
    assert page.errors == []


def test_workshop_booking_updates_seats_and_balance(seeded, live_server, page):
    create_user(balance_cents=100_00)
    log_in_browser(page, live_server.url)
    page.goto(live_server.url + "/workshops")
    card = page.locator("#workshop-terrarium-building")
    expect(card.locator(".seats")).to_have_text("8 of 8 seats left")
    card.locator("select").select_option("1")
    card.locator("button:has-text('Book')").click()
    # step two: the total and the balance after, before anything is charged
    confirm = page.locator("#workshop-terrarium-building")
    expect(confirm.locator("h2")).to_have_text("Confirm: Build a closed terrarium")
    expect(confirm.locator(".confirm-sums")).to_contain_text("$45.00")
    expect(page.locator("#header-balance")).to_have_text("$100.00")
    confirm.locator("button:has-text('Pay $55.00 and book')").click()
    expect(page.locator("#workshop-terrarium-building .seats")).to_have_text("7 of 8 seats left")
    expect(page.locator("#workshop-terrarium-building [role=status]")).to_contain_text("Booked 1 seat")
    expect(page.locator("#header-balance")).to_have_text("$45.00")
    page.locator("#workshop-terrarium-building button:has-text('Book more')").click()
    expect(page.locator("#workshop-terrarium-building .confirm-sums")).to_contain_text("short by $10.00")
    expect(page.locator("#workshop-terrarium-building button:has-text('Pay')")).to_be_disabled()
    screenshot(page, "workshops.png")
    page.locator("#workshop-terrarium-building a:has-text('Back')").click()
    expect(page.locator("#workshop-terrarium-building .seats")).to_have_text("7 of 8 seats left")
    with database.connection_context():
        assert Workshop.get(Workshop.slug == "terrarium-building").seats_left == 7
        assert Booking.select().count() == 1
    # cancel from the account page: the seats come back and so does the money
    page.goto(live_server.url + "/account")
    page.once("dialog", lambda dialog: dialog.accept())  # hx-confirm asks first
    page.locator("#bookings button:has-text('Cancel')").click()
    expect(page.locator("#bookings")).to_contain_text("Cancelled, refunded")
    expect(page.locator("#header-balance")).to_have_text("$100.00")
    with database.connection_context():
        assert Workshop.get(Workshop.slug == "terrarium-building").seats_left == 8
    assert page.errors == []
