"""Email addresses unique by their exact (already lower-cased) text, on MySQL as on SQLite.

MySQL's utf8mb4_unicode_ci collation calls "straße@x" and "strasse@x" (and full-width letters and
their ASCII twins) the same address, so one could block the other's registration, while SQLite's
binary comparison keeps them apart. The address columns now compare byte for byte (utf8mb4_bin) on
MySQL too. The app lower-cases and normalises addresses before storing them, so nothing else changes.
"""


def up(db, mysql):
    """Give users.email and users.pending_email a binary collation (MySQL; SQLite is binary already)."""
    if mysql:
        db.execute_sql("ALTER TABLE users MODIFY email VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL")
        db.execute_sql("ALTER TABLE users MODIFY pending_email VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL")
