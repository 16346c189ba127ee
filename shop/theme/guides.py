"""Care guides: one per plant family, searchable as you type, each linking to the plants it covers."""
import re

from flask import Blueprint, abort, make_response, render_template, request, url_for

from ..catalog.listing import products_per_guide
from ..htmx import render_page_or_fragment, set_push_url
from ..models import Category, Guide, Product

bp = Blueprint("guides", __name__)

SECTION = re.compile(r"^## (.+)$", re.M)


def guide_sections(body):
    """[(heading, text)] from a guide body written as '## Heading' lines and paragraphs."""
    parts = SECTION.split(body or "")
    return [(parts[i].strip(), parts[i + 1].strip()) for i in range(1, len(parts) - 1, 2)]


def matching_guides(text):
    """Guides whose title, family, summary or text contain every word typed (there are a dozen)."""
    query = Guide.select().order_by(Guide.title)
    for word in (text or "").split()[:6]:
        pattern = word[:40]
        query = query.where(Guide.title.contains(pattern) | Guide.family.contains(pattern)
                            | Guide.summary.contains(pattern) | Guide.body.contains(pattern))
    return list(query)


@bp.get("/guides")
def index():
    """All care guides; the search box narrows them as you type (fragment for htmx)."""
    text = (request.args.get("q") or "").strip()[:100]
    guides = matching_guides(text)
    counts = products_per_guide()
    response = make_response(render_page_or_fragment("templates/guides/index.html", "partials/guides/list.html",
                                                     guides=guides, q=text, counts=counts))
    return set_push_url(response, url_for("guides.index", q=text) if text else url_for("guides.index"))


@bp.get("/guides/<slug>")
def guide(slug):
    """One guide: light, watering, humidity, soil, repotting, problems, pets, and its plants."""
    item = Guide.get_or_none(Guide.slug == slug[:80])
    if item is None:
        abort(404)
    plants = list(Product.select(Product, Category).join(Category)
                  .where(Product.guide == item, Product.hidden == False)  # noqa: E712
                  .order_by((Product.stock > 0).desc(), Product.rating_count.desc(), Product.id.desc()).limit(12))
    return render_template("templates/guides/guide.html", guide=item, sections=guide_sections(item.body),
                           plants=plants)
