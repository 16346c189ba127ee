"""Care guides: one per plant family, searchable as you type, each linking to the plants it covers."""
import re

from flask import Blueprint, abort, make_response, render_template, request, url_for

from ..catalog.listing import products_per_guide
from ..htmx import render_page_or_fragment, set_push_url
from .care_guides import find_guides, guide_by_slug, plants_of_guide

bp = Blueprint("guides", __name__)

SECTION = re.compile(r"^## (.+)$", re.M)


def guide_sections(body):
    """[(heading, text)] from a guide body written as '## Heading' lines and paragraphs."""
    parts = SECTION.split(body or "")
    return [(parts[i].strip(), parts[i + 1].strip()) for i in range(1, len(parts) - 1, 2)]


@bp.get("/guides")
def index():
    """All care guides; the search box narrows them as you type (fragment for htmx)."""
    text = (request.args.get("q") or "").strip()[:100]
    exact = request.args.get("exact") == "1"
    guides, shown = find_guides(text, exact)
    counts = products_per_guide()
    response = make_response(render_page_or_fragment(
        "templates/guides/index.html", "partials/guides/list.html", guides=guides, q=text, shown=shown,
        counts=counts, exact_url=url_for("guides.index", q=text, exact=1)))
    return set_push_url(response, url_for("guides.index", q=text or None, exact=1 if exact and text else None))


@bp.get("/guides/<slug>")
def guide(slug):
    """One guide: light, watering, humidity, soil, repotting, problems, pets, and its plants."""
    item = guide_by_slug(slug)
    if item is None:
        abort(404)
    return render_template("templates/guides/guide.html", guide=item, sections=guide_sections(item.body),
                           plants=plants_of_guide(item))
