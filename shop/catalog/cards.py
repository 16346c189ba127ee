"""Product cards kept as HTML by what they show.

A results page is 24 cards, and rendering them is most of a search's time once its answer is known
(catalog/answers.py): three templates per card, four URLs, escaping. A card's HTML depends only on what it
shows (the product's name, price, rating, stock, shelf) and on the session's CSRF token in its "Add to
cart" form. So each worker keeps every card it rendered, keyed on exactly those values, with a stand-in for
the token that is swapped for the visitor's own as the card goes out. A changed price or a sale is a new
key, so a card never shows an old value; the least recently used cards make room for new ones.
"""
from flask import current_app, g
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from .answers import Answers

MAX_CARDS = 5000  # per worker: about 6 MB of HTML
# Where the card's form carries the session's CSRF token: raw markup, which no escaped product text can
# contain (a name's "<" always comes out as "&lt;"), so only the stand-in is ever swapped.
TOKEN = Markup("<csrf-token-of-this-visitor>")


def shown(product):
    """Everything a card shows, as a key."""
    return (product.id, product.sku, product.name, product.latin_name, product.category.name,
            str(product.rating), product.rating_count, product.price_cents, product.stock)


def card(product):
    """The card of one product (partials/catalog/card.html) for this visitor (a template global)."""
    store = current_app.extensions.setdefault("product_cards", Answers(MAX_CARDS))
    key = shown(product)
    html = store.get(0, key)
    if html is None:
        # rendered outside render_template: it is a part of the page, not an answer of its own
        html = current_app.jinja_env.get_template("partials/catalog/card.html").render(
            product=product, csrf_token=lambda: TOKEN)
        store.put(0, key, html)
    if "card_token" not in g:
        g.card_token = str(escape(generate_csrf()))
    return Markup(html.replace(TOKEN, g.card_token))
