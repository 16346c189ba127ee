"""Which shelves hold plants (categories.holds_plants), and what nothing uses any more.

- categories.holds_plants: a bought product joins My Jungle when its category holds plants. Existing
  categories are filled in from their products: a category none of whose products has a light need
  (pots, tools, soil) holds no plants.
- Dropped on MySQL: the FULLTEXT indexes guides_fulltext and products_description_fulltext, which no
  query uses but every write maintained.
- Dropped: users.session_token, left by the first release on databases it made (sessions moved to
  user_sessions in the second).
"""
from . import columns_of

FILL = """UPDATE categories SET holds_plants = 0
          WHERE EXISTS (SELECT 1 FROM products p WHERE p.category_id = categories.id)
            AND NOT EXISTS (SELECT 1 FROM products p WHERE p.category_id = categories.id AND p.light IS NOT NULL)"""


def indexes(db, table):
    """The index names of a MySQL table."""
    rows = db.execute_sql("SELECT DISTINCT index_name FROM information_schema.statistics "
                          "WHERE table_schema = DATABASE() AND table_name = %s", (table,))
    return {row[0] for row in rows}


def up(db, mysql):
    """Add the shelf flag and fill it; drop the unused indexes and the dead column."""
    if "holds_plants" not in columns_of(db, mysql, "categories"):
        db.execute_sql("ALTER TABLE categories ADD COLUMN holds_plants "
                       + ("TINYINT(1) NOT NULL DEFAULT 1" if mysql else "INTEGER NOT NULL DEFAULT 1"))
        db.execute_sql(FILL)
    if mysql:
        for table, index in (("guides", "guides_fulltext"), ("products", "products_description_fulltext")):
            if index in indexes(db, table):
                db.execute_sql(f"ALTER TABLE {table} DROP INDEX {index}")
    if "session_token" in columns_of(db, mysql, "users"):
        db.execute_sql("ALTER TABLE users DROP COLUMN session_token")
