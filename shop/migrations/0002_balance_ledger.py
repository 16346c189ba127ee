"""The balance ledger: one row per change to a balance, for every user SUM(delta_cents) = balance.

Existing accounts get their history written back: an opening balance (today's balance plus all
they spent), then one row per order and workshop booking, in time order.
"""

CREATE = {
    True: """CREATE TABLE IF NOT EXISTS balance_ledger (
               id          INT AUTO_INCREMENT PRIMARY KEY,
               user_id     INT         NOT NULL,
               delta_cents INT         NOT NULL,
               reason      VARCHAR(20) NOT NULL,
               reference   VARCHAR(40) NOT NULL,
               created_at  DATETIME    NOT NULL,
               KEY balance_ledger_user_id_id (user_id, id),
               CONSTRAINT balance_ledger_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT
             ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci""",
    False: """CREATE TABLE IF NOT EXISTS "balance_ledger" ("id" INTEGER NOT NULL PRIMARY KEY,
               "user_id" INTEGER NOT NULL, "delta_cents" INTEGER NOT NULL, "reason" VARCHAR(20) NOT NULL,
               "reference" VARCHAR(40) NOT NULL, "created_at" DATETIME NOT NULL,
               FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE RESTRICT)""",
}
INDEX_SQLITE = 'CREATE INDEX IF NOT EXISTS "balance_ledger_user_id_id" ON "balance_ledger" ("user_id", "id")'

BACKFILL = """
INSERT INTO balance_ledger (user_id, delta_cents, reason, reference, created_at)
SELECT user_id, delta_cents, reason, reference, created_at FROM (
  SELECT u.id AS user_id,
         u.balance_cents + COALESCE((SELECT SUM(o.total_cents) FROM orders o WHERE o.user_id = u.id), 0)
                         + COALESCE((SELECT SUM(b.total_cents) FROM bookings b WHERE b.user_id = u.id), 0)
           AS delta_cents,
         'opening_balance' AS reason, '' AS reference, u.created_at AS created_at, 0 AS kind, u.id AS source_id
  FROM users u
  UNION ALL
  SELECT o.user_id, -o.total_cents, 'order', o.number, o.created_at, 1, o.id FROM orders o WHERE o.total_cents > 0
  UNION ALL
  SELECT b.user_id, -b.total_cents, 'booking', b.number, b.created_at, 2, b.id FROM bookings b WHERE b.total_cents > 0
) AS history
ORDER BY user_id, kind = 0 DESC, created_at, kind, source_id
"""


def up(db, mysql):
    """Create balance_ledger and write the history of every existing account into it."""
    db.execute_sql(CREATE[mysql])
    if not mysql:
        db.execute_sql(INDEX_SQLITE)
    if not db.execute_sql("SELECT 1 FROM balance_ledger LIMIT 1").fetchone():
        db.execute_sql(BACKFILL)
