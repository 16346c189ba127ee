"""Product search: one interface, an engine per database.

Both engines read a query the same way (parse_query): words match by prefix ("mons" finds
Monstera), several words narrow the results, and a SKU-like word (FH-10042, 10042, FH-100, 1004)
matches SKUs by prefix. MySQL/MariaDB uses the InnoDB FULLTEXT indexes of schema.sql in boolean
mode; SQLite uses an FTS5 index kept in step with the products table by triggers (both created by
shop/migrations/0001_initial). Everything that differs between the two databases is inside the
two engine classes.
"""
import operator
import re
import string
from functools import reduce

from peewee import SQL, Case
from playhouse.mysql_ext import Match

from ..db import is_mysql
from ..models import Product

MAX_TERMS = 8
MAX_LISTED_MATCHES = 2000  # a shelf word's own matches listed by id (MySQL), or else joined as a UNION
WORD = re.compile(r"[^\W_]+")
APOSTROPHE_TAIL = re.compile(r"['’][^\W_]*")
SKU_TERM = re.compile(r"(?i)^(?:fh-?(\d*)|(\d{3,}))$")
# InnoDB does not index these words (its default stop-word list), so a required "+the*" would
# match nothing; both engines drop them when other words remain, so both give the same answer.
STOPWORDS = frozenset(
    "a about an are as at be by com de en for from how i in is it la of on or that the this to was what "
    "when where who will with und www".split())


class ParsedQuery:
    """The words to match by prefix and the SKU prefixes, read from what a person typed."""

    def __init__(self, words, sku_prefixes, name_prefix=None, short_word=None):
        self.words = words
        self.sku_prefixes = sku_prefixes
        self.name_prefix = name_prefix  # one letter, or only stop words: names starting with them
        self.short_word = short_word  # two letters alone: names with a word starting with them

    def __bool__(self):
        return bool(self.words or self.sku_prefixes or self.name_prefix or self.short_word)


def singular(word):
    """The singular of a plural a person may type, or None: "ferns" also finds Boston Fern,
    "lilies" Peace Lily, "cacti" Christmas Cactus. It is matched as a whole word, beside the word
    itself as a prefix, so a search finds all it found before; and a half-typed word that happens
    to end in s ("mons" on the way to "monstera") only adds the rare product with the whole word
    "mon". Neither engine stems on its own: InnoDB has no stemmer, and FTS5's porter tokenizer would
    make SQLite answer differently from MySQL."""
    if len(word) > 4 and word.endswith("ies"):
        found = word[:-3] + "y"  # lilies -> lily
    elif len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes")):
        found = word[:-2]  # boxes -> box
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        found = word[:-1]  # ferns -> fern; moss, cactus, iris are not plurals
    elif len(word) > 4 and word.endswith("i") and word[-2] not in "aeiou":
        found = word[:-1] + "us"  # cacti -> cactus
    else:
        return None
    # InnoDB indexes no word under 3 letters (innodb_ft_min_token_size), so neither engine uses one
    return found if len(found) >= 3 and found not in STOPWORDS else None


def parse_query(text):
    """Split a search box's text into prefix words and SKU prefixes (operators and symbols dropped)."""
    words, skus = [], []
    for token in (text or "").split()[:MAX_TERMS * 2]:
        sku = SKU_TERM.match(token.strip(string.punctuation))
        if sku:
            skus.append("FH-" + (sku.group(1) or sku.group(2) or ""))
            continue
        # InnoDB keeps "bird's" as one token, FTS5 splits it into "bird" and "s": searching for the
        # part before the apostrophe matches both the same way.
        token = APOSTROPHE_TAIL.sub("", token)
        words.extend(word.lower() for word in WORD.findall(token))
    words = list(dict.fromkeys(words))[:MAX_TERMS]
    content = [word for word in words if word not in STOPWORDS]
    if words and not skus and (not content or (len(content) == 1 and len(content[0]) == 1)):
        # Only stop words, or one letter (the first key of a search): names that start with
        # them. One letter starts a word in most of the catalogue; a name range is instant.
        return ParsedQuery([], [], name_prefix=" ".join(words))
    if not skus and len(content) == 1 and len(content[0]) == 2:
        # Two letters ("fe" on the way to "fern"): words of names that start with them. Across
        # names, latin names and categories, "tr" (Tropicals, Trailing) matches a third of the
        # catalogue; names alone keep it to a few thousand and still show where the typing goes.
        return ParsedQuery([], [], short_word=content[0])
    return ParsedQuery(content, skus[:2])


class SearchEngine:
    """Narrows a product query to a ParsedQuery's matches and says how to rank them.

    Relevance is a few tiers, then popularity: an exact SKU first, then products with every word
    in their name, then the rest (latin name, category, tags); within a tier the most reviewed
    first. Both engines rank the same way, so both databases give the same products in the same
    order. (A text score such as bm25 would have to be computed for every match, thousands for a
    word like "fern", and it differs between engines.)
    """

    def apply(self, query, parsed, categories=()):
        """The query narrowed to matches, and the ORDER BY for relevance (`categories`: every
        category, for the shelf tier of two letters)."""
        for prefix in parsed.sku_prefixes:
            query = query.where(self.prefix_range(Product.sku, prefix))
        if parsed.name_prefix:
            query = query.where(self.name_starts_with(parsed.name_prefix))
        order = []
        if parsed.short_word:
            query = self.with_name_word(query, parsed.short_word)
            order.append(two_letter_tier(self, parsed.short_word, categories))
        if parsed.sku_prefixes:
            order.append(Case(None, [(Product.sku.in_(parsed.sku_prefixes), 0)], 1))
        if parsed.words:
            shelves = {word: shelf_ids(word, categories) if len(word) >= 3 else [] for word in parsed.words}
            plain = [word for word in parsed.words if not shelves[word]]
            if plain:
                query = query.where(self.matches(plain))
            for word in parsed.words:
                if shelves[word]:  # the word's own text matches, or the shelf it names
                    query = self.with_shelf(query, word, shelves[word])
            order.append(Case(None, [(self.matches(parsed.words, name_only=True), 0)], 1))
        return query, order + [Product.rating_count.desc(), Product.id.desc()]

    def with_shelf(self, query, word, shelf):
        """The query narrowed to products whose text matches `word` or that sit on a shelf it names.
        (SQLite answers the OR from the two indexes, one lookup each.)"""
        return query.where(self.matches([word]) | Product.category.in_(shelf))

    def matches(self, words, name_only=False):
        """A condition: the product's text (or only its name) has every word as a prefix."""
        raise NotImplementedError

    def prefix_range(self, field, prefix):
        """A condition: `field` starts with `prefix`, in a form the field's index can answer."""
        raise NotImplementedError

    def name_starts_with(self, prefix):
        """A condition: the product's name starts with `prefix` in any usual letter case."""
        raise NotImplementedError

    def with_name_word(self, query, letters):
        """The query narrowed to products with a word of their name starting with two letters."""
        return query.where(self.matches([letters], name_only=True))


class MySQLFullText(SearchEngine):
    """InnoDB FULLTEXT in boolean mode: +word* for each word (prefix terms work below min token size)."""

    def matches(self, words, name_only=False):
        """MATCH (name, latin_name, keywords) AGAINST ('+mons* +(ferns* fern)' IN BOOLEAN MODE)."""
        columns = (Product.name,) if name_only else (Product.name, Product.latin_name, Product.keywords)
        terms = (f"+({word}* {singular(word)})" if singular(word) else f"+{word}*" for word in words)
        return Match(columns, " ".join(terms), "IN BOOLEAN MODE")

    def prefix_range(self, field, prefix):
        """LIKE 'prefix%', which MySQL answers from the index."""
        return field.startswith(prefix)

    def name_starts_with(self, prefix):
        """The collation ignores letter case, so one range does."""
        return Product.name.startswith(prefix)

    def with_name_word(self, query, letters):
        """InnoDB leaves words under 3 letters out of its index ("ZZ" of "ZZ Plant"). When some
        name starts with the letters as a word of their own (one probe of the name index), those
        names are added to the full-text matches by a UNION; otherwise the UNION, which costs
        10 ms for "ca" at 100,000 products, is left out."""
        in_words = self.matches([letters], name_only=True)
        if not Product.select().where(Product.name.startswith(letters + " ") | (Product.name == letters)).exists():
            return query.where(in_words)
        found = (Product.select(Product.id).where(in_words)
                 | Product.select(Product.id).where(self.name_starts_with(letters))).alias("found")
        return query.join(found, on=(Product.id == found.c.id))


    def with_shelf(self, query, word, shelf):
        """MariaDB cannot use a FULLTEXT index under an OR. The word's own matches are few (the shelf's
        name is not in the full-text index), so they are read first and the condition becomes
        `id IN (those) OR category_id IN (the shelf)`, which MariaDB answers from the primary key and the
        category index. When a word matches thousands by text, the two are joined as a UNION of ids."""
        ids = [product_id for (product_id,) in
               Product.select(Product.id).where(self.matches([word])).limit(MAX_LISTED_MATCHES + 1).tuples()]
        if len(ids) <= MAX_LISTED_MATCHES:
            return query.where(Product.id.in_(ids or [0]) | Product.category.in_(shelf))
        found = (Product.select(Product.id).where(self.matches([word]))
                 | Product.select(Product.id).where(Product.category.in_(shelf))).alias(f"shelf_{word[:20]}")
        return query.join(found, on=(Product.id == found.c.id))


class SqliteFts5(SearchEngine):
    """SQLite FTS5: id IN (SELECT rowid FROM products_fts WHERE products_fts MATCH '"mons"* AND "del"*').

    SQLite runs the subquery once into a list and probes it; joining products to the FTS5 table
    instead lets the planner test MATCH once per product row (2 s at 100,000 products).
    """

    def matches(self, words, name_only=False):
        """products_fts MATCH '"mons"* AND ("ferns"* OR "fern")' (each term in name: for the name)."""
        column = "name:" if name_only else ""
        expression = " AND ".join(f'{column}("{word}"* OR "{singular(word)}")' if singular(word) else
                                  f'{column}"{word}"*' for word in words)
        return Product.id.in_(SQL("(SELECT rowid FROM products_fts WHERE products_fts MATCH ?)", [expression]))

    def prefix_range(self, field, prefix):
        """SQLite's LIKE is case-insensitive and so cannot use a (case-sensitive) index; a range
        between the prefix and the prefix with its last character raised by one can. (On MySQL that
        range would be wrong: its collation sorts "{" before letters.)"""
        return (field >= prefix) & (field < prefix[:-1] + chr(ord(prefix[-1]) + 1))

    def name_starts_with(self, prefix):
        """One index range per usual letter case: fern, Fern, FERN."""
        variants = sorted({prefix, prefix.capitalize(), prefix.upper()})
        return reduce(operator.or_, (self.prefix_range(Product.name, variant) for variant in variants))


def shelf_ids(word, categories):
    """The ids of the categories a search word names: a word of their name starts with it ("fe",
    "fern", "tro", "house" of Houseplants) or is the plural of it ("cactus": Succulents & Cacti).
    Two letters only rank (see two_letter_tier); a whole search word of three letters or more also
    finds the shelf's products (SearchEngine.apply)."""
    return [category.id for category in categories
            if any(name.startswith(word) or singular(name) == word for name in WORD.findall(category.name.lower()))]


def two_letter_tier(engine_, letters, categories):
    """How two letters rank: names whose first word starts with them ("Fe" of "Feed Pellets"), then
    products on a shelf whose name does ("fe": the Ferns, before "Liquid Plant Feed"), then the rest;
    popularity decides within each tier (the ORDER BY's next keys)."""
    tiers = [(engine_.name_starts_with(letters), 0)]
    shelves = shelf_ids(letters, categories)
    if shelves:
        tiers.append((Product.category.in_(shelves), 1))
    return Case(None, tiers, 2)


def engine():
    """The search engine for the bound database."""
    return MySQLFullText() if is_mysql() else SqliteFts5()


def search(query, text, categories=()):
    """Narrow a product query to what `text` asks for; return (query, relevance order or None).
    `categories` (every category) lets two letters rank the shelf they name before other matches."""
    parsed = parse_query(text)
    if not parsed:
        return query, None
    return engine().apply(query, parsed, categories)
