"""The small print on a phone and a wide screen (issue 26): no separator "·" left dangling at a line's
start or end (the finder's "Pilea peperomioides ·", the product page's "· SKU"), a card's SKU on one line
and its stock pill inside the card, My Jungle's "Next in 7 days" on one line, and nothing past the
viewport's edge. Screenshots go to $SHOP_SHOTS_DIR when it is set."""
import os

import pytest

from shop.db import database
from shop.models import Product

from .conftest import buy, create_user, log_in_browser
from .test_browser_tables import OVERFLOWING

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SHOP_SHOTS_DIR", "")

DANGLING_SEPARATORS = """() => {
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  const chars = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('.visually-hidden')) continue;
    for (let i = 0; i < node.data.length; i++) if (node.data[i].trim()) chars.push([node, i]);
  }
  const box = ([node, i]) => { const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
                               return range.getBoundingClientRect(); };
  const bad = [];
  chars.forEach((char, k) => {
    if (char[0].data[char[1]] !== '·' || k === 0 || k === chars.length - 1) return;
    const here = box(char), before = box(chars[k - 1]), after = box(chars[k + 1]);
    if (!here.height || !before.height || !after.height) return;
    if (Math.abs(here.top - before.top) > 4 || Math.abs(here.top - after.top) > 4) {
      bad.push(char[0].parentElement.closest('p, span, div, li').textContent.replace(/\\s+/g, ' ').trim().slice(0, 60));
    }
  });
  return bad;
}"""

LINES = "(selector) => Array.from(document.querySelectorAll(selector)).map((element) => { const range = " \
        "document.createRange(); range.selectNodeContents(element); return new Set(Array.from(range.getClientRects())" \
        ".filter((r) => r.width > 0).map((r) => Math.round(r.top))).size; })"


@pytest.mark.parametrize("width", [390, 1280])
def test_the_small_print_sits_right(seeded, app, live_server, browser, width):
    user = create_user(balance_cents=900_00)
    with database.connection_context():
        pilea = Product.get(Product.sku == "FH-10009").id
    buy(app, user, [(pilea, 1)], "jungle")
    context = browser.new_context(viewport={"width": width, "height": 844})
    page = context.new_page()
    log_in_browser(page, live_server.url)
    problems = {}
    for name, path in [("catalogue", "/"), ("product", "/products/FH-10008"), ("jungle", "/jungle"),
                       ("finder", "/finder?light=bright&water=weekly&pets=yes&experience=beginner&space=small"),
                       ("guides", "/guides")]:
        page.goto(live_server.url + path)
        if SHOTS:
            os.makedirs(SHOTS, exist_ok=True)
            page.screenshot(path=os.path.join(SHOTS, f"{name}-{width}.png"), full_page=name != "catalogue")
        found = page.evaluate(DANGLING_SEPARATORS) + page.evaluate(OVERFLOWING)
        if found:
            problems[path] = found[:5]
    page.goto(live_server.url + "/")
    assert set(page.evaluate(LINES, ".card .sku")) == {1}  # never "FH-" / "10008"
    gaps = page.evaluate("""() => Array.from(document.querySelectorAll('.card')).slice(0, 12).map((card) => {
        const badge = card.querySelector('.card-bottom .badge').getBoundingClientRect();
        return Math.round(card.getBoundingClientRect().right - badge.right); })""")
    assert min(gaps) >= 8, gaps  # the pill keeps the card's padding
    page.goto(live_server.url + "/jungle")
    assert page.evaluate(LINES, ".jungle-due .next") == [1]  # "Next in 7 days" on one line
    context.close()
    assert problems == {}
