-- Fernhouse: the MySQL / MariaDB schema (InnoDB, utf8mb4).
-- The database itself is built by the versioned migrations in shop/migrations/ (`flask --app wsgi migrate`);
-- this file is the readable whole, and tests/test_schema.py proves it equals the migrated database.
-- The Peewee models in shop/models.py describe the same tables;
-- tests/test_schema.py proves the two agree, column by column and index by index.
-- Money is integer cents. CHECK constraints are the database's own backstop:
-- MariaDB (10.2+) and MySQL (8.0.16+) enforce them.

CREATE TABLE IF NOT EXISTS users (
  id              INT AUTO_INCREMENT PRIMARY KEY,
  member_id       VARCHAR(16)  NOT NULL,
  username        VARCHAR(32)  NOT NULL,
  username_lower  VARCHAR(32)  NOT NULL,  -- the unique key: Alice and alice are one name
  email           VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,  -- normalised, lower-cased, unique byte for byte
  password_hash   VARCHAR(255) NOT NULL,  -- argon2id PHC string
  verified_at     DATETIME     NULL,
  balance_cents   INT          NOT NULL,
  created_at      DATETIME     NOT NULL,
  pending_email   VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,  -- a new address until confirmed
  deleted_at      DATETIME     NULL,      -- a deleted account: the row stays, personal fields replaced
  is_staff        TINYINT(1)   NOT NULL DEFAULT 0,  -- the back office; only `flask staff grant` sets it
  UNIQUE KEY users_member_id (member_id),
  UNIQUE KEY users_username_lower (username_lower),
  UNIQUE KEY users_email (email),
  CONSTRAINT users_balance_not_negative CHECK (balance_cents >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per signed-in browser: the cookie carries a random token, this table its SHA-256.
CREATE TABLE IF NOT EXISTS user_sessions (
  id           INT AUTO_INCREMENT PRIMARY KEY,
  user_id      INT         NOT NULL,
  token_hash   VARCHAR(64) NOT NULL,
  created_at   DATETIME    NOT NULL,
  last_seen_at DATETIME    NOT NULL,
  UNIQUE KEY user_sessions_token_hash (token_hash),
  KEY user_sessions_user_id (user_id),
  CONSTRAINT user_sessions_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS categories (
  id          INT AUTO_INCREMENT PRIMARY KEY,
  slug        VARCHAR(64)  NOT NULL,
  name        VARCHAR(100) NOT NULL,
  description TEXT         NOT NULL,
  position    INT          NOT NULL,
  holds_plants TINYINT(1)  NOT NULL DEFAULT 1,  -- living plants (they join My Jungle), not pots or tools
  UNIQUE KEY categories_slug (slug)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS guides (
  id         INT AUTO_INCREMENT PRIMARY KEY,
  slug       VARCHAR(80)  NOT NULL,
  title      VARCHAR(150) NOT NULL,
  family     VARCHAR(100) NOT NULL,
  summary    TEXT         NOT NULL,
  body       TEXT         NOT NULL,
  created_at DATETIME     NOT NULL,
  UNIQUE KEY guides_slug (slug)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS products (
  id               INT AUTO_INCREMENT PRIMARY KEY,
  sku              VARCHAR(16)  NOT NULL,  -- FH-10042
  name             VARCHAR(150) NOT NULL,
  latin_name       VARCHAR(150) NOT NULL,
  category_id      INT          NOT NULL,
  guide_id         INT          NULL,
  price_cents      INT          NOT NULL,
  rating           DECIMAL(3,2) NOT NULL,  -- 0.00 to 5.00
  rating_count     INT          NOT NULL,
  stock            INT          NOT NULL,
  light            VARCHAR(16)  NULL,      -- low, medium, bright, direct
  pet_safe         TINYINT(1)   NULL,
  difficulty       VARCHAR(16)  NULL,      -- easy, moderate, expert
  size             VARCHAR(16)  NULL,      -- small, medium, large
  water_every_days SMALLINT     NULL,
  description      TEXT         NOT NULL,
  care_summary     TEXT         NOT NULL,
  keywords         VARCHAR(255) NOT NULL,  -- category name and tags, for the full-text index
  created_at       DATETIME     NOT NULL,
  hidden           TINYINT(1)   NOT NULL DEFAULT 0,  -- taken out of the shop by staff: not listed, not sold
  UNIQUE KEY products_sku (sku),
  KEY products_category_id_price_cents (category_id, price_cents),
  KEY products_guide_id (guide_id),
  KEY products_price_cents (price_cents),
  KEY products_rating_rating_count (rating, rating_count),
  KEY products_rating_count (rating_count),  -- the default "featured" order: most reviewed first
  KEY products_created_at (created_at),
  KEY products_name (name),               -- name ranges: the first letter typed into search
  KEY products_shelf_popularity (category_id, hidden, rating_count),  -- a shelf by popularity, and its size
  KEY products_shelf_stock (category_id, hidden, stock),  -- a shelf's plants in stock, counted (migration 0011)
  KEY products_shelf_rating (category_id, hidden, rating),  -- and those rated at least n
  FULLTEXT KEY products_names_fulltext (name, latin_name, keywords),  -- the search (catalog/search.py)
  FULLTEXT KEY products_name_fulltext (name),                         -- the search's name-only tier
  CONSTRAINT products_category_fk FOREIGN KEY (category_id) REFERENCES categories (id) ON DELETE RESTRICT,
  CONSTRAINT products_guide_fk FOREIGN KEY (guide_id) REFERENCES guides (id) ON DELETE SET NULL,
  CONSTRAINT products_price_not_negative CHECK (price_cents >= 0),
  CONSTRAINT products_stock_not_negative CHECK (stock >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS reviews (
  id         INT AUTO_INCREMENT PRIMARY KEY,
  product_id INT      NOT NULL,
  user_id    INT      NOT NULL,
  rating     SMALLINT NOT NULL,
  body       TEXT     NOT NULL,
  created_at DATETIME NOT NULL,
  hidden     TINYINT(1) NOT NULL DEFAULT 0,  -- hidden by staff: not shown, not in the rating
  UNIQUE KEY reviews_product_id_user_id (product_id, user_id),
  KEY reviews_user_id (user_id),
  CONSTRAINT reviews_product_fk FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE,
  CONSTRAINT reviews_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT reviews_rating_range CHECK (rating BETWEEN 1 AND 5)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS cart_items (
  id         INT AUTO_INCREMENT PRIMARY KEY,
  user_id    INT      NOT NULL,
  product_id INT      NOT NULL,
  quantity   INT      NOT NULL,
  added_at   DATETIME NOT NULL,
  UNIQUE KEY cart_items_user_id_product_id (user_id, product_id),
  KEY cart_items_product_id (product_id),
  CONSTRAINT cart_items_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT cart_items_product_fk FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE,
  CONSTRAINT cart_items_quantity_positive CHECK (quantity > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS orders (
  id                  INT AUTO_INCREMENT PRIMARY KEY,
  number              VARCHAR(20) NOT NULL,  -- FH-240117-4821
  user_id             INT         NOT NULL,
  total_cents         INT         NOT NULL,
  balance_after_cents INT         NOT NULL,
  idempotency_key     VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,  -- compared byte for byte (0012)
  created_at          DATETIME    NOT NULL,
  status              VARCHAR(12) NOT NULL DEFAULT 'placed',  -- placed, packed, shipped, delivered, cancelled
  status_changed_at   DATETIME    NULL,
  delivery_method     VARCHAR(12) NOT NULL DEFAULT 'collect',  -- collect, standard, next_day (migration 0009)
  delivery_cents      INT         NOT NULL DEFAULT 0,          -- part of total_cents
  ship_to             TEXT        NULL,                        -- a copy of the address, as it was
  expected_on         DATE        NULL,
  UNIQUE KEY orders_number (number),
  UNIQUE KEY orders_user_id_idempotency_key (user_id, idempotency_key),
  CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT,
  CONSTRAINT orders_total_not_negative CHECK (total_cents >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS order_items (
  id               INT AUTO_INCREMENT PRIMARY KEY,
  order_id         INT          NOT NULL,
  product_id       INT          NOT NULL,
  product_name     VARCHAR(150) NOT NULL,
  quantity         INT          NOT NULL,
  unit_price_cents INT          NOT NULL,
  KEY order_items_order_id (order_id),
  KEY order_items_product_id (product_id),
  CONSTRAINT order_items_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
  CONSTRAINT order_items_product_fk FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE RESTRICT,
  CONSTRAINT order_items_quantity_positive CHECK (quantity > 0),
  CONSTRAINT order_items_price_not_negative CHECK (unit_price_cents >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS email_outbox (
  id              INT AUTO_INCREMENT PRIMARY KEY,
  recipient       VARCHAR(254) NOT NULL,
  subject         VARCHAR(255) NOT NULL,
  body_html       TEXT         NOT NULL,
  body_text       TEXT         NOT NULL,
  created_at      DATETIME     NOT NULL,
  sent_at         DATETIME     NULL,      -- NULL until delivered
  attempts        INT          NOT NULL,
  last_error      TEXT         NULL,
  next_attempt_at DATETIME     NOT NULL,  -- retry back-off
  claimed_by      VARCHAR(64)  NULL,      -- the worker delivering it now
  claimed_at      DATETIME     NULL,
  erase_after_send TINYINT(1)  NOT NULL DEFAULT 0,  -- deleted once delivered (a deleted account's goodbye)
  KEY email_outbox_sent_at_next_attempt_at (sent_at, next_attempt_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS workshops (
  id               INT AUTO_INCREMENT PRIMARY KEY,
  slug             VARCHAR(80)  NOT NULL,
  title            VARCHAR(150) NOT NULL,
  description      TEXT         NOT NULL,
  starts_at        DATETIME     NOT NULL,
  duration_minutes INT          NOT NULL,
  price_cents      INT          NOT NULL,
  seats_total      INT          NOT NULL,
  seats_left       INT          NOT NULL,
  host             VARCHAR(100) NOT NULL,
  cancelled_at     DATETIME     NULL,      -- cancelled by staff: every booking refunded
  UNIQUE KEY workshops_slug (slug),
  CONSTRAINT workshops_price_not_negative CHECK (price_cents >= 0),
  CONSTRAINT workshops_seats_not_negative CHECK (seats_left >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS bookings (
  id              INT AUTO_INCREMENT PRIMARY KEY,
  number          VARCHAR(20) NOT NULL,
  workshop_id     INT         NOT NULL,
  user_id         INT         NOT NULL,
  seats           INT         NOT NULL,
  total_cents     INT         NOT NULL,
  idempotency_key VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,  -- compared byte for byte (0012)
  created_at      DATETIME    NOT NULL,
  cancelled_at    DATETIME    NULL,      -- cancelled and refunded before the workshop
  UNIQUE KEY bookings_number (number),
  UNIQUE KEY bookings_user_id_idempotency_key (user_id, idempotency_key),
  KEY bookings_workshop_id (workshop_id),
  CONSTRAINT bookings_workshop_fk FOREIGN KEY (workshop_id) REFERENCES workshops (id) ON DELETE RESTRICT,
  CONSTRAINT bookings_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT,
  CONSTRAINT bookings_seats_positive CHECK (seats > 0),
  CONSTRAINT bookings_total_not_negative CHECK (total_cents >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS jungle_plants (
  id              INT  AUTO_INCREMENT PRIMARY KEY,
  user_id         INT  NOT NULL,
  product_id      INT  NOT NULL,
  order_item_id   INT  NULL,
  acquired_on     DATE NOT NULL,
  last_watered_on DATE NULL,
  KEY jungle_plants_user_id (user_id),
  KEY jungle_plants_product_id (product_id),
  KEY jungle_plants_order_item_id (order_item_id),
  CONSTRAINT jungle_plants_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT jungle_plants_product_fk FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE RESTRICT,
  CONSTRAINT jungle_plants_order_item_fk FOREIGN KEY (order_item_id) REFERENCES order_items (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS rate_limit_hits (
  id         INT AUTO_INCREMENT PRIMARY KEY,
  bucket     VARCHAR(150) NOT NULL,  -- e.g. login:ip:127.0.0.1
  created_at DATETIME     NOT NULL,
  KEY rate_limit_hits_bucket_created_at (bucket, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every change to a balance, written in the same transaction as the change (shop/ledger.py):
-- for every user, users.balance_cents = SUM(balance_ledger.delta_cents).
CREATE TABLE IF NOT EXISTS balance_ledger (
  id          INT AUTO_INCREMENT PRIMARY KEY,
  user_id     INT         NOT NULL,
  delta_cents INT         NOT NULL,  -- signed: a charge is negative
  reason      VARCHAR(20) NOT NULL,  -- opening_balance, order, booking, refund, adjustment
  reference   VARCHAR(40) NOT NULL,  -- the order or booking number, or empty
  created_at  DATETIME    NOT NULL,
  KEY balance_ledger_user_id_id (user_id, id),
  CONSTRAINT balance_ledger_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The migrations applied to this database (shop/migrations/NNNN_name.py), by `flask --app wsgi migrate`.
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    VARCHAR(4)   NOT NULL PRIMARY KEY,
  name       VARCHAR(100) NOT NULL,
  applied_at DATETIME     NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every change made in the back office, written in the same transaction as the change (shop/staff/).
CREATE TABLE IF NOT EXISTS staff_actions (
  id            INT AUTO_INCREMENT PRIMARY KEY,
  staff_user_id INT         NOT NULL,
  action        VARCHAR(40) NOT NULL,  -- product.price, order.cancel, customer.adjust...
  object_type   VARCHAR(20) NOT NULL,
  object_id     VARCHAR(40) NOT NULL,
  `before`      TEXT        NULL,      -- JSON of the values before the change
  `after`       TEXT        NULL,      -- and after it
  reason        TEXT        NULL,
  created_at    DATETIME    NOT NULL,
  KEY staff_actions_staff_user_id (staff_user_id),
  KEY staff_actions_created_at (created_at),
  KEY staff_actions_object_type_object_id (object_type, object_id),
  CONSTRAINT staff_actions_staff_user_fk FOREIGN KEY (staff_user_id) REFERENCES users (id) ON DELETE RESTRICT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A customer's address book (migration 0008); orders will keep their own copy of the address used.
CREATE TABLE IF NOT EXISTS addresses (
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
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The contact form's messages (migration 0013), listed in the back office at /staff/messages; those older than
-- shop/pages/contact.py's KEEP_DAYS are deleted when a new one arrives.
CREATE TABLE IF NOT EXISTS contact_messages (
  id         INT          AUTO_INCREMENT PRIMARY KEY,
  name       VARCHAR(100) NOT NULL,
  email      VARCHAR(254) NOT NULL,
  message    TEXT         NOT NULL,
  created_at DATETIME     NOT NULL,
  KEY contact_messages_created_at (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The catalogue's version (migration 0010): triggers move it whenever a search answer may change;
-- shop/catalog/answers.py keeps search answers until it moves. words_version moves only when the words
-- a search can find may have changed (shop/catalog/spelling.py rebuilds its vocabulary then).
CREATE TABLE IF NOT EXISTS catalogue_state (
  id            INT    NOT NULL PRIMARY KEY,
  version       BIGINT NOT NULL,
  words_version BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO catalogue_state (id, version, words_version) VALUES (1, 0, 0);

CREATE TRIGGER IF NOT EXISTS products_version_insert AFTER INSERT ON products FOR EACH ROW BEGIN UPDATE catalogue_state SET version = version + 1, words_version = words_version + 1 WHERE id = 1; END;
CREATE TRIGGER IF NOT EXISTS products_version_update AFTER UPDATE ON products FOR EACH ROW BEGIN UPDATE catalogue_state SET version = version + 1, words_version = words_version + CASE WHEN NOT (OLD.name <=> NEW.name) OR NOT (OLD.latin_name <=> NEW.latin_name) OR NOT (OLD.hidden <=> NEW.hidden) OR NOT (OLD.category_id <=> NEW.category_id) THEN 1 ELSE 0 END WHERE id = 1 AND (NOT (OLD.sku <=> NEW.sku) OR NOT (OLD.name <=> NEW.name) OR NOT (OLD.latin_name <=> NEW.latin_name) OR NOT (OLD.category_id <=> NEW.category_id) OR NOT (OLD.guide_id <=> NEW.guide_id) OR NOT (OLD.price_cents <=> NEW.price_cents) OR NOT (OLD.rating <=> NEW.rating) OR NOT (OLD.rating_count <=> NEW.rating_count) OR NOT (OLD.light <=> NEW.light) OR NOT (OLD.pet_safe <=> NEW.pet_safe) OR NOT (OLD.difficulty <=> NEW.difficulty) OR NOT (OLD.size <=> NEW.size) OR NOT (OLD.water_every_days <=> NEW.water_every_days) OR NOT (OLD.description <=> NEW.description) OR NOT (OLD.care_summary <=> NEW.care_summary) OR NOT (OLD.keywords <=> NEW.keywords) OR NOT (OLD.created_at <=> NEW.created_at) OR NOT (OLD.hidden <=> NEW.hidden) OR (OLD.stock > 0) <> (NEW.stock > 0)); END;
CREATE TRIGGER IF NOT EXISTS products_version_delete AFTER DELETE ON products FOR EACH ROW BEGIN UPDATE catalogue_state SET version = version + 1, words_version = words_version + 1 WHERE id = 1; END;
CREATE TRIGGER IF NOT EXISTS categories_version_insert AFTER INSERT ON categories FOR EACH ROW BEGIN UPDATE catalogue_state SET version = version + 1, words_version = words_version + 1 WHERE id = 1; END;
CREATE TRIGGER IF NOT EXISTS categories_version_update AFTER UPDATE ON categories FOR EACH ROW BEGIN UPDATE catalogue_state SET version = version + 1, words_version = words_version + 1 WHERE id = 1; END;
CREATE TRIGGER IF NOT EXISTS categories_version_delete AFTER DELETE ON categories FOR EACH ROW BEGIN UPDATE catalogue_state SET version = version + 1, words_version = words_version + 1 WHERE id = 1; END;
