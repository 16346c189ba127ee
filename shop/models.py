"""The data model: every table of the shop as a Peewee model. Money is integer cents."""
from datetime import datetime, timezone

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    Check,
    DateField,
    DateTimeField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
    Model,
    SmallIntegerField,
    TextField,
)

from .db import database


def utcnow():
    """The current UTC time without tzinfo, the form both databases store."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


class BaseModel(Model):
    """Binds every model to the shared database proxy."""

    class Meta:
        database = database
        legacy_table_names = False


class User(BaseModel):
    """A customer account."""

    id = AutoField()
    member_id = CharField(max_length=16, unique=True)
    username = CharField(max_length=32)
    # The unique key for usernames: lower-cased, so Alice and alice cannot both exist.
    username_lower = CharField(max_length=32, unique=True)
    # Stored normalised and lower-cased by validation, so the unique index is case-insensitive.
    email = CharField(max_length=254, unique=True)
    password_hash = CharField(max_length=255)
    verified_at = DateTimeField(null=True)
    balance_cents = IntegerField(constraints=[Check("balance_cents >= 0")])
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "users"


class UserSession(BaseModel):
    """One signed-in browser. Its cookie carries a random token; only the token's SHA-256 is kept
    here, so logging out (deleting the row) makes every copy of that cookie useless, and a leak of
    this table signs nobody in."""

    id = AutoField()
    user = ForeignKeyField(User, backref="sessions", column_name="user_id", on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)
    created_at = DateTimeField(default=utcnow)
    last_seen_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "user_sessions"


class Category(BaseModel):
    """A shelf of the nursery: tropicals, ferns, pots & tools..."""

    id = AutoField()
    slug = CharField(max_length=64, unique=True)
    name = CharField(max_length=100)
    description = TextField(default="")
    position = IntegerField(default=0)

    class Meta:
        table_name = "categories"


class Guide(BaseModel):
    """A care guide for one plant family."""

    id = AutoField()
    slug = CharField(max_length=80, unique=True)
    title = CharField(max_length=150)
    family = CharField(max_length=100)
    summary = TextField()
    body = TextField()
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "guides"


class Product(BaseModel):
    """One thing for sale; plants carry their care attributes, supplies leave them empty."""

    id = AutoField()
    sku = CharField(max_length=16, unique=True)
    name = CharField(max_length=150)
    latin_name = CharField(max_length=150, default="")
    category = ForeignKeyField(
        Category, backref="products", column_name="category_id", on_delete="RESTRICT", index=False
    )
    guide = ForeignKeyField(Guide, null=True, backref="products", column_name="guide_id", on_delete="SET NULL")
    price_cents = IntegerField(constraints=[Check("price_cents >= 0")])
    rating = DecimalField(max_digits=3, decimal_places=2, default=0, auto_round=True)
    rating_count = IntegerField(default=0)
    stock = IntegerField(constraints=[Check("stock >= 0")])
    light = CharField(max_length=16, null=True)  # low, medium, bright, direct
    pet_safe = BooleanField(null=True)
    difficulty = CharField(max_length=16, null=True)  # easy, moderate, expert
    size = CharField(max_length=16, null=True)  # small, medium, large
    water_every_days = SmallIntegerField(null=True)
    description = TextField()
    care_summary = TextField(default="")
    # Category name and tags, copied here so one full-text index can see them.
    keywords = CharField(max_length=255, default="")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "products"
        indexes = (
            (("category", "price_cents"), False),
            (("price_cents",), False),
            (("rating", "rating_count"), False),
            (("rating_count",), False),  # the default "featured" order: most reviewed first
            (("created_at",), False),
            (("name",), False),  # name ranges: the first letter typed into search
        )

    @property
    def sku_number(self):
        """The digits of the SKU, e.g. 10042 for FH-10042."""
        return self.sku.split("-", 1)[-1]


class Review(BaseModel):
    """A buyer's rating and words on one product, at most one per customer."""

    id = AutoField()
    product = ForeignKeyField(Product, backref="reviews", column_name="product_id", on_delete="CASCADE", index=False)
    user = ForeignKeyField(User, backref="reviews", column_name="user_id", on_delete="CASCADE")
    rating = SmallIntegerField(constraints=[Check("rating BETWEEN 1 AND 5")])
    body = TextField(default="")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "reviews"
        indexes = ((("product", "user"), True),)


class CartItem(BaseModel):
    """One line of a customer's cart, kept in the database so it survives logging out."""

    id = AutoField()
    user = ForeignKeyField(User, backref="cart_items", column_name="user_id", on_delete="CASCADE", index=False)
    product = ForeignKeyField(Product, column_name="product_id", on_delete="CASCADE")
    quantity = IntegerField(constraints=[Check("quantity > 0")])
    added_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "cart_items"
        indexes = ((("user", "product"), True),)


class Order(BaseModel):
    """A completed purchase; its number is what the customer sees."""

    id = AutoField()
    number = CharField(max_length=20, unique=True)
    user = ForeignKeyField(User, backref="orders", column_name="user_id", on_delete="RESTRICT", index=False)
    total_cents = IntegerField(constraints=[Check("total_cents >= 0")])
    balance_after_cents = IntegerField()
    idempotency_key = CharField(max_length=64)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "orders"
        indexes = ((("user", "idempotency_key"), True),)


class OrderItem(BaseModel):
    """One line of an order, with the price paid at that moment."""

    id = AutoField()
    order = ForeignKeyField(Order, backref="items", column_name="order_id", on_delete="CASCADE")
    product = ForeignKeyField(Product, column_name="product_id", on_delete="RESTRICT")
    product_name = CharField(max_length=150)
    quantity = IntegerField(constraints=[Check("quantity > 0")])
    unit_price_cents = IntegerField(constraints=[Check("unit_price_cents >= 0")])

    class Meta:
        table_name = "order_items"


class EmailOutbox(BaseModel):
    """An email waiting to be (or already) delivered; written in the sender's transaction."""

    id = AutoField()
    recipient = CharField(max_length=254)
    subject = CharField(max_length=255)
    body_html = TextField()
    body_text = TextField()
    created_at = DateTimeField(default=utcnow)
    sent_at = DateTimeField(null=True)
    attempts = IntegerField(default=0)
    last_error = TextField(null=True)
    next_attempt_at = DateTimeField(default=utcnow)
    # A worker claims a row by writing its token here, so two workers never send one message.
    claimed_by = CharField(max_length=64, null=True)
    claimed_at = DateTimeField(null=True)

    class Meta:
        table_name = "email_outbox"
        indexes = ((("sent_at", "next_attempt_at"), False),)


class Workshop(BaseModel):
    """A bookable class at the nursery."""

    id = AutoField()
    slug = CharField(max_length=80, unique=True)
    title = CharField(max_length=150)
    description = TextField()
    starts_at = DateTimeField()
    duration_minutes = IntegerField()
    price_cents = IntegerField(constraints=[Check("price_cents >= 0")])
    seats_total = IntegerField()
    seats_left = IntegerField(constraints=[Check("seats_left >= 0")])
    host = CharField(max_length=100, default="")

    class Meta:
        table_name = "workshops"


class Booking(BaseModel):
    """Seats a customer paid for on a workshop."""

    id = AutoField()
    number = CharField(max_length=20, unique=True)
    workshop = ForeignKeyField(Workshop, backref="bookings", column_name="workshop_id", on_delete="RESTRICT")
    user = ForeignKeyField(User, backref="bookings", column_name="user_id", on_delete="RESTRICT", index=False)
    seats = IntegerField(constraints=[Check("seats > 0")])
    total_cents = IntegerField(constraints=[Check("total_cents >= 0")])
    idempotency_key = CharField(max_length=64)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "bookings"
        indexes = ((("user", "idempotency_key"), True),)


class JunglePlant(BaseModel):
    """A plant a customer owns (from an order), with its watering record for My Jungle."""

    id = AutoField()
    user = ForeignKeyField(User, backref="jungle", column_name="user_id", on_delete="CASCADE")
    product = ForeignKeyField(Product, column_name="product_id", on_delete="RESTRICT")
    order_item = ForeignKeyField(OrderItem, null=True, column_name="order_item_id", on_delete="SET NULL")
    acquired_on = DateField()
    last_watered_on = DateField(null=True)

    class Meta:
        table_name = "jungle_plants"


class BalanceLedger(BaseModel):
    """One change to a customer's balance. For every user, balance_cents = SUM(delta_cents):
    every balance change writes its row in the same transaction (shop/ledger.py)."""

    REASONS = ("opening_balance", "order", "booking", "refund", "adjustment")

    id = AutoField()
    user = ForeignKeyField(User, backref="ledger", column_name="user_id", on_delete="RESTRICT", index=False)
    delta_cents = IntegerField()
    reason = CharField(max_length=20)
    reference = CharField(max_length=40, default="")  # the order or booking number
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "balance_ledger"
        indexes = ((("user", "id"), False),)


class SchemaMigration(BaseModel):
    """A migration applied to this database (shop/migrations/), by its four-digit version."""

    version = CharField(max_length=4, primary_key=True)
    name = CharField(max_length=100)
    applied_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "schema_migrations"


class RateLimitHit(BaseModel):
    """One counted attempt (a failed login, a live check) for throttling shared by all workers."""

    id = AutoField()
    bucket = CharField(max_length=150)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "rate_limit_hits"
        indexes = ((("bucket", "created_at"), False),)


ALL_MODELS = [
    User, UserSession, Category, Guide, Product, Review, CartItem, Order, OrderItem,
    EmailOutbox, Workshop, Booking, JunglePlant, RateLimitHit, BalanceLedger, SchemaMigration,
]


def schema_statements(path):
    """The statements of an SQL file, comments removed, one string each (triggers kept whole)."""
    lines = [line.split("--", 1)[0] for line in open(path, encoding="utf-8")]
    statements, current = [], []
    for line in lines:
        current.append(line)
        text = "\n".join(current).strip()
        # a CREATE TRIGGER ... BEGIN ... END; has semicolons inside: it ends only at "END;"
        inside_trigger = text.upper().startswith("CREATE TRIGGER") and not text.upper().endswith("END;")
        if text.endswith(";") and not inside_trigger:
            statements.append(text[:-1].strip())
            current = []
    tail = "\n".join(current).strip()
    return [stmt for stmt in statements + ([tail] if tail else []) if stmt]


def create_schema(schema_path=None):
    """Bring the database to the newest schema by applying the versioned migrations (init-db)."""
    from .migrations import migrate

    return migrate()
