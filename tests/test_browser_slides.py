"""The slides of /dev/slides on a projector: every slide fits 1280×720 and 1024×768 with nothing cut off or
hidden behind the footer, and the speaker notes show only in the notes view."""
import os
from pathlib import Path

import pytest

from shop.slides import split_slides

pytestmark = pytest.mark.browser

ROOT = Path(__file__).parent.parent
SHOTS = os.environ.get("SHOP_SLIDE_SHOTS", "/tmp/shots-ui-slides")
SIZES = [(1280, 720), (1024, 768)]

MEASURE = """() => {
  const slide = document.getElementById("slide"), nav = document.querySelector(".slide-nav");
  const footer = nav.getBoundingClientRect().top, box = slide.getBoundingClientRect();
  const problems = [];
  if (slide.scrollHeight > slide.clientHeight + 1)
    problems.push(`taller than its box: ${slide.scrollHeight} > ${slide.clientHeight}`);
  if (slide.scrollWidth > slide.clientWidth + 1) problems.push(`wider than its box: ${slide.scrollWidth} > ${slide.clientWidth}`);
  for (const element of slide.querySelectorAll("*")) {
    const rect = element.getBoundingClientRect();
    const name = element.tagName + " " + (element.textContent || "").trim().slice(0, 40);
    if (rect.height && rect.bottom > footer + 1) problems.push(`behind the footer: ${name}`);
    if (rect.width && (rect.right > box.right + 1 || rect.left < box.left - 1)) problems.push(`outside the slide: ${name}`);
    if (element.scrollWidth > element.clientWidth + 1 && getComputedStyle(element).overflowX !== "visible")
      problems.push(`scrolls sideways: ${name}`);
  }
  return problems;
}"""


def count():
    """How many slides docs/PRESENTATION.md has."""
    return len(split_slides((ROOT / "docs" / "PRESENTATION.md").read_text()))


@pytest.mark.parametrize("width, height", SIZES)
def test_every_slide_fits_the_projector(app, live_server, browser, width, height):
    app.config["SHOP_ENV"] = "development"
    context = browser.new_context(viewport={"width": width, "height": height})
    tab = context.new_page()
    overflowing = {}
    for number in range(1, count() + 1):
        tab.goto(f"{live_server.url}/dev/slides/{number}")
        problems = tab.evaluate(MEASURE)
        if problems:
            overflowing[number] = problems[:3]
        if number in (2, 7, 10, 15):
            os.makedirs(SHOTS, exist_ok=True)
            tab.screenshot(path=os.path.join(SHOTS, f"slide-{number}-{width}x{height}.png"))
    context.close()
    assert overflowing == {}


def test_notes_show_only_in_the_notes_view(app, live_server, page):
    app.config["SHOP_ENV"] = "development"
    page.goto(f"{live_server.url}/dev/slides/7")
    assert page.locator(".slide-notes").count() == 0
    page.keyboard.press("ArrowRight")
    page.wait_for_url("**/dev/slides/8")
    page.goto(f"{live_server.url}/dev/slides/7?notes=1")
    assert page.locator(".slide-notes").is_visible() and "parse_filters" in page.locator(".slide-notes").inner_text()
    page.screenshot(path=os.path.join(SHOTS, "slide-7-notes.png"), full_page=True)
    page.keyboard.press("ArrowRight")
    page.wait_for_url("**/dev/slides/8?notes=1")  # the presenter's view stays the notes view
    assert [error for error in page.errors if "favicon.ico" not in error] == []  # the icon is not ours to add
