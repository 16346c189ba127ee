"""Search answers kept until the catalogue changes.

As people type, the same searches come again and again ("mo", "mon", "monst"), and each one's answer
(which products, in which order, how many, the counts per category) stays the same until a product or a
category changes. So every worker keeps the answers it computed, keyed on the filters, for one version of
the catalogue: a number in catalogue_state that database triggers move whenever a search answer may
have changed (shop/migrations/0010_catalogue_version.py). Each request reads that number once (one
primary-key lookup); when it has moved, the worker forgets everything it kept. Every worker and every
cluster node reads the same number, so none shows an answer older than the last change it can see.

What is kept are ids and counts, never rows: the cards' price, stock and name are read fresh by id for
every request, so a sale shows at once even though it does not move the version.
"""
import threading
from collections import OrderedDict

from flask import current_app, g

from ..models import CatalogueState

MAX_ANSWERS = 4000  # per worker and kind of answer; the oldest unused one goes first


class Answers:
    """The answers one worker keeps for one version of the catalogue, least recently used out first."""

    def __init__(self, size=MAX_ANSWERS):
        self.size = size
        self.version = None
        self.entries = OrderedDict()
        self.lock = threading.Lock()  # the development server answers from several threads

    def get(self, version, key):
        """The answer kept for `key` at this version, or None."""
        with self.lock:
            if version != self.version:
                self.entries.clear()
                self.version = version
                return None
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, version, key, answer):
        """Keep an answer computed at this version (dropped if the version moved meanwhile)."""
        with self.lock:
            if version != self.version:
                return
            self.entries[key] = answer
            if len(self.entries) > self.size:
                self.entries.popitem(last=False)


def catalogue_version():
    """The catalogue's version now (read once per request), or None if the row is missing."""
    if "catalogue_version" not in g:
        g.catalogue_version = (CatalogueState.select(CatalogueState.version)
                               .where(CatalogueState.id == 1).scalar())
    return g.catalogue_version


def key_of(filters):
    """A hashable key for a dict of filters (lists become tuples)."""
    return tuple(sorted((name, tuple(value) if isinstance(value, list) else value)
                        for name, value in filters.items()))


def remembered(kind, filters, compute):
    """compute()'s answer for these filters, kept until the catalogue's version moves. The version is
    read before computing, so an answer is never kept under a version newer than what it saw."""
    store = current_app.extensions.setdefault("search_answers", {}).setdefault(kind, Answers())
    version = catalogue_version()
    if version is None:
        return compute()
    key = key_of(filters)
    found = store.get(version, key)
    if found is None:
        found = compute()
        store.put(version, key, found)
    return found
