"""The catalogue's filters: the query string read into clean values, and messages for what was ignored."""
from decimal import Decimal, InvalidOperation

from werkzeug.datastructures import MultiDict

from .filter_words import read_filter_words

SORTS = {
    "relevance": "Featured",
    "price_asc": "Price: low to high",
    "price_desc": "Price: high to low",
    "rating": "Best rated",
    "newest": "Newest",
}

AVAILABILITY = {"any": "Everything", "in_stock": "In stock", "out_of_stock": "Sold out"}

# The plant attributes a person can filter on: parameter -> {value: label}.
PLANT_FILTERS = {
    "light": {"low": "Low light", "medium": "Medium light", "bright": "Bright light", "direct": "Direct sun"},
    "difficulty": {"easy": "Easy", "moderate": "Moderate", "expert": "Expert"},
    "size": {"small": "Small", "medium": "Medium", "large": "Large"},
}

MAX_PRICE_CENTS = 100_000_00

MAX_PAGE = 10_000



class Refused(str):
    """A message about a value that was refused (the answer becomes a 422), not merely a note."""


def refused_any(messages):
    """True when a message says a value was refused."""
    return any(isinstance(message, Refused) for message in messages)


def _parse_dollars(raw, label, messages):
    """Dollars typed by a person to cents, or None with a message when it is not a sensible price."""
    raw = (raw or "").strip().lstrip("$")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        messages.append(Refused(f"{label} must be a number of dollars, like 25 or 19.99."))
        return None
    # compared before multiplying: 1e999999 * 100 would overflow the decimal context
    if not value.is_finite() or value < 0 or value > MAX_PRICE_CENTS // 100:
        messages.append(Refused(f"{label} must be between $0 and ${MAX_PRICE_CENTS // 100:,}."))
        return None
    return int(value * 100)


def parse_filters(args):
    """Read the catalogue's query string into clean filters and messages for what was ignored."""
    messages = []
    filters = {
        "q": (args.get("q") or "").strip()[:100],
        "category": [slug[:64] for slug in args.getlist("category") if slug][:20],
        "min_price": _parse_dollars(args.get("min_price"), "Minimum price", messages),
        "max_price": _parse_dollars(args.get("max_price"), "Maximum price", messages),
        "min_rating": None,
        "availability": args.get("availability") if args.get("availability") in AVAILABILITY else "any",
        "sort": args.get("sort") if args.get("sort") in SORTS else "relevance",
        "pet_safe": args.get("pet_safe") == "1",
        "exact": args.get("exact") == "1",  # search for the words as typed, without "did you mean"
        "page": 1,
    }
    for name, choices in PLANT_FILTERS.items():
        filters[name] = args.get(name) if args.get(name) in choices else None
    rating = (args.get("min_rating") or "").strip()
    if rating:
        try:
            value = float(rating)
            if not 0 <= value <= 5:
                raise ValueError
            filters["min_rating"] = value
        except ValueError:
            messages.append(Refused("Minimum rating must be between 0 and 5."))
    if not filters["exact"]:
        # "pet safe fern": the words set their filters over the controls', the rest is the search
        filters["q"], worded = read_filter_words(filters["q"])
        filters.update(worded)
    try:
        filters["page"] = min(max(int(args.get("page", 1)), 1), MAX_PAGE)
    except (TypeError, ValueError):
        messages.append(Refused("That page number was not understood, so here is the first page."))
    if filters["min_price"] is not None and filters["max_price"] is not None \
            and filters["min_price"] > filters["max_price"]:
        messages.append("The minimum price was above the maximum, so the two were swapped.")
        filters["min_price"], filters["max_price"] = filters["max_price"], filters["min_price"]
    return filters, messages


def filter_chips(filters, categories):
    """Every filter on, as (label, the same filters without it, first page): the chips above the results."""
    chips = [(category.name, {"category": [slug for slug in filters["category"] if slug != category.slug]})
             for category in categories if category.slug in filters["category"]]
    if filters["min_price"] is not None:
        chips.append((f"From ${filters['min_price'] / 100:g}", {"min_price": None}))
    if filters["max_price"] is not None:
        chips.append((f"Up to ${filters['max_price'] / 100:g}", {"max_price": None}))
    if filters["min_rating"] is not None:
        chips.append((f"{filters['min_rating']:g}+ stars", {"min_rating": None}))
    if filters["availability"] != "any":
        chips.append((AVAILABILITY[filters["availability"]], {"availability": "any"}))
    for name, choices in PLANT_FILTERS.items():
        if filters[name]:
            suffix = {"difficulty": " care", "size": " plants"}.get(name, "")
            chips.append((choices[filters[name]] + suffix, {name: None}))
    if filters["pet_safe"]:
        chips.append(("Safe for cats and dogs", {"pet_safe": False}))
    return [(label, {**filters, **without, "page": 1}) for label, without in chips]


def default_filters():
    """The filters of the bare catalogue (an empty query string)."""
    return parse_filters(MultiDict())[0]
