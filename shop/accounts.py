"""Accounts: creating customers, hashing passwords, verification tokens, and who is logged in."""
import functools
import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g, redirect, request, session, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from peewee import IntegrityError

from .db import transaction_with_retry
from .ledger import open_balance
from .mail import queue_email
from .models import User, UserSession, utcnow

# Argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane): about 20 ms here. Tests use "fast".
ARGON2_PROFILES = {
    "owasp": {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1},
    "fast": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
}
MEMBER_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's: no I, L, O or U to misread
STARTING_BALANCE_CENTS = (50_00, 1500_00)
VERIFY_SALT = "fernhouse-verify-email"
VERIFY_MAX_AGE = 48 * 3600


class UsernameTaken(Exception):
    """Someone has that username (in any letter case)."""


class EmailTaken(Exception):
    """An account already uses that email address."""


def password_hasher():
    """The argon2id hasher for the configured profile."""
    return PasswordHasher(**ARGON2_PROFILES[current_app.config.get("ARGON2_PROFILE", "owasp")])


@functools.lru_cache(maxsize=4)
def _dummy_hash(profile):
    """A hash of a random password, to verify against when no account matches (equal timing)."""
    return PasswordHasher(**ARGON2_PROFILES[profile]).hash(secrets.token_urlsafe(16))


def new_member_id():
    """A readable member ID like FH-7K3Q-92XD: random, so it reveals nothing about the user count."""
    chars = "".join(secrets.choice(MEMBER_ID_ALPHABET) for _ in range(8))
    return f"FH-{chars[:4]}-{chars[4:]}"


def starting_balance_cents():
    """A random starting balance from $50.00 to $1500.00 inclusive, in cents."""
    low, high = STARTING_BALANCE_CENTS
    return low + secrets.randbelow(high - low + 1)


def username_taken(username):
    """True when an account has this username in any letter case."""
    return User.select().where(User.username_lower == username.lower()).exists()


def email_taken(email):
    """True when an account has this (normalised) email address."""
    return User.select().where(User.email == email).exists()


def register_user(username, email, password):
    """Create an unverified customer and queue the verification email, in one transaction.

    The unique indexes decide races: when two people take one name at the same moment, the loser's
    INSERT fails and becomes UsernameTaken (or EmailTaken), never a 500.
    """
    password_hash = password_hasher().hash(password)

    def create():
        balance = starting_balance_cents()
        user = User.create(member_id=new_member_id(), username=username, username_lower=username.lower(),
                           email=email, password_hash=password_hash, balance_cents=balance)
        open_balance(user.id, balance)  # the ledger's first row: balance = SUM(ledger) from the start
        send_verification_email(user)
        return user

    for _ in range(5):  # a member ID collision is astronomically rare; retry rather than fail
        try:
            return transaction_with_retry(create)
        except IntegrityError:
            if username_taken(username):
                raise UsernameTaken(username) from None
            if email_taken(email):
                raise EmailTaken(email) from None
    raise RuntimeError("could not allocate a member ID")


def verification_serializer():
    """Signs and checks verification tokens with a salt of their own."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=VERIFY_SALT)


def verification_url(user):
    """The absolute link for the email: BASE_URL + /verify/<token bound to the user and address>."""
    token = verification_serializer().dumps({"u": user.id, "e": user.email})
    return current_app.config["BASE_URL"] + url_for("auth.verify", token=token)


def send_verification_email(user):
    """Queue the email with the verification link (inside the caller's transaction)."""
    queue_email(user.email, "Confirm your email for Fernhouse", "verify", user=user,
                verify_url=verification_url(user), valid_hours=VERIFY_MAX_AGE // 3600)


def verify_token(token):
    """Check a verification link: ('verified' | 'already' | 'expired' | 'invalid', user or None)."""
    try:
        data = verification_serializer().loads(token, max_age=VERIFY_MAX_AGE)
    except SignatureExpired:
        return "expired", None
    except BadSignature:
        return "invalid", None
    if not isinstance(data, dict):
        return "invalid", None
    user = User.get_or_none(User.id == data.get("u"))
    if user is None or user.email != data.get("e"):
        return "invalid", None  # the account is gone or its address changed since the link was sent
    if user.verified_at is not None:
        return "already", user
    transaction_with_retry(
        lambda: User.update(verified_at=utcnow()).where(User.id == user.id, User.verified_at.is_null()).execute())
    return "verified", User.get_by_id(user.id)


def find_user_by_login(login):
    """The account whose username or email is `login` (any letter case), or None."""
    login = (login or "").strip().lower()
    if not login or len(login) > 254:
        return None
    field = User.email if "@" in login else User.username_lower
    return User.get_or_none(field == login)


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


def token_hash(token):
    """What user_sessions stores of a session token: its SHA-256, in hex."""
    return hashlib.sha256(str(token).encode()).hexdigest()


def log_in(user):
    """Start a fresh session for this browser: a new random token, its hash in user_sessions.

    The browser's previous session (if any) ends; the customer's other browsers stay signed in.
    Sessions of this customer unused for longer than the lifetime are swept at the same time.
    """
    end_this_session()
    token, now = secrets.token_urlsafe(32), utcnow()
    def start():
        UserSession.delete().where(UserSession.user == user.id,
                                   UserSession.last_seen_at < now - current_app.permanent_session_lifetime).execute()
        UserSession.create(user=user.id, token_hash=token_hash(token), created_at=now, last_seen_at=now)

    transaction_with_retry(start)
    session.clear()
    session["user_id"] = user.id
    session["token"] = token
    session.permanent = True


def end_this_session():
    """Delete this browser's session row, so every copy of its cookie stops working."""
    if session.get("token"):
        hashed = token_hash(session["token"])
        transaction_with_retry(lambda: UserSession.delete().where(UserSession.token_hash == hashed).execute())


def log_out(everywhere=False):
    """End this browser's session, or (everywhere) every session of the customer."""
    if everywhere and g.get("user") is not None:
        user_id = g.user.id
        transaction_with_retry(lambda: UserSession.delete().where(UserSession.user == user_id).execute())
    end_this_session()
    session.clear()


SEEN_EVERY = timedelta(hours=1)


def load_logged_in_user():
    """Set g.user from the session, only while the session's row exists and has been used lately.

    last_seen_at is written at most once an hour, not on every request.
    """
    g.user = None
    user_id, token = session.get("user_id"), session.get("token")
    if user_id is None:
        return
    row = None
    if token:
        row = (UserSession.select(UserSession, User).join(User)
               .where(UserSession.token_hash == token_hash(token), UserSession.user == user_id).first())
    now = utcnow()
    if row is None or row.last_seen_at < now - current_app.permanent_session_lifetime:
        session.clear()
        return
    if row.last_seen_at < now - SEEN_EVERY:
        transaction_with_retry(lambda: UserSession.update(last_seen_at=now).where(UserSession.id == row.id).execute())
    g.user = row.user


def safe_next(target):
    """A local path to go back to after logging in; anything else becomes None (no open redirect)."""
    if not target or not isinstance(target, str) or len(target) > 2000:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def login_required(view):
    """Send anonymous visitors to /login?next=<where they were going>."""
    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.get("user") is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")), code=303)
        return view(**kwargs)
    return wrapped
