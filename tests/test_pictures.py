"""Pictures of the real plant (shop/catalog/pictures.py, shop/catalog/plant_forms.py): a form by genus where
the shelf cannot tell (the ZZ plant, snake plant, money plant and fiddle-leaf fig no longer share the
monstera), at least 16 forms, varied by the SKU, cached with an ETag; and a contact sheet of every
hand-written product, rendered in Chromium for a person to look at (docs/contact-sheet.png)."""
import tomllib
from pathlib import Path
from xml.etree import ElementTree

import pytest

from shop.catalog.pictures import CATEGORY_SHAPES, product_svg, shape_for
from shop.db import database
from shop.models import Category, Product

ROOT = Path(__file__).parent.parent
CATALOGUE = tomllib.loads((ROOT / "shop" / "data" / "catalogue.toml").read_text())["product"]


@pytest.mark.parametrize("latin, category, form", [
    ("Zamioculcas zamiifolia", "tropicals", "paddle"), ("Dracaena trifasciata 'Laurentii'", "tropicals", "sword"),
    ("Ficus lyrata", "tropicals", "fiddle"), ("Ficus elastica 'Tineke'", "tropicals", "fiddle"),
    ("Ficus benjamina", "trees-shrubs", "tree"), ("Pilea peperomioides", "tropicals", "coin"),
    ("Echinocactus grusonii", "succulents-cacti", "globe"), ("Opuntia microdasys", "succulents-cacti", "pads"),
    ("Schlumbergera truncata", "succulents-cacti", "pads"), ("Acanthocereus tetragonus", "succulents-cacti", "cactus"),
    ("Allium schoenoprasum", "herbs", "grass"), ("Monstera deliciosa", "tropicals", "split_leaf"),
    ("Aloe barbadensis miller", "succulents-cacti", "sword"), ("Nephrolepis exaltata", "ferns", "fern"),
])
def test_the_form_follows_the_genus_then_the_shelf(latin, category, form):
    assert shape_for(category, "", latin) == form


def test_every_hand_written_product_is_drawn_and_the_forms_are_many():
    categories = {entry["slug"]: entry for entry in tomllib.loads(
        (ROOT / "shop" / "data" / "catalogue.toml").read_text())["category"]}
    forms = set()
    for number, entry in enumerate(CATALOGUE):
        forms.add(shape_for(entry["category"], entry.get("tags", ""), entry["latin"]))
        svg = product_svg(f"FH-{10001 + number}", entry["name"], entry["category"], entry.get("size", "medium"),
                          entry.get("tags", ""), entry["latin"])
        root = ElementTree.fromstring(svg)  # well-formed, with its name for screen readers
        assert root.get("aria-label") == entry["name"]
    assert len(forms) >= 16 and set(CATEGORY_SHAPES) <= set(categories)
    # two plants of one form differ (the SKU varies leaves, sizes and colours)
    assert product_svg("FH-1", "A", "tropicals", latin_name="Pilea peperomioides") != \
        product_svg("FH-2", "A", "tropicals", latin_name="Pilea peperomioides")


def test_a_picture_is_cached_and_revalidated_with_its_etag(seeded, client):
    first = client.get("/products/FH-10007/picture.svg")
    assert first.status_code == 200 and first.content_type.startswith("image/svg+xml")
    assert first.headers["Cache-Control"] == "public, max-age=86400" and first.headers["ETag"]
    again = client.get("/products/FH-10007/picture.svg", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    monstera = client.get("/products/FH-10001/picture.svg").get_data(as_text=True)
    assert first.get_data(as_text=True) != monstera  # the ZZ plant is not a monstera any more


@pytest.mark.browser
def test_the_contact_sheet_of_every_hand_written_product(seeded, live_server, browser, engine):
    """Every hand-written product's picture on one page, each loaded as an image; saved for a person."""
    with database.connection_context():
        products = list(Product.select(Product, Category).join(Category).where(Product.sku <= "FH-10068")
                        .order_by(Product.id))
    cells = "".join(f'<figure><img src="{live_server.url}/products/{p.sku}/picture.svg" width="120" height="120" '
                    f'alt=""><figcaption>{p.name}</figcaption></figure>' for p in products)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_content("<style>body{font:11px sans-serif;margin:12px;display:grid;grid-template-columns:repeat(10,1fr);"
                    "gap:6px} figure{margin:0;text-align:center} img{display:block;margin:auto}</style>" + cells)
    tab.wait_for_load_state("networkidle")
    assert len(products) == 68
    assert tab.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
    if engine == "sqlite":
        tab.screenshot(path=str(ROOT / "test-artifacts" / "contact-sheet.png"), full_page=True)
    context.close()


def test_a_bag_of_cactus_grit_is_a_bag():
    assert shape_for("soil-care", "cactus grit gritty", "") == "bag"
    assert shape_for("succulents-cacti", "cactus columnar", "") == "cactus"
