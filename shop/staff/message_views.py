"""The back office's list of contact messages (/staff/messages): what customers wrote through /contact."""
from flask import Blueprint, render_template

from ..pages.contact import recent_messages
from .access import require_staff

bp = Blueprint("staff_messages", __name__, url_prefix="/staff")
bp.before_request(require_staff)


@bp.get("/messages")
def index():
    """The contact messages, newest first, each with a link to answer by email."""
    return render_template("templates/staff/messages.html", messages=recent_messages())
