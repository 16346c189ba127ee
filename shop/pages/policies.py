"""The figures the delivery, returns and privacy pages state, read from the code that enforces them.

Each function reads the constants when it is called (module.NAME, never a copy taken at import), so a
changed rule changes the page with it: the pages cannot promise what the shop no longer does.
"""
from flask import current_app

from ..accounts import leaving, lifecycle, registration, sessions
from ..orders import bookings, delivery
from ..staff import fulfilment
from . import contact


def hours(seconds):
    """A duration in whole hours or days, as people say it: '48 hours', '30 days'."""
    seconds = int(seconds)
    if seconds % 86400 == 0 and seconds >= 7 * 86400:
        days = seconds // 86400
        return f"{days} day{'s' if days != 1 else ''}"
    count = round(seconds / 3600)
    return f"{count} hour{'s' if count != 1 else ''}"


def delivery_terms():
    """Methods with price and working days, the free-delivery threshold, and the cancelling rules."""
    methods = [{"method": method, "label": spec["label"], "cents": spec["cents"], "working_days": spec["working_days"]}
               for method, spec in delivery.METHODS.items()]
    return {
        "methods": methods,
        "free_standard_from": delivery.FREE_STANDARD_FROM,
        "customer_cancels_while": "placed",
        "nursery_cancels_while": list(fulfilment.CANCELLABLE),
        "booking_notice": hours(bookings.CANCEL_NOTICE.total_seconds()),
    }


def privacy_terms():
    """How long each kind of data lives, from the session, link and message rules."""
    return {
        "session_idle": hours(current_app.permanent_session_lifetime.total_seconds()),
        "session_longest": hours(sessions.ABSOLUTE_LIFETIME.total_seconds()),
        "staff_session": hours(sessions.STAFF_LIFETIME.total_seconds()),
        "unverified_purge": hours(registration.VERIFY_MAX_AGE),
        "reset_link": hours(lifecycle.RESET_MAX_AGE),
        "email_link": hours(lifecycle.EMAIL_MAX_AGE),
        "contact_kept": hours(contact.KEEP_DAYS * 86400),
        "unfinished": ", ".join(leaving.UNFINISHED[:-1]) + " or " + leaving.UNFINISHED[-1],
    }
