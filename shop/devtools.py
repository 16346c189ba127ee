"""Development-only pages: the dev mailbox. Every route here is a 404 outside development."""
import re

from flask import Blueprint, abort, current_app, make_response, render_template, request

from .models import EmailOutbox

bp = Blueprint("devtools", __name__, url_prefix="/dev")

LINK = re.compile(r"https?://[^\s<>\"')]+")
# The stored email HTML uses inline styles, as mail clients need; it is shown only inside a
# sandboxed frame with a policy of its own, never mixed into the shop's pages.
EMAIL_FRAME_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                      "frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox")


@bp.before_request
def development_only():
    """Hide every dev tool unless the app runs in development."""
    if current_app.config["SHOP_ENV"] != "development":
        abort(404)


@bp.get("/mailbox")
def mailbox():
    """The outbox, newest first, with the chosen message shown and its links clickable."""
    messages = list(EmailOutbox.select().order_by(EmailOutbox.id.desc()).limit(100))
    chosen = None
    wanted = request.args.get("id", type=int)
    if messages:
        chosen = next((m for m in messages if m.id == wanted), None) if wanted else messages[0]
        if chosen is None:
            chosen = EmailOutbox.get_or_none(EmailOutbox.id == wanted)
    links = list(dict.fromkeys(LINK.findall(chosen.body_text))) if chosen else []
    return render_template("templates/devtools/mailbox.html", messages=messages, chosen=chosen, links=links)


@bp.get("/mailbox/<int:message_id>/html")
def mailbox_html(message_id):
    """One message's HTML body, for the mailbox's preview frame."""
    message = EmailOutbox.get_or_none(EmailOutbox.id == message_id)
    if message is None:
        abort(404)
    response = make_response(message.body_html)
    response.headers["Content-Security-Policy"] = EMAIL_FRAME_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
