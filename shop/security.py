"""CSRF protection, the security headers every response carries, and shared rate limits."""
import math
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect

from .db import transaction_with_retry
from .models import RateLimitHit, utcnow

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
        if app.config["SHOP_ENV"] == "production":
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


# Rate limits live in the database (table rate_limit_hits), so every gunicorn worker sees the same
# counts; process memory would give each worker its own allowance. Flask-Limiter was considered,
# but its storages are Redis, Memcached or MongoDB, none of which this shop otherwise needs.
def seconds_until_allowed(bucket, limit, window_seconds):
    """None while the bucket has fewer than `limit` hits in the window, else the seconds to wait."""
    now = utcnow()
    since = now - timedelta(seconds=window_seconds)
    hits = (RateLimitHit.select(RateLimitHit.created_at)
            .where(RateLimitHit.bucket == bucket, RateLimitHit.created_at > since)
            .order_by(RateLimitHit.created_at.desc()).limit(limit))
    times = [row.created_at for row in hits]
    if len(times) < limit:
        return None
    oldest_counted = times[-1]
    return max(1, math.ceil((oldest_counted + timedelta(seconds=window_seconds) - now).total_seconds()))


def record_hit(bucket):
    """Count one attempt against a bucket (and now and then forget hits older than a day)."""
    transaction_with_retry(lambda: RateLimitHit.create(bucket=bucket[:150]))
    if secrets.randbelow(200) == 0:
        day_ago = utcnow() - timedelta(days=1)
        transaction_with_retry(lambda: RateLimitHit.delete().where(RateLimitHit.created_at < day_ago).execute())


def clear_hits(bucket):
    """Forget a bucket's attempts (after a successful login)."""
    transaction_with_retry(lambda: RateLimitHit.delete().where(RateLimitHit.bucket == bucket[:150]).execute())


def client_address():
    """The client's IP address as the app sees it (behind a proxy, configure ProxyFix)."""
    return request.remote_addr or "unknown"


def wait_message(seconds):
    """'Try again in 4 minutes' for people."""
    minutes = (seconds + 59) // 60
    return f"Try again in {minutes} minute{'s' if minutes != 1 else ''}." if seconds > 60 \
        else f"Try again in {seconds} seconds."


def safe_next(target):
    """A local path to go back to after logging in; anything else becomes None (no open redirect)."""
    if not target or not isinstance(target, str) or len(target) > 2000:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target
