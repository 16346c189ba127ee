"""Passwords: argon2id hashing, and checking a login without telling whether the account exists."""
import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from ..db import transaction_with_retry
from ..models import User

# Argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane): about 20 ms here. Tests use "fast".
ARGON2_PROFILES = {
    "owasp": {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1},
    "fast": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
}



def password_hasher():
    """The argon2id hasher for the configured profile."""
    return PasswordHasher(**ARGON2_PROFILES[current_app.config.get("ARGON2_PROFILE", "owasp")])


@functools.lru_cache(maxsize=4)
def _dummy_hash(profile):
    """A hash of a random password, to verify against when no account matches (equal timing)."""
    return PasswordHasher(**ARGON2_PROFILES[profile]).hash(secrets.token_urlsafe(16))


def find_user_by_login(login):
    """The account whose username or email is `login` (any letter case), or None."""
    login = (login or "").strip().lower()
    if not login or len(login) > 254:
        return None
    field = User.email if "@" in login else User.username_lower
    return User.get_or_none(field == login, User.deleted_at.is_null())


def check_credentials(login, password):
    """The user when login and password match, else None; an unknown login costs the same time."""
    user = find_user_by_login(login)
    hasher = password_hasher()
    if user is None or not password:
        try:
            hasher.verify(_dummy_hash(current_app.config.get("ARGON2_PROFILE", "owasp")), password or "-")
        except VerificationError:
            pass
        return None
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
        transaction_with_retry(
            lambda: User.update(password_hash=user.password_hash).where(User.id == user.id).execute())
    return user
