"""Delivery on orders: the method (collect, standard, next_day), its price, the date it should arrive, and a
copy of the address it was sent to (later edits to the address book never change a past order)."""
from . import columns_of

ADD = [
    ("delivery_method", "VARCHAR(12) NOT NULL DEFAULT 'collect'", "VARCHAR(12) NOT NULL DEFAULT 'collect'"),
    ("delivery_cents", "INT NOT NULL DEFAULT 0", "INTEGER NOT NULL DEFAULT 0"),
    ("ship_to", "TEXT NULL", "TEXT"),
    ("expected_on", "DATE NULL", "DATE"),
]


def up(db, mysql):
    """Add the columns (each only if missing)."""
    present = columns_of(db, mysql, "orders")
    for column, mysql_type, sqlite_type in ADD:
        if column not in present:
            db.execute_sql(f"ALTER TABLE orders ADD COLUMN {column} {mysql_type if mysql else sqlite_type}")
