"""Rate limits, shared by every worker and host (table rate_limit_hits), each keyed on what it protects.

A limit counts attempts of one kind for one key (an account, a client address, a mailbox) in a
sliding window. take() checks and counts in one transaction: it reads the bucket's hits with a
locking read, so parallel attempts queue (InnoDB) or wait for the write lock (SQLite) and at most
`count` of them are let through, however many arrive at once. Bucket names are the limit's name and a
SHA-256 of the key: fixed length, and no username or address stored in clear.

Flask-Limiter was considered: its storages are Redis, Memcached or MongoDB, none of which this shop
otherwise needs, and it counts after the fact rather than reserving an attempt before it is evaluated.
"""
import hashlib
import math
import secrets
from datetime import timedelta
from typing import NamedTuple

from flask import request

from .db import current_read, transaction_with_retry
from .models import RateLimitHit, utcnow


class Limit(NamedTuple):
    """At most `count` attempts per key in `window` seconds; `reason` says what it protects."""

    name: str
    count: int
    window: int
    reason: str


LIVE_CHECKS = Limit("live", 120, 60, "the as-you-type username and email checks: a person types far slower")
LOGIN_PER_ACCOUNT = Limit("login-account", 5, 15 * 60, "guessing one account's password, by name or by email")
LOGIN_PER_CLIENT = Limit("login-client", 20, 15 * 60, "one client guessing the passwords of many accounts")
REGISTER_PER_CLIENT = Limit("register-client", 10, 3600,
                            "one client making accounts: each costs an argon2 hash and an email to any address")
REGISTER_PER_EMAIL = Limit("register-email", 3, 3600, "one mailbox flooded with verification emails")
RESEND_PER_CLIENT = Limit("resend-client", 5, 3600, "one client sending verification emails to many addresses")
RESEND_PER_ACCOUNT = Limit("resend-account", 3, 3600, "one mailbox flooded with verification links")
FORGOT_PER_CLIENT = Limit("forgot-client", 10, 3600, "one client sending reset links to many addresses")
FORGOT_PER_ADDRESS = Limit("forgot-address", 3, 3600, "one mailbox flooded with reset links")
CONTACT_PER_CLIENT = Limit("contact-client", 5, 3600, "one client filling the nursery's inbox through the contact form")
LOGIN_PER_DEVICE = Limit("login-device", 5, 15 * 60, "guessing from a browser that signed in to the account before")
EMAIL_CHANGE_PER_ACCOUNT = Limit("email-change-account", 5, 3600,
                                 "one account sending confirmation links, or guessing its password on the form")
EMAIL_CHANGE_PER_ADDRESS = Limit("email-change-address", 3, 3600, "one mailbox flooded with confirmation links")
ALL = [LIVE_CHECKS, LOGIN_PER_ACCOUNT, LOGIN_PER_CLIENT, REGISTER_PER_CLIENT, REGISTER_PER_EMAIL,
       RESEND_PER_CLIENT, RESEND_PER_ACCOUNT, FORGOT_PER_CLIENT, FORGOT_PER_ADDRESS, EMAIL_CHANGE_PER_ACCOUNT,
       EMAIL_CHANGE_PER_ADDRESS, CONTACT_PER_CLIENT]


def bucket(limit, key):
    """The stored name of one key's bucket: the limit's name and a digest of the key (fixed length)."""
    return f"{limit.name}:{hashlib.sha256(str(key).encode()).hexdigest()[:40]}"


def client_address():
    """The client's address: the connection's, or behind TRUSTED_PROXY_HOPS proxies the one they
    forwarded (ProxyFix, set up in create_app(), has already put it in remote_addr)."""
    return request.remote_addr or "unknown"


def wait_seconds(hits_oldest_first, limit, now):
    """Seconds until the oldest counted hit leaves the window."""
    oldest = hits_oldest_first[0]
    return max(1, math.ceil((oldest + timedelta(seconds=limit.window) - now).total_seconds()))


def take(limit, key):
    """Count one attempt if the key is under its limit: (None, hit id) when allowed, (seconds to wait,
    None) when not. The check and the count are one transaction, so parallel attempts cannot all slip
    through."""
    name, now = bucket(limit, key), utcnow()
    since = now - timedelta(seconds=limit.window)

    def attempt():
        hits = [row.created_at for row in current_read(
            RateLimitHit.select(RateLimitHit.id, RateLimitHit.created_at)
            .where(RateLimitHit.bucket == name, RateLimitHit.created_at > since)
            .order_by(RateLimitHit.created_at.desc()).limit(limit.count))]
        if len(hits) >= limit.count:
            return wait_seconds(sorted(hits), limit, now), None
        return None, RateLimitHit.create(bucket=name, created_at=now).id

    result = transaction_with_retry(attempt)
    if secrets.randbelow(200) == 0:  # now and then, forget what is older than a day
        day_ago = now - timedelta(days=1)
        transaction_with_retry(lambda: RateLimitHit.delete().where(RateLimitHit.created_at < day_ago).execute())
    return result


def under(limit, key):
    """True while the key has attempts left (nothing is counted)."""
    since = utcnow() - timedelta(seconds=limit.window)
    used = (RateLimitHit.select().where(RateLimitHit.bucket == bucket(limit, key), RateLimitHit.created_at > since)
            .limit(limit.count).count())
    return used < limit.count


def give_back(*hit_ids):
    """Uncount attempts that turned out fine (a successful login is no guess)."""
    ids = [hit_id for hit_id in hit_ids if hit_id]
    if ids:
        transaction_with_retry(lambda: RateLimitHit.delete().where(RateLimitHit.id.in_(ids)).execute())


def forget(limit, key):
    """Clear a key's bucket (after a successful login, the account's failures are forgiven)."""
    name = bucket(limit, key)
    transaction_with_retry(lambda: RateLimitHit.delete().where(RateLimitHit.bucket == name).execute())


def forget_keys(*keys):
    """Delete every bucket of these keys, for every limit (inside the caller's transaction): what a
    deleted account leaves in the counts."""
    names = [bucket(limit, key) for limit in ALL for key in keys if key]
    RateLimitHit.delete().where(RateLimitHit.bucket.in_(names)).execute()


def wait_message(seconds):
    """'Try again in 4 minutes' for people."""
    minutes = (seconds + 59) // 60
    return f"Try again in {minutes} minute{'s' if minutes != 1 else ''}." if seconds > 60 \
        else f"Try again in {seconds} seconds."
