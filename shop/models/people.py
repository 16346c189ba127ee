"""Customers and what the shop keeps about them to let them in: accounts, sessions, rate limits."""
from peewee import (
    AutoField,
    BooleanField,
    CharField,
    Check,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
)

from .base import BaseModel, utcnow


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
    # A new address waiting for its confirmation link to be clicked (the old one stays in force).
    pending_email = CharField(max_length=254, null=True)
    # Set when the customer deleted the account: the row stays, every personal field replaced.
    deleted_at = DateTimeField(null=True)
    # The back office (/staff) is open to this account; granted only by `flask --app wsgi staff grant`.
    is_staff = BooleanField(default=False)

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



class RateLimitHit(BaseModel):
    """One counted attempt (a failed login, a live check) for throttling shared by all workers."""

    id = AutoField()
    bucket = CharField(max_length=150)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "rate_limit_hits"
        indexes = ((("bucket", "created_at"), False),)


class Address(BaseModel):
    """A delivery address in a customer's address book."""

    id = AutoField()
    user = ForeignKeyField(User, backref="addresses", column_name="user_id", on_delete="CASCADE")
    name = CharField(max_length=100)
    line1 = CharField(max_length=120)
    line2 = CharField(max_length=120, default="")
    town = CharField(max_length=80)
    postcode = CharField(max_length=16)
    country = CharField(max_length=2)
    is_default = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "addresses"
