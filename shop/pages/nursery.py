"""The nursery's address and opening hours, in one place: the footer, About and Contact all read them here."""

NURSERY = {
    "name": "Fernhouse plant nursery",
    "street": "2140 Greenhouse Road",
    "town": "Portland, OR 97214",
    "country": "United States",
    # (days, hours), in the order a visitor reads them
    "hours": [("Tuesday to Sunday", "9:00 to 17:00"), ("Monday", "closed")],
}


def address_lines():
    """The nursery's postal address as lines of text."""
    return [NURSERY["name"], NURSERY["street"], NURSERY["town"], NURSERY["country"]]
