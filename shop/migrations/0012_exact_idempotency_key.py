"""Idempotency keys compared byte for byte, on MySQL as on SQLite (issue 25).

The checkout form's key (orders.cart.new_idempotency_key(): URL-safe base64, both cases) and the
booking form's were stored in utf8mb4_unicode_ci columns, so MariaDB called `CaseKey-1` and `casekey-1`
the same key: a second form whose key differed only in case was answered with the first order and bought
nothing. The columns now compare bytes (utf8mb4_bin), as migration 0005 did for email addresses. A binary
collation rather than a stored hash: the key stays readable for support, the column, index and code stay
as they are, and no stored row needs rewriting (the old, looser unique index cannot hold two keys that
the new one would call equal, so the change cannot fail on existing rows).
"""

COLUMN = "idempotency_key VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL"


def up(db, mysql):
    """Give orders.idempotency_key and bookings.idempotency_key a binary collation (MySQL; SQLite is binary)."""
    if mysql:
        for table in ("orders", "bookings"):
            db.execute_sql(f"ALTER TABLE {table} MODIFY {COLUMN}")
