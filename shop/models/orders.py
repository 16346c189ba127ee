"""Money and what it buys: carts, orders, the balance ledger, workshops and bookings, My Jungle."""
from peewee import (
    AutoField,
    CharField,
    Check,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .base import BaseModel, utcnow
from .catalog import Product
from .people import User


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
    idempotency_key = CharField(max_length=64)  # utf8mb4_bin on MySQL (migration 0012): case counts
    created_at = DateTimeField(default=utcnow)
    # placed -> packed -> shipped -> delivered, moved by staff; or cancelled (refunded) before shipping
    status = CharField(max_length=12, default="placed")
    status_changed_at = DateTimeField(null=True)
    # How it reaches the customer (orders/delivery.py); total_cents includes delivery_cents.
    delivery_method = CharField(max_length=12, default="collect")
    delivery_cents = IntegerField(default=0)
    ship_to = TextField(null=True)  # a copy of the address as it was when the order was placed
    expected_on = DateField(null=True)

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
    cancelled_at = DateTimeField(null=True)  # cancelled by staff: every booking refunded

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
    idempotency_key = CharField(max_length=64)  # utf8mb4_bin on MySQL (migration 0012): case counts
    created_at = DateTimeField(default=utcnow)
    cancelled_at = DateTimeField(null=True)  # cancelled and refunded before the workshop

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
