"""The rest of an account's life: a forgotten password, a new password or email address, leaving.

Every link is signed with itsdangerous and bound to what it may change, so it works once:
- a reset link carries digests of the current password hash and the current address: any password
  change, or a new address, kills it;
- an email-change link carries digests of the current and the pending address and of the password
  hash: confirming, asking for another address or any password change kills it. A password change or
  reset also clears the pending address (issue 25: someone who knew the old password must not keep a
  way in after the owner changed it).
Nothing personal travels in a link in clear: only the user id and digests.
"""
import hashlib

from flask import current_app, render_template, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from peewee import IntegrityError

from .. import limits
from ..db import current_read, transaction_with_retry
from ..mail import queue_email
from ..models import User, UserSession, utcnow
from .passwords import password_hasher
from .registration import email_taken, release_unverified

RESET_SALT, RESET_MAX_AGE = "fernhouse-reset-password", 3600
EMAIL_SALT, EMAIL_MAX_AGE = "fernhouse-change-email", 48 * 3600


class AccountRefused(Exception):
    """The change cannot be made; .field names the form field it is about, the message says why."""

    def __init__(self, field, message, wait=None):
        super().__init__(message)
        self.field = field
        self.wait = wait  # seconds, when a rate limit refused it


def digest(text):
    """A short SHA-256 digest of a value a link is bound to (it reveals nothing of the value)."""
    return hashlib.sha256(str(text).encode()).hexdigest()[:24]


def signer(salt):
    """Signs and checks one kind of link."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def read_link(salt, token, max_age):
    """('ok', data) for a good link, ('expired' | 'invalid', None) otherwise."""
    try:
        data = signer(salt).loads(token, max_age=max_age)
    except SignatureExpired:
        return "expired", None
    except BadSignature:
        return "invalid", None
    return ("ok", data) if isinstance(data, dict) else ("invalid", None)


def absolute(endpoint, **values):
    """An absolute link for an email."""
    return current_app.config["BASE_URL"] + url_for(endpoint, **values)


def active_user(user_id):
    """The account with this id unless it was deleted."""
    return User.get_or_none(User.id == user_id, User.deleted_at.is_null())


def password_matches(user, password):
    """True when `password` is the account's password (argon2 verify)."""
    try:
        return bool(password) and password_hasher().verify(user.password_hash, password)
    except Exception:  # argon2 raises VerifyMismatchError, InvalidHashError...: all mean "no"
        return False


# ------------------------------------------------------------------------------- forgotten password
def request_password_reset(email):
    """Email a reset link to the account with this address, if there is one. The same work is done
    either way (the email is rendered, only not queued), so the answer takes the same time."""
    user = User.get_or_none(User.email == email, User.deleted_at.is_null()) if email else None
    token = signer(RESET_SALT).dumps({"u": user.id if user else 0, "h": digest(user.password_hash if user else ""),
                                      "e": digest(user.email if user else "")})
    context = {"user": user, "reset_url": absolute("account.reset_password", token=token),
               "valid_minutes": RESET_MAX_AGE // 60}
    if user is None:
        render_template("templates/email/password_reset.txt", base_url="", subject="", **context)
        render_template("templates/email/password_reset.html", base_url="", subject="", **context)
        return
    transaction_with_retry(lambda: queue_email(user.email, "Reset your Fernhouse password", "password_reset",
                                               **context))


def user_for_reset(token):
    """('ok', user) for a reset link that still works, else ('expired' | 'used' | 'invalid', None)."""
    state, data = read_link(RESET_SALT, token, RESET_MAX_AGE)
    if state != "ok":
        return state, None
    user = active_user(data.get("u"))
    if user is None:
        return "invalid", None
    if digest(user.password_hash) != data.get("h") or digest(user.email) != data.get("e"):
        return "used", None  # used already, or the password or the address changed since it was sent
    return "ok", user


def reset_password(token, password):
    """Set a new password from a reset link: every browser is signed out, an unverified account
    becomes verified (the link proved the address), and a notice is emailed. Returns the user."""
    state, user = user_for_reset(token)
    if state != "ok":
        raise AccountRefused("token", "This reset link no longer works. Ask for a new one below.")
    new_hash = password_hasher().hash(password)

    def apply():
        # Conditional on the hash and address the link was made for: two tabs using one link change it
        # once, and an address confirmed meanwhile kills it.
        changed = (User.update(password_hash=new_hash, verified_at=user.verified_at or utcnow(), pending_email=None)
                   .where(User.id == user.id, User.password_hash == user.password_hash, User.email == user.email)
                   .execute())
        if changed != 1:
            raise AccountRefused("token", "This reset link was used a moment ago. Ask for a new one below.")
        UserSession.delete().where(UserSession.user == user.id).execute()
        queue_email(user.email, "Your Fernhouse password was changed", "password_changed", user=user,
                    reset_url=absolute("account.forgot_password"))

    transaction_with_retry(apply)
    return new_hash
    return user


# ---------------------------------------------------------------------------------- new password
def change_password(user, current_password, new_password, keep_session_hash):
    """Change the password of a logged-in customer who knows the current one; every other browser
    is signed out (this one, keep_session_hash, stays in) and a notice is emailed. Returns the new hash."""
    if not password_matches(user, current_password):
        raise AccountRefused("current_password", "That is not your current password.")
    new_hash = password_hasher().hash(new_password)

    def apply():
        User.update(password_hash=new_hash, pending_email=None).where(User.id == user.id).execute()
        (UserSession.delete().where(UserSession.user == user.id, UserSession.token_hash != keep_session_hash)
         .execute())
        queue_email(user.email, "Your Fernhouse password was changed", "password_changed", user=user,
                    reset_url=absolute("account.forgot_password"))

    transaction_with_retry(apply)
    return new_hash


# -------------------------------------------------------------------------------- new email address
def request_email_change(user, password, new_email):
    """Ask to move the account to new_email: it gets a link (48 hours, once); until then the old
    address stays in force. Every attempt counts against the account's limit (so a borrowed session
    cannot guess the password here), and every link sent against the address's."""
    wait, _ = limits.take(limits.EMAIL_CHANGE_PER_ACCOUNT, user.id)
    if wait:
        raise AccountRefused("email", "Too many address changes asked for. " + limits.wait_message(wait), wait)
    if not password_matches(user, password):
        raise AccountRefused("password", "That is not your password.")
    if new_email == user.email:
        raise AccountRefused("email", "That is already your email address.")
    if email_taken(new_email):
        raise AccountRefused("email", "An account already uses this email. Use another address.")
    wait, _ = limits.take(limits.EMAIL_CHANGE_PER_ADDRESS, new_email)
    if wait:
        raise AccountRefused("email", "Too many links were sent to this address. " + limits.wait_message(wait), wait)
    token = signer(EMAIL_SALT).dumps({"u": user.id, "c": digest(f"{user.member_id}:{user.email}"),
                                      "p": digest(new_email), "h": digest(user.password_hash)})

    def apply():
        User.update(pending_email=new_email).where(User.id == user.id).execute()
        queue_email(new_email, "Confirm your new email for Fernhouse", "email_change", user=user,
                    new_email=new_email, confirm_url=absolute("account.confirm_email", token=token),
                    valid_hours=EMAIL_MAX_AGE // 3600)

    transaction_with_retry(apply)


def link_still_good(user, data):
    """True while an email-change link matches the account: the same address, pending address and
    password as when it was sent."""
    return user is not None and bool(user.pending_email) and user.deleted_at is None \
        and digest(f"{user.member_id}:{user.email}") == data.get("c") \
        and digest(user.pending_email) == data.get("p") and digest(user.password_hash) == data.get("h")


def confirm_email_change(token):
    """Move the account to its pending address from the emailed link: ('changed', user) or
    ('expired' | 'invalid' | 'taken', None). The old address is told."""
    state, data = read_link(EMAIL_SALT, token, EMAIL_MAX_AGE)
    if state != "ok":
        return state, None
    user = active_user(data.get("u"))
    if not link_still_good(user, data):
        return "invalid", None  # used already, another address or password since, or the account is gone
    old, new = user.email, user.pending_email

    def apply():
        # Checked again on the locked row: a password change committed since the first read wins.
        if not link_still_good(current_read(User.select().where(User.id == user.id)).first(), data):
            return "invalid"
        if email_taken(new):
            return "taken"
        release_unverified(email=new)  # an account never verified does not hold the address
        User.update(email=new, pending_email=None).where(User.id == user.id, User.email == old).execute()
        queue_email(old, "Your Fernhouse email address was changed", "email_changed", user=user,
                    old_email=old, new_email=new)
        return "changed"

    try:
        outcome = transaction_with_retry(apply)
    except IntegrityError:  # someone registered the address between the check and the update
        outcome = "taken"
    return outcome, (User.get_by_id(user.id) if outcome == "changed" else None)
