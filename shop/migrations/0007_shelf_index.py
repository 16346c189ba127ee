"""Shelves are found by their index, not by the full-text index.

- keywords keep a product's tags only: its category's name is no longer copied in. A search word that
  names a shelf ("ferns", "cactus", "house") finds that shelf's products through category_id
  (catalog/search.py), so the full-text index no longer maps thousands of documents for such a word.
- products_shelf_popularity (category_id, hidden, rating_count): a shelf's visible products in
  popularity order, and how many there are, read from the index alone.
"""
from . import add_index

INDEX = "products_shelf_popularity"


def up(db, mysql):
    """Take each category's name off the front of its products' keywords; add the shelf index."""
    mark = "%s" if mysql else "?"
    for category_id, name in db.execute_sql("SELECT id, name FROM categories").fetchall():
        db.execute_sql(f"UPDATE products SET keywords = TRIM(SUBSTR(keywords, {mark})) "
                       f"WHERE category_id = {mark} AND SUBSTR(keywords, 1, {mark}) = {mark}",
                       (len(name) + 1, category_id, len(name), name))
    if mysql:
        # InnoDB keeps the old words of updated rows in its FULLTEXT index until the table is optimized
        # (a search for "fern" would still walk 9,000 deleted entries); OPTIMIZE rebuilds it.
        db.execute_sql("OPTIMIZE TABLE products").fetchall()
    add_index(db, mysql, "products", INDEX, ("category_id", "hidden", "rating_count"))
