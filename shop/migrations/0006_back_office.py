"""The back office: staff accounts, hidden products and reviews, order status, cancelled workshops,
and the audit trail of every change made there (staff_actions)."""
from . import columns_of

ADD = [
    ("users", "is_staff", "TINYINT(1) NOT NULL DEFAULT 0", "INTEGER NOT NULL DEFAULT 0"),
    ("products", "hidden", "TINYINT(1) NOT NULL DEFAULT 0", "INTEGER NOT NULL DEFAULT 0"),
    ("reviews", "hidden", "TINYINT(1) NOT NULL DEFAULT 0", "INTEGER NOT NULL DEFAULT 0"),
    ("orders", "status", "VARCHAR(12) NOT NULL DEFAULT 'placed'", "VARCHAR(12) NOT NULL DEFAULT 'placed'"),
    ("orders", "status_changed_at", "DATETIME NULL", "DATETIME"),
    ("workshops", "cancelled_at", "DATETIME NULL", "DATETIME"),
]

CREATE = {
    True: """CREATE TABLE IF NOT EXISTS staff_actions (
               id            INT AUTO_INCREMENT PRIMARY KEY,
               staff_user_id INT         NOT NULL,
               action        VARCHAR(40) NOT NULL,
               object_type   VARCHAR(20) NOT NULL,
               object_id     VARCHAR(40) NOT NULL,
               `before`      TEXT        NULL,
               `after`       TEXT        NULL,
               reason        TEXT        NULL,
               created_at    DATETIME    NOT NULL,
               KEY staff_actions_staff_user_id (staff_user_id),
               KEY staff_actions_created_at (created_at),
               KEY staff_actions_object_type_object_id (object_type, object_id),
               CONSTRAINT staff_actions_staff_user_fk FOREIGN KEY (staff_user_id) REFERENCES users (id) ON DELETE RESTRICT
             ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci""",
    False: """CREATE TABLE IF NOT EXISTS "staff_actions" ("id" INTEGER NOT NULL PRIMARY KEY,
               "staff_user_id" INTEGER NOT NULL, "action" VARCHAR(40) NOT NULL, "object_type" VARCHAR(20) NOT NULL,
               "object_id" VARCHAR(40) NOT NULL, "before" TEXT, "after" TEXT, "reason" TEXT,
               "created_at" DATETIME NOT NULL,
               FOREIGN KEY ("staff_user_id") REFERENCES "users" ("id") ON DELETE RESTRICT)""",
}
SQLITE_INDEXES = [
    'CREATE INDEX IF NOT EXISTS "staff_actions_staff_user_id" ON "staff_actions" ("staff_user_id")',
    'CREATE INDEX IF NOT EXISTS "staff_actions_created_at" ON "staff_actions" ("created_at")',
    'CREATE INDEX IF NOT EXISTS "staff_actions_object_type_object_id" ON "staff_actions" ("object_type", "object_id")',
]


def up(db, mysql):
    """Add the columns (each only if missing) and the audit table."""
    for table, column, mysql_type, sqlite_type in ADD:
        if column not in columns_of(db, mysql, table):
            db.execute_sql(f"ALTER TABLE {table} ADD COLUMN {column} {mysql_type if mysql else sqlite_type}")
    db.execute_sql(CREATE[mysql])
    if not mysql:
        for statement in SQLITE_INDEXES:
            db.execute_sql(statement)
