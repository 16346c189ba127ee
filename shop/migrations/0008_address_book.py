"""The address book: a customer's delivery addresses (/account/addresses)."""

CREATE = {
    True: """CREATE TABLE IF NOT EXISTS addresses (
               id         INT          AUTO_INCREMENT PRIMARY KEY,
               user_id    INT          NOT NULL,
               name       VARCHAR(100) NOT NULL,
               line1      VARCHAR(120) NOT NULL,
               line2      VARCHAR(120) NOT NULL DEFAULT '',
               town       VARCHAR(80)  NOT NULL,
               postcode   VARCHAR(16)  NOT NULL,
               country    VARCHAR(2)   NOT NULL,
               is_default TINYINT(1)   NOT NULL DEFAULT 0,
               created_at DATETIME     NOT NULL,
               KEY addresses_user_id (user_id),
               CONSTRAINT addresses_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
             ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci""",
    False: """CREATE TABLE IF NOT EXISTS "addresses" ("id" INTEGER NOT NULL PRIMARY KEY,
               "user_id" INTEGER NOT NULL, "name" VARCHAR(100) NOT NULL, "line1" VARCHAR(120) NOT NULL,
               "line2" VARCHAR(120) NOT NULL DEFAULT '', "town" VARCHAR(80) NOT NULL,
               "postcode" VARCHAR(16) NOT NULL, "country" VARCHAR(2) NOT NULL,
               "is_default" INTEGER NOT NULL DEFAULT 0, "created_at" DATETIME NOT NULL,
               FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE)""",
}


def up(db, mysql):
    """Create the table (and on SQLite its index)."""
    db.execute_sql(CREATE[mysql])
    if not mysql:
        db.execute_sql('CREATE INDEX IF NOT EXISTS "addresses_user_id" ON "addresses" ("user_id")')
