"""Who may enter the back office, and the audit row every change made there writes.

Staff are ordinary accounts with users.is_staff set, which only the command
`flask --app wsgi staff grant USERNAME` does. Anyone else gets a 404 for every /staff route and
method: the area's existence is not advertised. Every change writes a staff_actions row in the same
transaction as the change itself, so there is never a change without its record.
"""
import json
from decimal import Decimal

from flask import abort, g, request

from ..accounts.sessions import load_logged_in_user
from ..db import transaction_with_retry
from ..models import StaffAction, User, utcnow


class StaffRefused(Exception):
    """A back-office change that cannot be made; the message says why, nothing changed."""


def require_staff():
    """Before every /staff request: a 404 unless a staff member is signed in."""
    if g.get("user") is None or not g.user.is_staff:
        abort(404)


def close_to_outsiders():
    """Before any other check of a request (its CSRF token, its URL's methods): every /staff URL is a 404
    unless a staff member is signed in, so neither a 400 nor a 405 tells an outsider the area exists."""
    if request.path == "/staff" or request.path.startswith("/staff/"):
        if "user" not in g:
            load_logged_in_user()
        require_staff()


def as_json(values):
    """Values for the audit trail as JSON text (money stays integer cents)."""
    if values is None:
        return None
    return json.dumps(values, default=lambda value: str(value) if isinstance(value, Decimal) else value.isoformat(),
                      sort_keys=True)


def audit(staff_id, action, object_type, object_id, before=None, after=None, reason=None):
    """Write the audit row of a change (inside the change's transaction)."""
    StaffAction.create(staff_user=staff_id, action=action, object_type=object_type, object_id=str(object_id),
                       before=as_json(before), after=as_json(after), reason=reason or None, created_at=utcnow())


def set_staff(username, on):
    """Grant or revoke the back office (the `staff grant|revoke` command); the user, or None."""
    user = User.get_or_none(User.username_lower == (username or "").lower(), User.deleted_at.is_null())
    if user is not None:
        transaction_with_retry(lambda: User.update(is_staff=on).where(User.id == user.id).execute())
    return user


def recent_actions(staff_id=None, action=None, object_type=None, limit=200):
    """The audit trail, newest first, filtered."""
    query = StaffAction.select(StaffAction, User).join(User).order_by(StaffAction.id.desc())
    if staff_id:
        query = query.where(StaffAction.staff_user == staff_id)
    if action:
        query = query.where(StaffAction.action == action)
    if object_type:
        query = query.where(StaffAction.object_type == object_type)
    return list(query.limit(limit))


def staff_members():
    """Everyone with staff rights, for the audit trail's filter by who."""
    return list(User.select().where(User.is_staff == True))  # noqa: E712
