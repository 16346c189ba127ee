"""Did you mean: when a search finds nothing, the closest words of the catalogue replace the misspelt ones.

The vocabulary is every word (3 letters or more) of the names, latin names and category names of the
products in the shop, each weighted by how popular its products are. It is built from the database, so
every worker has the same one, and kept per process against the version of the catalogue's words
(catalogue_state.words_version, moved by triggers when a name, a latin name, a category or what is shown
changes: shop/migrations/0010_catalogue_version.py; a sale or a review does not move it).
When the version has moved, the worker goes on answering from the vocabulary it has while a thread builds
the new one (at most once per RECHECK_SECONDS): building it means reading every product (0.5 s at 100,000
products, 4-7 s at 1,000,000), which no request should wait for. Only a worker's very first build is waited
for.

A word is left alone when it is a word of the catalogue or the start of one (as-you-type prefixes are
not typos). Otherwise the closest words by Damerau-Levenshtein distance (a transposition costs one, as
"monstrea" for "monstera"; rapidfuzz computes it) within 1 edit for words of up to 5 letters and 2 for
longer ones are candidates, and the most popular of the closest wins.
"""
import logging
import threading
import time

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from ..db import database
from ..models import CatalogueState, Category, Product
from .search import WORD

log = logging.getLogger(__name__)
RECHECK_SECONDS = 30  # a moved version starts a new build at most this often
MIN_LENGTH = 4  # shorter words are prefixes on their way somewhere, or too ambiguous to correct

_cache = {"built": False, "version": None, "started": float("-inf"), "weights": {}, "words": [], "prefixes": frozenset()}
_lock = threading.Lock()
_builder = {"thread": None}


def catalogue_version():
    """The version of the catalogue's words (one primary-key read), or None when the row is missing."""
    return CatalogueState.select(CatalogueState.words_version).where(CatalogueState.id == 1).scalar()


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


def rebuild(version, db=None):
    """Build the vocabulary of this version of the catalogue and put it in place (`db`: the database to
    take a connection from, when a thread builds it)."""
    with (db or database).connection_context():
        weights = build_vocabulary()
    tables = vocabulary_of(weights)
    with _lock:
        _cache.update(**tables, version=version, built=True)


def vocabulary_of(weights):
    """What suggest() looks words up in, for {word: weight}: the words and every start of 4+ letters."""
    prefixes = {word[:end] for word in weights for end in range(MIN_LENGTH, len(word) + 1)}
    return {"weights": weights, "words": list(weights), "prefixes": frozenset(prefixes)}


def vocabulary():
    """The vocabulary: the one this process has, while a newer one is built in the background when the
    catalogue's version moved; built here and now only the first time."""
    version = catalogue_version()
    if not _cache["built"]:
        rebuild(version)
        return _cache
    now = time.monotonic()
    with _lock:
        stale = version != _cache["version"]
        idle = _builder["thread"] is None or not _builder["thread"].is_alive()
        due = now - _cache["started"] >= RECHECK_SECONDS
        if stale and idle and due:
            _cache["started"] = now
            _builder["thread"] = threading.Thread(target=build_in_background, args=(version, database.obj),
                                                  daemon=True)
            _builder["thread"].start()
    return _cache


def build_in_background(version, db):
    """rebuild() in a thread of its own: a failure is logged (and the next moved version tries again);
    the worker keeps answering from the vocabulary it has."""
    try:
        rebuild(version, db)
    except Exception:  # noqa: BLE001 (a thread has no caller to raise to)
        log.exception("building the did-you-mean vocabulary failed")


def settle():
    """Wait for a build running in the background (tests, and the bench, which time what follows)."""
    thread = _builder["thread"]
    if thread is not None:
        thread.join()


def forget():
    """Drop the vocabulary (the next call builds it again, and waits for it)."""
    settle()
    with _lock:
        _cache.update(built=False, version=None, started=float("-inf"))


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


def suggest(text, words_of=None):
    """The search text with its misspelt words replaced, or None when there is nothing to correct
    (`words_of`: another vocabulary_of() than the catalogue's, as the guides' search has)."""
    words = [word for word in WORD.findall((text or "").lower())]
    if not words or any(word.isdigit() for word in words):
        return None
    cache = words_of if words_of is not None else vocabulary()
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
