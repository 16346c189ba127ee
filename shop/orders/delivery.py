"""Delivery: how an order reaches the customer, what it costs and when it should arrive.

The checkout form sends `address_id` (one of the customer's addresses) and `delivery` (`standard` or
`next_day`); without an address the order is collected at the nursery, free. The price is part of the
total charged from the balance, under the same rules and ledger as the plants; the order keeps a copy of
the address (a later edit of the address book never changes it). The cart keeps the choice in the session
and shows the grand total with order_total(), the sum checkout charges, so the button is the price paid.
"""
from datetime import timedelta

from ..accounts.addresses import COUNTRIES
from ..models import Address

SESSION_KEY = "delivery_choice"
FREE_STANDARD_FROM = 50_00  # standard delivery is free from this many cents of plants
METHODS = {
    "standard": {"label": "Standard delivery", "cents": 4_95, "working_days": 3},
    "next_day": {"label": "Next working day", "cents": 9_95, "working_days": 1},
    "collect": {"label": "Collect at the nursery", "cents": 0, "working_days": 1},
}


class DeliveryRefused(Exception):
    """The delivery asked for cannot be used; the message says why."""


def working_days_after(start, days):
    """The date `days` working days (Monday to Friday) after `start`."""
    current = start
    while days:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def price_of(method, goods_cents):
    """What a delivery method costs for this much in plants (standard is free from FREE_STANDARD_FROM)."""
    if method == "standard" and goods_cents >= FREE_STANDARD_FROM:
        return 0
    return METHODS[method]["cents"]


def order_total(goods_cents, method):
    """Plants plus their delivery: the grand total the cart's button shows and checkout charges."""
    return goods_cents + price_of(method, goods_cents)


def options(goods_cents, today):
    """The choices shown at checkout: [{method, label, cents, expected_on}]."""
    return [{"method": method, "label": spec["label"], "cents": price_of(method, goods_cents),
             "expected_on": working_days_after(today, spec["working_days"])} for method, spec in METHODS.items()]


def read_choice(address_raw, delivery_raw):
    """(address id or None, method) from the checkout form, or DeliveryRefused for anything else."""
    delivery = (delivery_raw or "").strip()
    address_text = (address_raw or "").strip()
    if not address_text:
        if delivery in ("", "collect"):
            return None, "collect"
        raise DeliveryRefused("Choose the address to send your plants to, or collect them at the nursery.")
    if not (address_text.isascii() and address_text.isdigit()) or len(address_text) > 9:
        raise DeliveryRefused("Choose one of your addresses from the list.")
    if delivery not in ("", "standard", "next_day", "collect"):
        raise DeliveryRefused("Choose standard delivery, next working day, or collecting at the nursery.")
    return int(address_text), delivery or "standard"  # collecting ignores the address, kept for next time


def remember_choice(session, address_id, method):
    """Keep the delivery chosen in the cart (the browser's session) until it is changed or the customer
    logs out, so quantity changes, adds and removes never reset it."""
    session[SESSION_KEY] = {"address_id": address_id, "method": method}


def chosen_delivery(session, addresses):
    """(address id or None, method) the cart shows: the last choice while its address is still in the book,
    else the default address (or the first) with standard delivery; with no address, collecting."""
    if not addresses:
        return None, "collect"
    stored = session.get(SESSION_KEY)
    stored = stored if isinstance(stored, dict) else {}
    address_id = stored.get("address_id")
    if address_id not in {address.id for address in addresses}:
        address_id = next((address.id for address in addresses if address.is_default), addresses[0].id)
    method = stored.get("method") if stored.get("method") in METHODS else "standard"
    return address_id, method


def address_copy(address):
    """The address as the order keeps it: lines of plain text."""
    country = COUNTRIES.get(address.country, (address.country,))[0]
    lines = [address.name, address.line1, address.line2, f"{address.town} {address.postcode}", country]
    return "\n".join(line for line in lines if line)


def delivery_for(user_id, address_id, method, goods_cents, today):
    """{method, cents, ship_to, expected_on} for an order, inside the checkout transaction."""
    ship_to = None
    if method != "collect":
        address = Address.get_or_none(Address.id == address_id, Address.user == user_id)
        if address is None:
            raise DeliveryRefused("We could not find that address in your address book. Choose another.")
        ship_to = address_copy(address)
    return {"method": method, "cents": price_of(method, goods_cents), "ship_to": ship_to,
            "expected_on": working_days_after(today, METHODS[method]["working_days"])}
