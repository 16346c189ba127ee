"""Login throttling that attackers cannot turn against owners: OWASP's device cookies.

A browser that signed in to an account carries a device cookie: itsdangerous-signed, bound to the account's
member ID and to a digest of its password hash (a new password ends every cookie made with the old one: a
browser that signed in with a stolen password keeps no exemption), holding a random nonce. Its login attempts
count against its own budget (limits.LOGIN_PER_DEVICE, keyed on the account and the nonce), so failures from
elsewhere cannot lock it out; once that budget is spent it counts as unknown. Unknown browsers (no cookie, or
one that is forged, expired or another account's) share the account's budget (limits.LOGIN_PER_ACCOUNT). Every
attempt also counts against the client's address (limits.LOGIN_PER_CLIENT).
"""
import hashlib
import secrets
from typing import NamedTuple

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .. import limits

DEVICE_COOKIE = "device"
DEVICE_SALT = "fernhouse-device"
DEVICE_MAX_AGE = 365 * 24 * 3600  # refreshed at every sign-in: a browser used once a year stays known


class Attempt(NamedTuple):
    """One login attempt counted: its hit on the client's limit, and the budget it was charged to."""

    client_hit: int
    limit: limits.Limit
    key: object


def signer():
    """Signs and checks device cookies (a salt of their own: no other signed value passes for one)."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=DEVICE_SALT)


def password_digest(user):
    """A short digest of the account's password hash, which a device cookie is bound to."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:24]


def known_device(cookie, user):
    """The browser's nonce when `cookie` is a device cookie signed here, within its life, for this
    account; None for anything else."""
    if not cookie or user is None:
        return None
    try:
        data = signer().loads(cookie[:400], max_age=DEVICE_MAX_AGE)
    except BadSignature:  # expired included (SignatureExpired is one)
        return None
    if (not isinstance(data, dict) or data.get("m") != user.member_id or data.get("p") != password_digest(user)
            or not isinstance(data.get("n"), str)):
        return None
    return data["n"]


def reserve_login_attempt(user, login_text, client, device):
    """Count one attempt before the password is checked, so parallel guesses cannot slip past:
    (None, Attempt) when it may go ahead, (seconds to wait, None) when not. `user` is the account the
    login names (None for an unknown name, counted by its text), `device` known_device()'s answer."""
    wait, client_hit = limits.take(limits.LOGIN_PER_CLIENT, client)
    if wait:
        return wait, None
    if device:
        key = f"{user.id}:{device}"
        wait, _ = limits.take(limits.LOGIN_PER_DEVICE, key)
        if not wait:
            return None, Attempt(client_hit, limits.LOGIN_PER_DEVICE, key)
    key = user.id if user else login_text.lower()
    wait, _ = limits.take(limits.LOGIN_PER_ACCOUNT, key)
    return (wait, None) if wait else (None, Attempt(client_hit, limits.LOGIN_PER_ACCOUNT, key))


def login_succeeded(attempt):
    """A good login is no guess: give the client's hit back and forgive the failures of the budget it
    was charged to (only this browser's, when it was a known one)."""
    limits.give_back(attempt.client_hit)
    limits.forget(attempt.limit, attempt.key)


def remember_device(response, user, device=None):
    """Set (or refresh) the browser's device cookie for this account, keeping its nonce if it had one.
    HttpOnly, sent only to /login, Secure in production, SameSite=Lax."""
    value = signer().dumps({"m": user.member_id, "p": password_digest(user), "n": device or secrets.token_urlsafe(16)})
    response.set_cookie(DEVICE_COOKIE, value, max_age=DEVICE_MAX_AGE, path="/login", httponly=True,
                        secure=current_app.config["SESSION_COOKIE_SECURE"], samesite="Lax")
    return response
