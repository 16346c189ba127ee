"""The catalogue: filters, search engines, the listing queries, pictures, reviews, and their routes.

filters (query string to clean values) · search (SQLite FTS5 / InnoDB FULLTEXT engines) · listing (the
queries) · pictures (generated SVGs) · reviews (the domain) · views and review_views (the routes).
"""
