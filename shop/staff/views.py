"""The back office's front door and its tools: the dashboard, workshops, the outbox, the audit trail."""
from flask import Blueprint, abort, g, render_template, request, url_for

from ..htmx import respond
from ..mail import MAX_ATTEMPTS, email_by_id
from ..models import utcnow
from ..orders.bookings import workshop_by_id, workshops_newest_first
from .access import StaffRefused, recent_actions, require_staff, staff_members
from .dashboard import dashboard_figures
from .mailroom import outbox, retry_email
from .people import cancel_workshop, save_workshop, workshop_values
from .products import LOW_STOCK

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.before_request(require_staff)


@bp.get("")
def dashboard():
    """Today's orders and revenue, orders to pack, plants low on stock, failing emails, new reviews."""
    return render_template("templates/staff/dashboard.html", low_stock_limit=LOW_STOCK,
                           now_date=utcnow().date().isoformat(), **dashboard_figures())


@bp.get("/audit")
def audit_trail():
    """Every change made in the back office, newest first, filtered by who, what and which kind of object."""
    staff_id = request.args.get("staff", "")
    action = (request.args.get("action") or "")[:40]
    object_type = (request.args.get("object_type") or "")[:20]
    staff_number = int(staff_id) if staff_id.isascii() and staff_id.isdigit() and len(staff_id) < 10 else None
    actions = recent_actions(staff_number, action, object_type)
    staff = staff_members()
    return render_template("templates/staff/audit.html", actions=actions, staff=staff, filters=request.args)


@bp.get("/mail")
def mail():
    """The outbox: queued, sent, failing or given up with the last error; any unsent message can be retried now."""
    state = request.args.get("state") if request.args.get("state") in ("queued", "sent", "failing") else "all"
    return render_template("templates/staff/mail.html", messages=outbox(state), state=state, max_attempts=MAX_ATTEMPTS)


@bp.post("/mail/<int(max=2147483647):message_id>/retry")
def retry(message_id):
    """Put one message back at the front of the queue."""
    if email_by_id(message_id) is None:
        abort(404)
    try:
        retry_email(g.user.id, message_id)
        message, category = "The message is queued again: the worker tries it on its next round.", "success"
    except StaffRefused as refusal:
        message, category = str(refusal), "error"
    return respond(lambda: render_template("partials/staff/notice.html", message=message, category=category),
                   url_for("staff.mail"), message, category)


def render_workshops(status=200, errors=None, values=None, editing=None):
    """The workshops page with its forms."""
    workshops = workshops_newest_first()
    return render_template("templates/staff/workshops.html", workshops=workshops, errors=errors or {},
                           values=values or {}, editing=editing), status


@bp.route("/workshops", methods=["GET", "POST"])
def workshops():
    """Workshops: the list, and the form to add one."""
    if request.method == "GET":
        return render_workshops()
    values, errors = workshop_values(request.form)
    if not errors:
        try:
            workshop = save_workshop(g.user.id, None, values)
        except StaffRefused as refusal:
            errors = {"title": str(refusal)}
    if errors:
        return render_workshops(422, errors, request.form)
    return respond("", url_for("staff.workshops"), f"Added {workshop.title}.")


@bp.post("/workshops/<int(max=2147483647):workshop_id>")
def edit_workshop(workshop_id):
    """Change a workshop's title, date, seats or price."""
    if workshop_by_id(workshop_id) is None:
        abort(404)
    values, errors = workshop_values(request.form)
    if not errors:
        try:
            workshop = save_workshop(g.user.id, workshop_id, values)
        except StaffRefused as refusal:
            errors = {"seats_total": str(refusal)}
    if errors:
        return render_workshops(422, errors, request.form, workshop_id)
    return respond("", url_for("staff.workshops"), f"Saved {workshop.title}.")


@bp.post("/workshops/<int(max=2147483647):workshop_id>/cancel")
def cancel(workshop_id):
    """Cancel a workshop: every booking refunded and emailed."""
    workshop = workshop_by_id(workshop_id)
    if workshop is None:
        abort(404)
    try:
        count = cancel_workshop(g.user.id, workshop_id, request.form.get("reason"))
    except StaffRefused as refusal:
        return render_workshops(422, {"cancel": str(refusal)}, editing=workshop_id)
    return respond("", url_for("staff.workshops"),
                   f"{workshop.title} is cancelled; {count} booking{'s' if count != 1 else ''} refunded.")
