"""The routes of an account's life: forgotten password, new password, new email, data, delete.

Each form on /account works without JavaScript (a 303 with a message, or the page again with the
errors) and with htmx (its own section swapped in place, errors included).
"""
import json

from flask import (
    Blueprint,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from .. import limits
from ..htmx import is_fragment_request, login_required, redirect_via_htmx, respond
from ..limits import client_address, wait_message
from .devices import remember_device
from .leaving import delete_account, export_data
from .lifecycle import (
    AccountRefused,
    change_password,
    confirm_email_change,
    request_email_change,
    request_password_reset,
    user_for_reset,
)
from .lifecycle import reset_password as set_password_from_link
from .sessions import log_out, token_hash
from .validation import password_state, validate_email, validate_new_password
from .views import render_account

bp = Blueprint("account", __name__)



@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    """Ask for a reset link; the answer is the same, and as quick, whether or not the address has an account."""
    if request.method == "GET":
        return render_template("templates/auth/forgot.html", state="ask", email="")
    email, error = validate_email(request.form.get("email"))
    if error:
        return render_template("templates/auth/forgot.html", state="ask", email=email, error=error), 422
    wait, _ = limits.take(limits.FORGOT_PER_CLIENT, client_address())
    if wait:
        return render_template("templates/auth/forgot.html", state="ask", email=email,
                               error="Too many requests from here. " + wait_message(wait)), 429
    send = limits.take(limits.FORGOT_PER_ADDRESS, email)[0] is None  # past it: the same answer, no email
    request_password_reset(email if send else None)
    return render_template("templates/auth/forgot.html", state="sent", email=email)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    """Choose a new password from the emailed link (once, within the hour); then log in with it."""
    state, user = user_for_reset(token[:500])
    if state != "ok":
        return render_template("templates/auth/reset.html", state=state, token=""), 400
    if request.method == "GET":
        return render_reset(token, user)
    password, errors = validate_new_password(request.form, user.username, user.email)
    if errors:
        return render_reset(token, user, errors, 422)
    try:
        set_password_from_link(token, password)
    except AccountRefused as refusal:
        return render_template("templates/auth/reset.html", state="used", token="", message=str(refusal)), 400
    log_out()  # whoever was logged in on this browser
    flash("Your password is changed and every browser was signed out. Log in with the new password.", "success")
    return redirect(url_for("auth.login"), code=303)


def render_reset(token, user, errors=None, status=200):
    """The reset form, with the registration's password checklist."""
    errors = errors or {}
    return render_template("templates/auth/reset.html", state="ok", token=token, user=user,
                           password=password_state("", user.username, user.email),
                           password_error=errors.get("password"),
                           confirm_error=errors.get("password_confirm")), status


def section(name, status, **form):
    """One section of the account page: its fragment for htmx, the whole page (422) without JavaScript."""
    if is_fragment_request():
        return render_template(f"partials/account/{name}_form.html", user=g.user, form=form,
                               password=password_state("", g.user.username, g.user.email)), status
    return render_account(status, {name: form})


@bp.post("/account/password")
@login_required
def change_password_view():
    """Change the password: the current one is required; other browsers are signed out, this one stays."""
    user = g.user
    password, errors = validate_new_password(request.form, user.username, user.email)
    if not errors:
        try:
            user.password_hash = change_password(user, request.form.get("current_password"), password,
                                                 token_hash(session.get("token", "")))
        except AccountRefused as refusal:
            errors = {refusal.field: str(refusal)}
    if errors:
        return section("password", 422, errors=errors)
    message = "Your password is changed. Every other browser was signed out, and we emailed you a notice."
    response = respond(lambda: section("password", 200, message=message), url_for("auth.account"), message)
    # every device cookie made with the old password is void now; this browser, which knew it, stays known
    return remember_device(response, user)


@bp.post("/account/email")
@login_required
def change_email_view():
    """Ask to change the email address: the new one gets a link, the old one stays until it is clicked."""
    email, error = validate_email(request.form.get("email"))
    errors, wait = ({"email": error} if error else {}), None
    if not errors:
        try:
            request_email_change(g.user, request.form.get("password"), email)
        except AccountRefused as refusal:
            errors, wait = {refusal.field: str(refusal)}, refusal.wait
    if errors:
        refused = section("email", 429 if wait else 422, errors=errors, email=(request.form.get("email") or "")[:254])
        return (*refused, {"Retry-After": str(wait)}) if wait else refused
    g.user.pending_email = email
    message = f"We sent a link to {email}. Your address changes when you click it; until then we write to {g.user.email}."
    return respond(lambda: section("email", 200, message=message), url_for("auth.account"), message)


@bp.get("/account/email/confirm/<token>")
def confirm_email(token):
    """The link from the new address: the account moves to it (if nobody took it meanwhile)."""
    state, user = confirm_email_change(token[:500])
    return render_template("templates/auth/email_confirmed.html", state=state, user=user), \
        200 if state == "changed" else 400


@bp.post("/account/delete")
@login_required
def delete_account_view():
    """Delete the account: password and the username typed again; then signed out, with a goodbye."""
    try:
        delete_account(g.user, request.form.get("password"), request.form.get("confirm"))
    except AccountRefused as refusal:
        return section("delete", 422, errors={refusal.field: str(refusal)})
    session.clear()
    flash("Your account is deleted. A goodbye email is on its way; thank you for growing with us.", "success")
    return redirect_via_htmx(url_for("catalog.index"))


@bp.get("/account/data")
@login_required
def download_data():
    """Everything the shop holds about the customer, as a JSON file."""
    response = make_response(json.dumps(export_data(g.user), indent=2, ensure_ascii=False))
    response.content_type = "application/json; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="fernhouse-{g.user.member_id}.json"'
    response.headers["Cache-Control"] = "no-store"
    return response
