"""What every model shares: the database proxy and the time they store."""
from datetime import datetime, timezone

from peewee import Model

from ..db import database


def utcnow():
    """The current UTC time without tzinfo, the form both databases store."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)



class BaseModel(Model):
    """Binds every model to the shared database proxy."""

    class Meta:
        database = database
        legacy_table_names = False
