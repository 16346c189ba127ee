"""The shop's own bookkeeping: the email outbox and the applied migrations."""
from peewee import (
    AutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
    fn,
)

from .base import BaseModel, utcnow
from .people import User


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
    # Deleted once delivered (the goodbye email of a deleted account: no address kept afterwards).
    erase_after_send = BooleanField(default=False)

    class Meta:
        table_name = "email_outbox"
        indexes = ((("sent_at", "next_attempt_at"), False),)

    @classmethod
    def backlog(cls, max_attempts):
        """What waits to be delivered: (messages still to be tried, the oldest one's created_at or None,
        messages given up after max_attempts tries)."""
        unsent = cls.sent_at.is_null()
        waiting, oldest = (cls.select(fn.COUNT(cls.id), fn.MIN(cls.created_at))
                           .where(unsent, cls.attempts < max_attempts).tuples().get())
        given_up = cls.select().where(unsent, cls.attempts >= max_attempts).count()
        return waiting, oldest, given_up



class SchemaMigration(BaseModel):
    """A migration applied to this database (shop/migrations/), by its four-digit version."""

    version = CharField(max_length=4, primary_key=True)
    name = CharField(max_length=100)
    applied_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "schema_migrations"


class StaffAction(BaseModel):
    """One change made in the back office, written in the same transaction as the change."""

    id = AutoField()
    staff_user = ForeignKeyField(User, column_name="staff_user_id", on_delete="RESTRICT")
    action = CharField(max_length=40)  # e.g. product.price, order.cancel, customer.adjust
    object_type = CharField(max_length=20)
    object_id = CharField(max_length=40)
    before = TextField(null=True)  # JSON of the values before the change
    after = TextField(null=True)  # and after it
    reason = TextField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "staff_actions"
        indexes = ((("created_at",), False), (("object_type", "object_id"), False))


class CatalogueState(BaseModel):
    """One row: the catalogue's version, moved by triggers whenever a search answer may have changed
    (migration 0010); search answers are kept until it moves (shop/catalog/answers.py)."""

    id = IntegerField(primary_key=True)
    version = BigIntegerField(default=0)
    words_version = BigIntegerField(default=0)  # only when names, latin names or what is shown change

    class Meta:
        table_name = "catalogue_state"


class ContactMessage(BaseModel):
    """A message sent through the contact form (/contact), listed in the back office at /staff/messages."""

    id = AutoField()
    name = CharField(max_length=100)
    email = CharField(max_length=254)
    message = TextField()
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "contact_messages"
        indexes = ((("created_at",), False),)
