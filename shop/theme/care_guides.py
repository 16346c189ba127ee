"""Care guides as data: the guides matching the words typed (corrected from the guides' own words when none
do), one guide by its slug, and the plants it covers."""
from collections import Counter

from ..catalog.search import WORD
from ..catalog.spelling import suggest, vocabulary_of
from ..models import Category, Guide, Product


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


def guide_by_slug(slug):
    """The guide with this slug, or None: the guide page's subject."""
    return Guide.get_or_none(Guide.slug == slug[:80])


def plants_of_guide(guide):
    """Up to a dozen visible plants the guide covers, in stock first, then the most reviewed: its page's cards."""
    return list(Product.select(Product, Category).join(Category)
                .where(Product.guide == guide, Product.hidden == False)  # noqa: E712
                .order_by((Product.stock > 0).desc(), Product.rating_count.desc(), Product.id.desc()).limit(12))
