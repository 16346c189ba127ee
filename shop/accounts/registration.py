"""Creating customers and verifying their email: member IDs, the starting balance, verification links."""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from peewee import IntegrityError

from ..db import current_read, transaction_with_retry
from ..mail import queue_email
from ..models import BalanceLedger, EmailOutbox, User, UserSession, utcnow
from ..orders.ledger import open_balance
from .passwords import find_user_by_login, password_hasher

MEMBER_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's: no I, L, O or U to misread

STARTING_BALANCE_CENTS = (50_00, 1500_00)

VERIFY_SALT = "fernhouse-verify-email"

VERIFY_MAX_AGE = 48 * 3600



class UsernameTaken(Exception):
    """Someone has that username (in any letter case)."""


class EmailTaken(Exception):
    """An account already uses that email address."""


def new_member_id():
    """A readable member ID like FH-7K3Q-92XD: random, so it reveals nothing about the user count."""
    chars = "".join(secrets.choice(MEMBER_ID_ALPHABET) for _ in range(8))
    return f"FH-{chars[:4]}-{chars[4:]}"


def starting_balance_cents():
    """A random starting balance from $50.00 to $1500.00 inclusive, in cents."""
    low, high = STARTING_BALANCE_CENTS
    return low + secrets.randbelow(high - low + 1)


def username_taken(username):
    """True when a verified account has this username in any letter case. An account that was never
    verified holds nothing: whoever registers the name next replaces it (no squatting)."""
    return User.select().where(User.username_lower == username.lower(), User.verified_at.is_null(False)).exists()


def email_taken(email):
    """True when a verified account has this (normalised) email address; see username_taken()."""
    return User.select().where(User.email == email, User.verified_at.is_null(False)).exists()


def release_unverified(username_lower=None, email=None, older_than=None):
    """Delete the never-verified accounts that hold this username or address (or, with older_than,
    every one made before then), inside the caller's transaction. They cannot have logged in, so
    they own nothing but their opening ledger row and their verification emails; their links die
    with them. Returns how many went."""
    query = User.select(User.id, User.email).where(User.verified_at.is_null(), User.deleted_at.is_null())
    if older_than is not None:
        query = query.where(User.created_at < older_than)
    else:
        query = query.where((User.username_lower == (username_lower or "")) | (User.email == (email or "")))
    holders = list(current_read(query))
    for holder in holders:
        BalanceLedger.delete().where(BalanceLedger.user == holder.id).execute()
        EmailOutbox.delete().where(EmailOutbox.recipient == holder.email).execute()
        UserSession.delete().where(UserSession.user == holder.id).execute()
        User.delete().where(User.id == holder.id).execute()
    return len(holders)


def register_user(username, email, password):
    """Create an unverified customer and queue the verification email, in one transaction.

    The unique indexes decide races: when two people take one name at the same moment, the loser's
    INSERT fails and becomes UsernameTaken (or EmailTaken), never a 500.
    """
    password_hash = password_hasher().hash(password)

    def create():
        release_unverified(username.lower(), email)  # a squatter's unverified account gives way
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


def purge_unverified(now=None):
    """Remove the accounts never verified within the link's life (flask --app wsgi purge-unverified)."""
    cutoff = (now or utcnow()) - timedelta(seconds=VERIFY_MAX_AGE)
    return transaction_with_retry(lambda: release_unverified(older_than=cutoff))


def address_digest(user):
    """What a verification link holds of the account and its address: a digest of the random member
    ID and the address, so the link binds to both without showing the address in proxy logs and browser
    history, and dies with the account even if a database reuses its id."""
    return hashlib.sha256(f"{user.member_id}:{user.email}".encode()).hexdigest()[:24]


def verification_serializer():
    """Signs and checks verification tokens with a salt of their own."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=VERIFY_SALT)


def verification_url(user):
    """The absolute link for the email: BASE_URL + /verify/<token bound to the user and address>."""
    token = verification_serializer().dumps({"u": user.id, "e": address_digest(user)})  # no address in clear
    return current_app.config["BASE_URL"] + url_for("auth.verify", token=token)


def send_verification_email(user):
    """Queue the email with the verification link (inside the caller's transaction)."""
    queue_email(user.email, "Confirm your email for Fernhouse", "verify", user=user,
                verify_url=verification_url(user), valid_hours=VERIFY_MAX_AGE // 3600)


def resend_verification_link(email):
    """Send a new verification link to an account with this address that is not verified yet
    (nothing happens otherwise: the caller answers the same either way)."""
    user = find_user_by_login(email)
    if user is not None and user.verified_at is None:
        transaction_with_retry(lambda: send_verification_email(user))


def verify_token(token):
    """Check a verification link: ('verified' | 'already' | 'expired' | 'invalid', user or None)."""
    try:
        data = verification_serializer().loads(token, max_age=VERIFY_MAX_AGE)
    except SignatureExpired:
        return "expired", None
    except BadSignature:
        return "invalid", None
    if not isinstance(data, dict) or type(data.get("u")) is not int or not 0 < data["u"] < 2 ** 31:
        return "invalid", None  # signed with the real key yet not a user id: never handed to the database
    user = User.get_or_none(User.id == data["u"], User.deleted_at.is_null())
    if user is None or address_digest(user) != data.get("e"):
        return "invalid", None  # the account is gone or its address changed since the link was sent
    if user.verified_at is not None:
        return "already", user
    transaction_with_retry(
        lambda: User.update(verified_at=utcnow()).where(User.id == user.id, User.verified_at.is_null()).execute())
    return "verified", User.get_by_id(user.id)
