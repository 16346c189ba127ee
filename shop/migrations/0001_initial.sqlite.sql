CREATE TABLE IF NOT EXISTS "workshops" ("id" INTEGER NOT NULL PRIMARY KEY, "slug" VARCHAR(80) NOT NULL, "title" VARCHAR(150) NOT NULL, "description" TEXT NOT NULL, "starts_at" DATETIME NOT NULL, "duration_minutes" INTEGER NOT NULL, "price_cents" INTEGER NOT NULL CHECK (price_cents >= 0), "seats_total" INTEGER NOT NULL, "seats_left" INTEGER NOT NULL CHECK (seats_left >= 0), "host" VARCHAR(100) NOT NULL);

CREATE TABLE IF NOT EXISTS "users" ("id" INTEGER NOT NULL PRIMARY KEY, "member_id" VARCHAR(16) NOT NULL, "username" VARCHAR(32) NOT NULL, "username_lower" VARCHAR(32) NOT NULL, "email" VARCHAR(254) NOT NULL, "password_hash" VARCHAR(255) NOT NULL, "verified_at" DATETIME, "balance_cents" INTEGER NOT NULL CHECK (balance_cents >= 0), "created_at" DATETIME NOT NULL);

CREATE TABLE IF NOT EXISTS "bookings" ("id" INTEGER NOT NULL PRIMARY KEY, "number" VARCHAR(20) NOT NULL, "workshop_id" INTEGER NOT NULL, "user_id" INTEGER NOT NULL, "seats" INTEGER NOT NULL CHECK (seats > 0), "total_cents" INTEGER NOT NULL CHECK (total_cents >= 0), "idempotency_key" VARCHAR(64) NOT NULL, "created_at" DATETIME NOT NULL, FOREIGN KEY ("workshop_id") REFERENCES "workshops" ("id") ON DELETE RESTRICT, FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE RESTRICT);

CREATE TABLE IF NOT EXISTS "categories" ("id" INTEGER NOT NULL PRIMARY KEY, "slug" VARCHAR(64) NOT NULL, "name" VARCHAR(100) NOT NULL, "description" TEXT NOT NULL, "position" INTEGER NOT NULL);

CREATE TABLE IF NOT EXISTS "guides" ("id" INTEGER NOT NULL PRIMARY KEY, "slug" VARCHAR(80) NOT NULL, "title" VARCHAR(150) NOT NULL, "family" VARCHAR(100) NOT NULL, "summary" TEXT NOT NULL, "body" TEXT NOT NULL, "created_at" DATETIME NOT NULL);

CREATE TABLE IF NOT EXISTS "products" ("id" INTEGER NOT NULL PRIMARY KEY, "sku" VARCHAR(16) NOT NULL, "name" VARCHAR(150) NOT NULL, "latin_name" VARCHAR(150) NOT NULL, "category_id" INTEGER NOT NULL, "guide_id" INTEGER, "price_cents" INTEGER NOT NULL CHECK (price_cents >= 0), "rating" DECIMAL(3, 2) NOT NULL, "rating_count" INTEGER NOT NULL, "stock" INTEGER NOT NULL CHECK (stock >= 0), "light" VARCHAR(16), "pet_safe" INTEGER, "difficulty" VARCHAR(16), "size" VARCHAR(16), "water_every_days" INTEGER, "description" TEXT NOT NULL, "care_summary" TEXT NOT NULL, "keywords" VARCHAR(255) NOT NULL, "created_at" DATETIME NOT NULL, FOREIGN KEY ("category_id") REFERENCES "categories" ("id") ON DELETE RESTRICT, FOREIGN KEY ("guide_id") REFERENCES "guides" ("id") ON DELETE SET NULL);

CREATE TABLE IF NOT EXISTS "cart_items" ("id" INTEGER NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "product_id" INTEGER NOT NULL, "quantity" INTEGER NOT NULL CHECK (quantity > 0), "added_at" DATETIME NOT NULL, FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE, FOREIGN KEY ("product_id") REFERENCES "products" ("id") ON DELETE CASCADE);

CREATE TABLE IF NOT EXISTS "email_outbox" ("id" INTEGER NOT NULL PRIMARY KEY, "recipient" VARCHAR(254) NOT NULL, "subject" VARCHAR(255) NOT NULL, "body_html" TEXT NOT NULL, "body_text" TEXT NOT NULL, "created_at" DATETIME NOT NULL, "sent_at" DATETIME, "attempts" INTEGER NOT NULL, "last_error" TEXT, "next_attempt_at" DATETIME NOT NULL, "claimed_by" VARCHAR(64), "claimed_at" DATETIME);

CREATE TABLE IF NOT EXISTS "orders" ("id" INTEGER NOT NULL PRIMARY KEY, "number" VARCHAR(20) NOT NULL, "user_id" INTEGER NOT NULL, "total_cents" INTEGER NOT NULL CHECK (total_cents >= 0), "balance_after_cents" INTEGER NOT NULL, "idempotency_key" VARCHAR(64) NOT NULL, "created_at" DATETIME NOT NULL, FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE RESTRICT);

CREATE TABLE IF NOT EXISTS "order_items" ("id" INTEGER NOT NULL PRIMARY KEY, "order_id" INTEGER NOT NULL, "product_id" INTEGER NOT NULL, "product_name" VARCHAR(150) NOT NULL, "quantity" INTEGER NOT NULL CHECK (quantity > 0), "unit_price_cents" INTEGER NOT NULL CHECK (unit_price_cents >= 0), FOREIGN KEY ("order_id") REFERENCES "orders" ("id") ON DELETE CASCADE, FOREIGN KEY ("product_id") REFERENCES "products" ("id") ON DELETE RESTRICT);

CREATE TABLE IF NOT EXISTS "jungle_plants" ("id" INTEGER NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "product_id" INTEGER NOT NULL, "order_item_id" INTEGER, "acquired_on" DATE NOT NULL, "last_watered_on" DATE, FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE, FOREIGN KEY ("product_id") REFERENCES "products" ("id") ON DELETE RESTRICT, FOREIGN KEY ("order_item_id") REFERENCES "order_items" ("id") ON DELETE SET NULL);

CREATE TABLE IF NOT EXISTS "rate_limit_hits" ("id" INTEGER NOT NULL PRIMARY KEY, "bucket" VARCHAR(150) NOT NULL, "created_at" DATETIME NOT NULL);

CREATE TABLE IF NOT EXISTS "reviews" ("id" INTEGER NOT NULL PRIMARY KEY, "product_id" INTEGER NOT NULL, "user_id" INTEGER NOT NULL, "rating" INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5), "body" TEXT NOT NULL, "created_at" DATETIME NOT NULL, FOREIGN KEY ("product_id") REFERENCES "products" ("id") ON DELETE CASCADE, FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE);

CREATE TABLE IF NOT EXISTS "user_sessions" ("id" INTEGER NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "token_hash" VARCHAR(64) NOT NULL, "created_at" DATETIME NOT NULL, "last_seen_at" DATETIME NOT NULL, FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE);

CREATE VIRTUAL TABLE IF NOT EXISTS "products_fts" USING fts5 ("name", "latin_name", "keywords", content=products, content_rowid=id, prefix='1 2 3', tokenize="unicode61 remove_diacritics 2");

CREATE UNIQUE INDEX IF NOT EXISTS "workshops_slug" ON "workshops" ("slug");

CREATE UNIQUE INDEX IF NOT EXISTS "users_member_id" ON "users" ("member_id");

CREATE UNIQUE INDEX IF NOT EXISTS "users_username_lower" ON "users" ("username_lower");

CREATE UNIQUE INDEX IF NOT EXISTS "users_email" ON "users" ("email");

CREATE UNIQUE INDEX IF NOT EXISTS "bookings_number" ON "bookings" ("number");

CREATE INDEX IF NOT EXISTS "bookings_workshop_id" ON "bookings" ("workshop_id");

CREATE UNIQUE INDEX IF NOT EXISTS "bookings_user_id_idempotency_key" ON "bookings" ("user_id", "idempotency_key");

CREATE UNIQUE INDEX IF NOT EXISTS "categories_slug" ON "categories" ("slug");

CREATE UNIQUE INDEX IF NOT EXISTS "guides_slug" ON "guides" ("slug");

CREATE UNIQUE INDEX IF NOT EXISTS "products_sku" ON "products" ("sku");

CREATE INDEX IF NOT EXISTS "products_guide_id" ON "products" ("guide_id");

CREATE INDEX IF NOT EXISTS "products_category_id_price_cents" ON "products" ("category_id", "price_cents");

CREATE INDEX IF NOT EXISTS "products_price_cents" ON "products" ("price_cents");

CREATE INDEX IF NOT EXISTS "products_rating_rating_count" ON "products" ("rating", "rating_count");

CREATE INDEX IF NOT EXISTS "products_rating_count" ON "products" ("rating_count");

CREATE INDEX IF NOT EXISTS "products_created_at" ON "products" ("created_at");

CREATE INDEX IF NOT EXISTS "products_name" ON "products" ("name");

CREATE INDEX IF NOT EXISTS "cart_items_product_id" ON "cart_items" ("product_id");

CREATE UNIQUE INDEX IF NOT EXISTS "cart_items_user_id_product_id" ON "cart_items" ("user_id", "product_id");

CREATE INDEX IF NOT EXISTS "email_outbox_sent_at_next_attempt_at" ON "email_outbox" ("sent_at", "next_attempt_at");

CREATE UNIQUE INDEX IF NOT EXISTS "orders_number" ON "orders" ("number");

CREATE UNIQUE INDEX IF NOT EXISTS "orders_user_id_idempotency_key" ON "orders" ("user_id", "idempotency_key");

CREATE INDEX IF NOT EXISTS "order_items_order_id" ON "order_items" ("order_id");

CREATE INDEX IF NOT EXISTS "order_items_product_id" ON "order_items" ("product_id");

CREATE INDEX IF NOT EXISTS "jungle_plants_user_id" ON "jungle_plants" ("user_id");

CREATE INDEX IF NOT EXISTS "jungle_plants_product_id" ON "jungle_plants" ("product_id");

CREATE INDEX IF NOT EXISTS "jungle_plants_order_item_id" ON "jungle_plants" ("order_item_id");

CREATE INDEX IF NOT EXISTS "rate_limit_hits_bucket_created_at" ON "rate_limit_hits" ("bucket", "created_at");

CREATE INDEX IF NOT EXISTS "reviews_user_id" ON "reviews" ("user_id");

CREATE UNIQUE INDEX IF NOT EXISTS "reviews_product_id_user_id" ON "reviews" ("product_id", "user_id");

CREATE INDEX IF NOT EXISTS "user_sessions_user_id" ON "user_sessions" ("user_id");

CREATE UNIQUE INDEX IF NOT EXISTS "user_sessions_token_hash" ON "user_sessions" ("token_hash");

CREATE TRIGGER IF NOT EXISTS products_fts_insert AFTER INSERT ON products BEGIN
         INSERT INTO products_fts(rowid, name, latin_name, keywords)
         VALUES (new.id, new.name, new.latin_name, new.keywords); END;

CREATE TRIGGER IF NOT EXISTS products_fts_delete AFTER DELETE ON products BEGIN
         INSERT INTO products_fts(products_fts, rowid, name, latin_name, keywords)
         VALUES ('delete', old.id, old.name, old.latin_name, old.keywords); END;

CREATE TRIGGER IF NOT EXISTS products_fts_update AFTER UPDATE OF name, latin_name, keywords ON products BEGIN
         INSERT INTO products_fts(products_fts, rowid, name, latin_name, keywords)
         VALUES ('delete', old.id, old.name, old.latin_name, old.keywords);
         INSERT INTO products_fts(rowid, name, latin_name, keywords)
         VALUES (new.id, new.name, new.latin_name, new.keywords); END;
