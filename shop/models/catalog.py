"""What the nursery sells and says about it: categories, care guides, products, reviews."""
from peewee import (
    AutoField,
    BooleanField,
    CharField,
    Check,
    DateTimeField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
    SmallIntegerField,
    TextField,
)

from .base import BaseModel, utcnow
from .people import User


class Category(BaseModel):
    """A shelf of the nursery: tropicals, ferns, pots & tools..."""

    id = AutoField()
    slug = CharField(max_length=64, unique=True)
    name = CharField(max_length=100)
    description = TextField(default="")
    position = IntegerField(default=0)
    # True for shelves of living plants (they join My Jungle when bought); False for pots, tools, soil.
    holds_plants = BooleanField(default=True)

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
    # Tags, for the full-text index (a shelf's name is found through category_id: migration 0007).
    keywords = CharField(max_length=255, default="")
    created_at = DateTimeField(default=utcnow)
    hidden = BooleanField(default=False)  # taken out of the shop by staff: neither listed nor sold

    class Meta:
        table_name = "products"
        indexes = (
            (("category", "price_cents"), False),
            (("price_cents",), False),
            (("rating", "rating_count"), False),
            (("rating_count",), False),  # the default "featured" order: most reviewed first
            (("created_at",), False),
            (("name",), False),  # name ranges: the first letter typed into search
            (("category", "hidden", "rating_count"), False),  # a shelf by popularity, and its size
            (("category", "hidden", "stock"), False),  # a shelf's plants in stock, counted (migration 0011)
            (("category", "hidden", "rating"), False),  # and those rated at least n
        )


class Review(BaseModel):
    """A buyer's rating and words on one product, at most one per customer."""

    id = AutoField()
    product = ForeignKeyField(Product, backref="reviews", column_name="product_id", on_delete="CASCADE", index=False)
    user = ForeignKeyField(User, backref="reviews", column_name="user_id", on_delete="CASCADE")
    rating = SmallIntegerField(constraints=[Check("rating BETWEEN 1 AND 5")])
    body = TextField(default="")
    created_at = DateTimeField(default=utcnow)
    hidden = BooleanField(default=False)  # hidden by staff: not shown, not in the product's rating

    class Meta:
        table_name = "reviews"
        indexes = ((("product", "user"), True),)
