"""Who is logged in: one user_sessions row per signed-in browser, its token's hash only."""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app, g, session

from ..db import transaction_with_retry
from ..models import User, UserSession, utcnow

SEEN_EVERY = timedelta(hours=1)
# However active, a sign-in ends after this long: a stolen cookie cannot be kept alive for ever.
ABSOLUTE_LIFETIME = timedelta(days=30)
# A staff member's sign-in ends after a working day: the back office moves money.
STAFF_LIFETIME = timedelta(hours=8)


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


def load_logged_in_user():
    """Set g.user from the session, only while the session's row exists, has been used lately (14
    days idle) and is not older than ABSOLUTE_LIFETIME.

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
    if row is None or row.last_seen_at < now - current_app.permanent_session_lifetime \
            or row.created_at < now - (STAFF_LIFETIME if row.user.is_staff else ABSOLUTE_LIFETIME):
        session.clear()
        return
    if row.last_seen_at < now - SEEN_EVERY:
        transaction_with_retry(lambda: UserSession.update(last_seen_at=now).where(UserSession.id == row.id).execute())
    g.user = row.user


def user_by_id(user_id):
    """The user as the database holds it now (after a charge or a refund changed the balance)."""
    return User.get_by_id(user_id)
