"""The catalogue on a phone (390 px): the filters in a sheet opened by a Filters (n) button and closed onto
the results, with the live count; a compact header with a menu; one search box. And on a wide screen the
sidebar and the row of links as before."""
import pytest
from playwright.sync_api import expect

from shop.db import database
from shop.models import Category, Product

from .conftest import screenshot

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def settles(page):
    """Count htmx's settled swaps on <body data-settles> (content is wired up ~20 ms after a swap)."""
    page.evaluate("document.body.dataset.settles = '0'; document.body.addEventListener('htmx:afterSettle', "
                  "() => { document.body.dataset.settles = String(Number(document.body.dataset.settles) + 1) })")


def test_the_filter_sheet_opens_counts_and_closes_onto_the_results(seeded, live_server, browser):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + "/")
    settles(page)
    sheet = page.locator("#filter-panel")
    expect(sheet).to_be_hidden()  # not below 24 cards any more: folded away
    expect(page.locator("#filters-open")).to_have_text("Filters")
    page.click("#filters-open")
    expect(sheet).to_be_visible()
    box = sheet.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"] + 1  # on screen, over the bottom of it
    with database.connection_context():
        ferns = Product.select().join(Category).where(Category.slug == "ferns", Product.hidden == False).count()  # noqa: E712
    page.check("input[name=category][value=ferns]")
    expect(page.locator("#sheet-show")).to_have_text(f"Show {ferns} plants")
    expect(page.locator("#filters-open")).to_have_text("Filters (1)")
    expect(sheet).to_be_visible()  # still open while choosing
    screenshot(page, "phone-filter-sheet.png")
    page.click("#sheet-show")
    expect(sheet).to_be_hidden()
    results = page.locator("#results").bounding_box()
    assert -2 <= results["y"] < PHONE["height"] / 2  # the results are in view (scrolled to their top)
    assert page.locator("#grid li.card").count() == ferns
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert errors == []
    context.close()


def test_a_compact_header_with_a_menu_and_one_search_box(seeded, live_server, browser):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/")
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 150  # was 199 px of 844
    expect(page.locator(".nav-row")).to_be_hidden()
    menu = page.locator(".nav-menu")
    expect(menu.locator("a:has-text('Workshops')")).to_be_hidden()
    menu.locator("summary").click()
    expect(menu.locator("a:has-text('Workshops')")).to_be_visible()
    expect(menu.locator("a:has-text('My Jungle')")).to_be_visible()
    assert page.locator("input[type=search]").count() == 1  # the header's box is the catalogue's search
    page.fill("#q", "fern")
    page.wait_for_url("**/products?q=fern")
    expect(page.locator(".result-count")).to_contain_text("for “fern”")
    assert page.locator("#results").bounding_box()["y"] < PHONE["height"]  # the results are in view
    screenshot(page, "phone-header-search.png")
    context.close()


def test_a_wide_screen_keeps_the_sidebar_and_the_row_of_links(seeded, live_server, page):
    page.goto(live_server.url + "/products?category=ferns")
    expect(page.locator("#filter-panel")).to_be_visible()
    expect(page.locator("#filters-open")).to_be_hidden()
    expect(page.locator(".nav-menu")).to_be_hidden()
    expect(page.locator(".nav-row a:has-text('Workshops')")).to_be_visible()
    assert page.locator("input[type=search]").count() == 1
    page.goto(live_server.url + "/guides")  # elsewhere the header's own search form
    assert page.locator("#header-q").count() == 1
    assert page.errors == []
