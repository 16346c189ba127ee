"""The contact form's messages (/contact), which the back office lists at /staff/messages."""

CREATE = {
    True: """CREATE TABLE IF NOT EXISTS contact_messages (
               id         INT          AUTO_INCREMENT PRIMARY KEY,
               name       VARCHAR(100) NOT NULL,
               email      VARCHAR(254) NOT NULL,
               message    TEXT         NOT NULL,
               created_at DATETIME     NOT NULL,
               KEY contact_messages_created_at (created_at)
             ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci""",
    False: """CREATE TABLE IF NOT EXISTS "contact_messages" ("id" INTEGER NOT NULL PRIMARY KEY,
               "name" VARCHAR(100) NOT NULL, "email" VARCHAR(254) NOT NULL, "message" TEXT NOT NULL,
               "created_at" DATETIME NOT NULL)""",
}


def up(db, mysql):
    """Create the table (and on SQLite its index)."""
    db.execute_sql(CREATE[mysql])
    if not mysql:
        db.execute_sql('CREATE INDEX IF NOT EXISTS "contact_messages_created_at" ON "contact_messages" ("created_at")')
