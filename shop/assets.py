"""Static file URLs carry a version (?v=<digest of the file>), so a proxy may let browsers keep them a year.

deploy/nginx/fernhouse.conf serves /static/ with a year's caching: a release that changes shop.css changes
its URL, so no browser keeps the old file, and a file that did not change keeps its URL and its cache.
"""
import hashlib
import os
from functools import lru_cache


@lru_cache(maxsize=512)
def digest(path, modified, size):
    """The first 10 hex digits of the file's SHA-256 (its mtime and size key the cache: an edit is seen)."""
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()[:10]


def file_version(folder, filename):
    """The version of a static file, or None when there is no such file."""
    path = os.path.join(folder, filename)
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return digest(path, stat.st_mtime_ns, stat.st_size)


def init_app(app):
    """Add ?v= to every url_for('static', ...)."""

    @app.url_defaults
    def version_static_urls(endpoint, values):
        """The file's version as a query argument (Flask's static view ignores it)."""
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = file_version(app.static_folder, values["filename"])
            if version:
                values["v"] = version
