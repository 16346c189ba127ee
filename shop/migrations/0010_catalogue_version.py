"""The catalogue's version: one number that moves whenever what a search or a filter answers may have
changed, so every worker can keep its search answers until then (shop/catalog/answers.py); and the
version of its words, which moves only when the words a search can find may have (a name, a latin name,
a product shown or hidden, added or removed, a category), for the did-you-mean vocabulary
(shop/catalog/spelling.py), whose rebuild reads every product.

Triggers move it, so no code path can forget to: a product added or removed, any column of a product
changed except its stock, or its stock crossing zero (which puts it in or out of "in stock"); a category
added, changed or removed. A sale that leaves a plant in stock does not move it: it changes no search
answer (the card's stock is read fresh) and so touches no shared row. The UPDATE's own WHERE carries the
condition, so a product update that changes nothing searchable locks nothing (InnoDB sees no row to lock).
"""
# Every column of products but id and stock. A migration that adds a column to products recreates the
# triggers with it (tests/test_answers.py checks the triggers name every column of the model).
WATCHED = ["sku", "name", "latin_name", "category_id", "guide_id", "price_cents", "rating", "rating_count",
           "light", "pet_safe", "difficulty", "size", "water_every_days", "description", "care_summary",
           "keywords", "created_at", "hidden"]
WORDS = ["name", "latin_name", "hidden", "category_id"]  # what the did-you-mean vocabulary is made of
BUMP = "UPDATE catalogue_state SET version = version + 1, words_version = words_version + 1 WHERE id = 1"


def differs(columns, mysql):
    """Conditions, one per column: its old and new values differ (NULL-safe on both engines)."""
    return [f"NOT (OLD.{column} <=> NEW.{column})" if mysql else f"OLD.{column} IS NOT NEW.{column}"
            for column in columns]


def changed(mysql):
    """The condition of a product update that moves the version."""
    return "(" + " OR ".join(differs(WATCHED, mysql) + ["(OLD.stock > 0) <> (NEW.stock > 0)"]) + ")"


def words_changed(mysql):
    """1 when a product update changed its words (or whether it is shown), else 0."""
    return f"CASE WHEN {' OR '.join(differs(WORDS, mysql))} THEN 1 ELSE 0 END"


def triggers(mysql):
    """{name: CREATE TRIGGER statement} for this engine."""
    found = {}
    update = ("UPDATE catalogue_state SET version = version + 1, "
              f"words_version = words_version + {words_changed(mysql)} WHERE id = 1")
    for table in ("products", "categories"):
        for event in ("INSERT", "UPDATE", "DELETE"):
            product_update = (table, event) == ("products", "UPDATE")
            statement, condition = (update, changed(mysql)) if product_update else (BUMP, None)
            name = f"{table}_version_{event.lower()}"
            if mysql:
                where = f" AND {condition}" if condition else ""
                found[name] = (f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW "
                               f"BEGIN {statement}{where}; END")
            else:
                when = f" WHEN {condition}" if condition else ""
                found[name] = (f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {table}{when} "
                               f"BEGIN {statement}; END")
    return found


def up(db, mysql):
    """Create catalogue_state with its one row, and the triggers (each only if missing)."""
    if mysql:
        db.execute_sql("CREATE TABLE IF NOT EXISTS catalogue_state (id INT NOT NULL PRIMARY KEY, "
                       "version BIGINT NOT NULL, words_version BIGINT NOT NULL) "
                       "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci")
        db.execute_sql("INSERT IGNORE INTO catalogue_state (id, version, words_version) VALUES (1, 0, 0)")
        present = {row[0] for row in db.execute_sql(
            "SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = DATABASE()")}
    else:
        db.execute_sql('CREATE TABLE IF NOT EXISTS "catalogue_state" ("id" INTEGER NOT NULL PRIMARY KEY, '
                       '"version" INTEGER NOT NULL, "words_version" INTEGER NOT NULL)')
        db.execute_sql('INSERT OR IGNORE INTO "catalogue_state" ("id", "version", "words_version") VALUES (1, 0, 0)')
        present = set()
    for name, statement in triggers(mysql).items():
        if name not in present:
            db.execute_sql(statement)
