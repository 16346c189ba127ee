"""Filter words: "pet safe", "low light", "easy", "under $20", "in stock" typed in the search box set the
catalogue's filters, and the other words are searched as before ("pet safe fern" = pet-safe ferns).

The rule, kept simple so a customer can predict it: a phrase of PHRASES, or a price phrase ("under $20",
"over 30"), anywhere in the search and outside double quotes, sets its filter (over the same control's
value) and leaves the search text. Everything else is searched as typed. To search names for those words,
put them in quotes ("easy care" aloe), or follow the results' link "Search for … as typed" (exact=1,
which also turns did-you-mean off).

It is a pure function of the text, a few compiled regular expressions (about 2 µs), run by parse_filters()
before the kept answers are looked up: "pet safe fern" and ?q=fern&pet_safe=1 share one kept answer.
"""
import re

# (filter, value): the phrases that set it; a space also matches a hyphen ("pet-safe")
PHRASES = {
    ("pet_safe", True): ("pet safe", "pet friendly", "safe for pets", "non toxic"),
    ("light", "low"): ("low light",),
    ("light", "medium"): ("medium light",),
    ("light", "bright"): ("bright light",),
    ("light", "direct"): ("direct sun", "full sun"),
    ("difficulty", "easy"): ("easy care", "easy"),
    ("availability", "in_stock"): ("in stock",),
}
BY_PHRASE = {phrase: found for found, phrases in PHRASES.items() for phrase in phrases}

_alternatives = "|".join(re.escape(phrase).replace(r"\ ", r"[\s-]+")
                         for phrase in sorted(BY_PHRASE, key=len, reverse=True))  # "easy care" before "easy"
PHRASE = re.compile(rf"(?<![\w-])(?:{_alternatives})(?![\w-])", re.IGNORECASE)
# "under $20", "below 12.50", "over $30": a number with no unit after it ("under 20 cm" is a size)
PRICE = re.compile(r"(?<![\w-])(under|below|less than|up to|over|above|more than)\s+(\$\s*)?([0-9]{1,5}(?:\.[0-9]{1,2})?)"
                   r"(?![\w.$])(?!\s*(?:cm|mm|m|l|litres?|liters?|in|inch(?:es)?)\b)", re.IGNORECASE)
MAX_WORDS = ("under", "below", "less than", "up to")
SPACES = re.compile(r"\s+")


def read_filter_words(text):
    """(the search text without its filter words, {filter: value} they set); quoted parts are left alone."""
    if not text:
        return text, {}
    found = {}

    def take_phrase(match):
        """A filter phrase: note its filter, leave a space."""
        name, value = BY_PHRASE[SPACES.sub(" ", match.group(0).replace("-", " ").lower())]
        found[name] = value
        return " "

    def take_price(match):
        """A price phrase: its bound in cents, leave a space."""
        bound = "max_price" if SPACES.sub(" ", match.group(1).lower()) in MAX_WORDS else "min_price"
        found[bound] = round(float(match.group(3)) * 100)
        return " "

    parts = text.split('"')
    for index in range(0, len(parts), 2):  # the even parts are outside quotes
        parts[index] = PRICE.sub(take_price, PHRASE.sub(take_phrase, parts[index]))
    if not found:
        return text, {}
    return SPACES.sub(" ", '"'.join(parts)).strip(), found
