"""The address book: a customer's delivery addresses, validated, one of them the default.

Every change is one short transaction through db.transaction_with_retry(); an address is always looked up
with its owner, so another customer's address is "not found", never shown or changed. A change that counts
the book or moves its default first locks the customer's users row, as checkout does (lock_book()): without
it, 14 tabs adding at once on MariaDB each counted the book before the others wrote, and made 11 addresses
and 2 defaults.
"""
import re

from ..db import current_read, transaction_with_retry
from ..models import Address, User, utcnow

MAX_ADDRESSES = 10
# The countries the nursery ships live plants to (ISO 3166-1 alpha-2), and how each writes a postcode.
COUNTRIES = {
    "US": ("United States", r"\d{5}(-\d{4})?", "5 digits, like 94103 or 94103-1234"),
    "CA": ("Canada", r"[A-Z]\d[A-Z] ?\d[A-Z]\d", "like K1A 0B1"),
    "GB": ("United Kingdom", r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}", "like SW1A 1AA"),
    "IE": ("Ireland", r"[A-Z]\d[\dW] ?[A-Z\d]{4}", "an Eircode, like D02 X285"),
    "FR": ("France", r"\d{5}", "5 digits, like 75001"),
    "DE": ("Germany", r"\d{5}", "5 digits, like 10115"),
    "NL": ("Netherlands", r"\d{4} ?[A-Z]{2}", "like 1012 AB"),
    "BE": ("Belgium", r"\d{4}", "4 digits, like 1000"),
}
FIELDS = (("name", "Name", 100), ("line1", "Street and number", 120), ("line2", "More (flat, building)", 120),
          ("town", "Town or city", 80), ("postcode", "Postcode", 16), ("country", "Country", 2))


class AddressRefused(Exception):
    """An address-book change that cannot be made; the message says why."""


def validate_address(form):
    """(clean values, {field: message}) for an address form: every field but line2 required, the
    country one of COUNTRIES, the postcode written as that country writes it (spaces and case tidied)."""
    values, errors = {}, {}
    for field, label, longest in FIELDS:
        text = " ".join(str(form.get(field) or "").split())
        if field in ("postcode", "country"):
            text = text.upper()
        values[field] = text
        if not text and field != "line2":
            errors[field] = f"{label} is needed."
        elif len(text) > longest:
            errors[field] = f"{label} can be at most {longest} characters."
    if values["country"] and values["country"] not in COUNTRIES:
        errors["country"] = "Choose a country from the list: we ship to these."
    elif values["postcode"] and "postcode" not in errors and values["country"] in COUNTRIES:
        _name, pattern, example = COUNTRIES[values["country"]]
        if not re.fullmatch(pattern, values["postcode"], re.ASCII):  # \d is 0-9 only, not ١٢٣٤٥
            errors["postcode"] = f"That is not a {COUNTRIES[values['country']][0]} postcode: {example}."
    return values, errors


def addresses_of(user_id):
    """The customer's addresses, the default first, then oldest first."""
    return list(Address.select().where(Address.user == user_id).order_by(Address.is_default.desc(), Address.id))


def address_of(user_id, address_id):
    """One of the customer's addresses, or None (also for somebody else's)."""
    return Address.get_or_none(Address.id == address_id, Address.user == user_id)


def lock_book(user_id):
    """Inside a transaction: lock the customer's users row (lock 1 of every path that writes for a customer),
    then read their addresses as they are now, so one tab's change waits for another's."""
    current_read(User.select(User.id).where(User.id == user_id)).get()
    return list(current_read(Address.select(Address.id, Address.is_default).where(Address.user == user_id)
                             .order_by(Address.id)))


def add_address(user_id, values):
    """Add an address; the first one becomes the default. At most MAX_ADDRESSES."""
    def apply():
        count = len(lock_book(user_id))
        if count >= MAX_ADDRESSES:
            raise AddressRefused(f"An address book holds up to {MAX_ADDRESSES} addresses. Delete one first.")
        return Address.create(user=user_id, is_default=count == 0, created_at=utcnow(), **values)

    return transaction_with_retry(apply)


def update_address(user_id, address_id, values):
    """Change an address in the book (orders keep the copy they were sent to)."""
    def apply():
        if not Address.update(**values).where(Address.id == address_id, Address.user == user_id).execute():
            raise AddressRefused("We could not find that address in your address book.")

    transaction_with_retry(apply)


def make_default(user_id, address_id):
    """Make one address the default (and no other)."""
    def apply():
        if address_id not in [address.id for address in lock_book(user_id)]:
            raise AddressRefused("We could not find that address in your address book.")
        Address.update(is_default=(Address.id == address_id)).where(Address.user == user_id).execute()

    transaction_with_retry(apply)


def delete_address(user_id, address_id):
    """Take an address out of the book; if it was the default, the oldest left becomes the default."""
    def apply():
        book = lock_book(user_id)
        found = address_of(user_id, address_id) if address_id in [address.id for address in book] else None
        if found is None:
            raise AddressRefused("We could not find that address in your address book.")
        found.delete_instance()
        left = [address for address in book if address.id != address_id]
        if found.is_default and left:  # the oldest left becomes the default
            Address.update(is_default=True).where(Address.id == left[0].id).execute()
        return found

    return transaction_with_retry(apply)
