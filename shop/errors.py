"""Friendly error pages: 404, 405, 500, 503 while the database is unreachable or too busy."""
import logging

from flask import g, make_response, render_template
from peewee import InterfaceError, OperationalError

from .db import ShopBusy, drop_connection, error_code, is_check_violation, is_lost_connection
from .htmx import is_fragment_request, reswap, retarget

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("That request was not understood", "Please check what you entered and try again."),
    404: ("We could not find that page", "It may have been moved, or the link may be mistyped."),
    405: ("That action is not allowed here", "Please use the buttons and links on the page."),
    413: ("That was too much to send", "Forms here are small: please go back and send less."),
    500: ("Something went wrong on our side", "We have been told about it. Please try again in a moment."),
}


def error_page(status, title=None, message=None):
    """Render the shared error page with a status code."""
    default_title, default_message = MESSAGES.get(status, MESSAGES[500])
    return render_template("templates/errors/error.html", status=status, title=title or default_title,
                           message=message or default_message), status


def notice_or_page(status, title, message, headers=None):
    """An error for a person: the error page, or for htmx a notice swapped into the page's
    #page-notice (HX-Retarget), so a busy shop never replaces a cart or a card with a whole page."""
    if is_fragment_request():
        response = make_response(render_template("partials/errors/notice.html", title=title, message=message), status)
        reswap(retarget(response, "#page-notice"), "innerHTML")
    else:
        response = make_response(*error_page(status, title, message))
    response.headers.update(headers or {})
    return response


# Errors that mean "the database is not answering", as opposed to a bug in a query:
# MySQL client 2002/2003 (cannot connect), 2006/2013 (gone away, lost), 2055, server 1040 (too many
# connections), 1205 (lock wait timeout); SQLite's locked, unopenable or failing disk.
UNAVAILABLE_CODES = {1040, 1205, 2002, 2003, 2006, 2013, 2055}
UNAVAILABLE_TEXT = ("database is locked", "unable to open database", "disk i/o error", "database or disk is full")


def is_unavailable(error):
    """True when a database error means the database cannot answer now (worth a 503 and a retry)."""
    text = str(error).lower()
    return (isinstance(error, InterfaceError) or error_code(error) in UNAVAILABLE_CODES
            or any(fragment in text for fragment in UNAVAILABLE_TEXT))


def without_database():
    """Render what follows without the database: let go of the broken connection, and show the header
    as a guest's (the cart badge of a signed-in customer would query again, fail again inside the error
    handler, and turn a clear 503 into a dropped connection)."""
    drop_connection()
    g.user = None


def init_app(app):
    """Register the error handlers."""
    for status in (400, 404, 405, 413, 500):
        app.register_error_handler(status, lambda error, status=status: error_page(status))

    @app.errorhandler(ShopBusy)
    def shop_busy(error):
        """Every attempt of a write met a conflict (deadlock, lock wait, cluster certification):
        nothing was changed, and saying so is better than a 500."""
        if is_lost_connection(error.__cause__):
            without_database()
        return notice_or_page(503, "The shop is very busy right now.",
                              "Nothing was changed and nothing was charged. Please try again in a moment.",
                              {"Retry-After": "2"})

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error):
        """The database did not answer: tell the customer, log the cause, never show a traceback."""
        if is_check_violation(error):
            # A CHECK backstop caught a write the code should have refused first: nothing was changed.
            log.error("check constraint refused a write: %s", error)
            return error_page(409, "That could not be done", "Nothing was changed. Please reload and try again.")
        if not is_unavailable(error):
            log.exception("database error")  # a bug (bad SQL), not an outage: say so in the log
            return error_page(500)
        log.error("database unavailable: %s", error)
        without_database()
        return notice_or_page(503, "The shop is having a short rest.",
                              "Our database is not answering right now. Please try again in a minute.",
                              {"Retry-After": "30"})
