"""CSRF protection, the security headers every response carries, and safe redirects after login."""
from urllib.parse import urlsplit

from flask import g, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect

csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
])


def init_app(app):
    """Turn on CSRF checks and the header policy for the app."""
    csrf.init_app(app)

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        """A missing or stale CSRF token: 400 with a page that says what to do."""
        return render_template("templates/errors/error.html", status=400, title="This form has expired",
                               message="Please go back, reload the page and try again."), 400

    @app.after_request
    def add_security_headers(response):
        """Send the CSP and the other protective headers on every response."""
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if g.get("user") is not None and request.endpoint != "static":
            # every page of a signed-in customer shows their balance: no cache, shared or private, keeps it
            headers.setdefault("Cache-Control", "no-store")
        if app.config["SHOP_ENV"] == "production":
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def safe_next(target):
    """A local path to go back to after logging in; anything else becomes None (no open redirect)."""
    if not target or not isinstance(target, str) or len(target) > 2000:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target
