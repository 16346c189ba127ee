"""Care guides: one per plant family, searchable as you type, each linking to the plants it covers."""
import re
from collections import Counter

from flask import Blueprint, abort, make_response, render_template, request, url_for

from ..catalog.listing import products_per_guide
from ..catalog.search import WORD
from ..catalog.spelling import suggest, vocabulary_of
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


def guide_words():
    """The guides' vocabulary for did you mean: every word of 3+ letters of their titles, families, summaries
    and texts, weighted by how often it appears. Built only when a search finds nothing (a dozen guides)."""
    weights = Counter()
    for row in Guide.select(Guide.title, Guide.family, Guide.summary, Guide.body).tuples():
        weights.update(word for word in WORD.findall(" ".join(row).lower()) if len(word) >= 3 and not word.isdigit())
    return vocabulary_of(dict(weights))


def find_guides(text, exact=False):
    """(the guides for the text, the text they were found for): when nothing matches, those of the text
    with its misspelt words corrected from the guides' own words, as the catalogue does (unless `exact`)."""
    guides = matching_guides(text)
    if text and not guides and not exact:
        better = suggest(text, guide_words())
        corrected = matching_guides(better) if better else []
        if corrected:
            return corrected, better
    return guides, text


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
    item = Guide.get_or_none(Guide.slug == slug[:80])
    if item is None:
        abort(404)
    plants = list(Product.select(Product, Category).join(Category)
                  .where(Product.guide == item, Product.hidden == False)  # noqa: E712
                  .order_by((Product.stock > 0).desc(), Product.rating_count.desc(), Product.id.desc()).limit(12))
    return render_template("templates/guides/guide.html", guide=item, sections=guide_sections(item.body),
                           plants=plants)
