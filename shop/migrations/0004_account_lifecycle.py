"""The rest of an account's life: a new address waiting for confirmation, deleted accounts, cancelled
bookings, and messages to erase once delivered.

- users.pending_email: the address a customer asked to change to, until its link is clicked.
- users.deleted_at: set when a customer deletes the account; the row stays as a placeholder so orders
  and the ledger keep adding up, with every personal field replaced.
- bookings.cancelled_at: a booking cancelled (and refunded through the ledger) before the workshop.
- email_outbox.erase_after_send: the goodbye email of a deleted account is deleted once delivered.
"""
from . import columns_of

ADD = [
    ("users", "pending_email", "VARCHAR(254) NULL", "VARCHAR(254)"),
    ("users", "deleted_at", "DATETIME NULL", "DATETIME"),
    ("bookings", "cancelled_at", "DATETIME NULL", "DATETIME"),
    ("email_outbox", "erase_after_send", "TINYINT(1) NOT NULL DEFAULT 0", "INTEGER NOT NULL DEFAULT 0"),
]


def up(db, mysql):
    """Add the four columns (each only if missing, so a half-applied run can be repeated)."""
    for table, column, mysql_type, sqlite_type in ADD:
        if column not in columns_of(db, mysql, table):
            db.execute_sql(f"ALTER TABLE {table} ADD COLUMN {column} {mysql_type if mysql else sqlite_type}")
