"""Did you mean: when a search finds nothing, the closest words of the catalogue replace the misspelt ones.

The vocabulary is every word (3 letters or more) of the names, latin names and category names of the
products in the shop, each weighted by how popular its products are. It is built from the database, so
every worker has the same one, and kept per process with a version check: at most every
RECHECK_SECONDS a cheap query (how many products, the newest id, the newest back-office change) says
whether the catalogue changed; only then is the vocabulary read again.

A word is left alone when it is a word of the catalogue or the start of one (as-you-type prefixes are
not typos). Otherwise the closest words by Damerau-Levenshtein distance (a transposition costs one, as
"monstrea" for "monstera"; rapidfuzz computes it) within 1 edit for words of up to 5 letters and 2 for
longer ones are candidates, and the most popular of the closest wins.
"""
import threading
import time

from peewee import fn
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from ..models import Category, Product, StaffAction
from .search import WORD

RECHECK_SECONDS = 30
MIN_LENGTH = 4  # shorter words are prefixes on their way somewhere, or too ambiguous to correct

_cache = {"version": None, "checked": 0.0, "weights": {}, "words": [], "prefixes": frozenset()}
_lock = threading.Lock()


def catalogue_version():
    """What changes when the searchable words may have: products added or removed, or a staff change."""
    count, newest = Product.select(fn.COUNT(Product.id), fn.MAX(Product.id)).tuples().get()
    staff_change = StaffAction.select(fn.MAX(StaffAction.id)).where(StaffAction.object_type == "product").scalar()
    return count, newest, staff_change


def build_vocabulary():
    """{word: weight} from the products in the shop and the category names."""
    weights = {}
    rows = (Product.select(Product.name, Product.latin_name, Product.rating_count)
            .where(Product.hidden == False).tuples())  # noqa: E712
    for name, latin_name, rating_count in rows:
        for word in set(WORD.findall(f"{name} {latin_name}".lower())):
            if len(word) >= 3 and not word.isdigit():
                weights[word] = weights.get(word, 0) + 1 + (rating_count or 0)
    for (name,) in Category.select(Category.name).tuples():
        for word in WORD.findall(name.lower()):
            if len(word) >= 3:
                weights[word] = weights.get(word, 0) + 1000
    return weights


def vocabulary():
    """The cached {word: weight}, rebuilt when the catalogue's version changed."""
    now = time.monotonic()
    if now - _cache["checked"] < RECHECK_SECONDS and _cache["version"] is not None:
        return _cache
    version = catalogue_version()
    with _lock:
        if version != _cache["version"]:
            weights = build_vocabulary()
            prefixes = {word[:end] for word in weights for end in range(MIN_LENGTH, len(word) + 1)}
            _cache.update(weights=weights, words=list(weights), prefixes=frozenset(prefixes), version=version)
        _cache["checked"] = now
    return _cache


def forget():
    """Drop the cached vocabulary (tests that change the catalogue under the same version)."""
    with _lock:
        _cache.update(version=None, checked=0.0)


def closest(word, cache):
    """The best catalogue word for a misspelt one, or None."""
    limit = 1 if len(word) <= 5 else 2
    found = process.extract(word, cache["words"], scorer=DamerauLevenshtein.distance, score_cutoff=limit,
                            limit=20)
    if not found:
        return None
    best = min(distance for _, distance, _ in found)
    return max((candidate for candidate, distance, _ in found if distance == best),
               key=lambda candidate: (cache["weights"][candidate], candidate))


def suggest(text):
    """The search text with its misspelt words replaced, or None when there is nothing to correct."""
    words = [word for word in WORD.findall((text or "").lower())]
    if not words or any(word.isdigit() for word in words):
        return None
    cache = vocabulary()
    changed, corrected = False, []
    for word in words:
        if len(word) < MIN_LENGTH or word in cache["weights"] or word in cache["prefixes"]:
            corrected.append(word)
            continue
        better = closest(word, cache)
        if better is None:
            return None  # a word with nothing close: no suggestion beats a wild guess
        corrected.append(better)
        changed = changed or better != word
    return " ".join(corrected) if changed else None
