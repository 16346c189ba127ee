"""Two shelf indexes for the counts beside the category boxes when no search text narrows them
(catalog.listing.category_counts): each shelf's products in stock, and by rating, counted up to 1,000 from
the index alone. "In stock" had been a pass over every row (43 ms on SQLite, 32 ms on MariaDB at 100,000
products; now 2 and 9 ms)."""
from . import add_index

INDEXES = {
    "products_shelf_stock": ("category_id", "hidden", "stock"),
    "products_shelf_rating": ("category_id", "hidden", "rating"),
}


def up(db, mysql):
    """Create each index if it is missing."""
    for name, columns in INDEXES.items():
        add_index(db, mysql, "products", name, columns)
