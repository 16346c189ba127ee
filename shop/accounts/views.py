"""Registration with live checks, email verification, login and logout, and the account page."""
import re

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for

from .. import limits
from ..htmx import login_required
from ..limits import client_address, wait_message
from ..orders.guest_cart import merge_guest_cart, take_guest_cart
from ..orders.ledger import REASON_LABELS
from ..security import safe_next
from .devices import DEVICE_COOKIE, known_device, login_succeeded, remember_device, reserve_login_attempt
from .overview import account_overview
from .passwords import check_credentials, find_user_by_login
from .registration import (
    EmailTaken,
    UsernameTaken,
    email_taken,
    register_user,
    resend_verification_link,
    username_taken,
    verify_token,
)
from .sessions import load_logged_in_user, log_in, log_out
from .validation import (
    password_state,
    validate_email,
    validate_registration,
    validate_username,
)

bp = Blueprint("auth", __name__)

RULES_ID = re.compile(r"[a-z][a-z-]{0,39}")

def too_many(page, wait):
    """A 429 answer with Retry-After."""
    body, status = page
    return body, 429, {"Retry-After": str(wait)}


def field_state(error=None, ok_message=None):
    """What a field's status line shows: idle, ok with a message, or an error."""
    if error:
        return {"state": "error", "message": error}
    if ok_message:
        return {"state": "ok", "message": ok_message}
    return {"state": "idle", "message": ""}


def username_state(raw):
    """The live verdict on a username: invalid and why, taken, or available."""
    username, error = validate_username(raw)
    if error:
        return field_state(error)
    if username_taken(username):
        return field_state(f"“{username}” is taken. Try another name.")
    return field_state(ok_message=f"“{username}” is available.")


def email_state(raw):
    """The live verdict on an email address: invalid and why, already registered, or fine."""
    email, error = validate_email(raw)
    if error:
        return field_state(error)
    if email_taken(email):
        return field_state("An account already uses this email. Log in instead, or use another address.")
    return field_state(ok_message="Looks good.")


def render_register(values=None, errors=None, status=200):
    """The registration page with each field's status line and the kept values (never the password)."""
    values, errors = values or {}, errors or {}
    return render_template(
        "templates/auth/register.html", values=values, errors=errors,
        username_check=field_state(errors.get("username")), email_check=field_state(errors.get("email")),
        password=password_state("", values.get("username", ""), ""),
        password_error=errors.get("password"), confirm_error=errors.get("password_confirm"),
    ), status


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Show the registration form; on POST check everything again and create the account."""
    if g.user:
        return redirect(url_for("auth.account"), code=303)
    if request.method == "GET":
        return render_register()
    clean, errors = validate_registration(request.form)
    kept = {"username": clean["username"], "email": (request.form.get("email") or "").strip()}
    if not errors.get("username") and username_taken(clean["username"]):
        errors["username"] = f"“{clean['username']}” is taken. Try another name."
    if not errors.get("email") and email_taken(clean["email"]):
        errors["email"] = "An account already uses this email. Log in instead, or use another address."
    if errors:
        return render_register(kept, errors, 422)
    # counted only for a form that would make an account: each costs an argon2 hash and an email
    wait, _ = limits.take(limits.REGISTER_PER_CLIENT, client_address())
    if not wait:
        wait, _ = limits.take(limits.REGISTER_PER_EMAIL, clean["email"])
    if wait:
        return too_many(render_register(kept, {"email": "Too many new accounts from here. " + wait_message(wait)}),
                        wait)
    try:
        user = register_user(clean["username"], clean["email"], clean["password"])
    except UsernameTaken:
        return render_register(kept, {"username": f"“{clean['username']}” is taken. Try another name."}, 422)
    except EmailTaken:
        return render_register(kept, {"email": "An account already uses this email. Log in instead."}, 422)
    # The guest's cart stays in this session, in view on the cart page and badge while the email waits to be
    # verified; the first login merges it into the account (login() below), so it is never counted twice.
    session["pending_email"] = user.email
    return redirect(url_for("auth.registered"), code=303)


def live_check(partial, verdict, value):
    """Render a live check's status line: the verdict on the value, or 429 when checking too fast."""
    wait, _ = limits.take(limits.LIVE_CHECKS, client_address())
    if wait:
        return render_template(partial, check=field_state("Too many checks. " + wait_message(wait))), 429
    return render_template(partial, check=verdict(value))


@bp.get("/register/check-username")
def check_username():
    """Fragment: is this username available, taken, or invalid (and why)?"""
    return live_check("partials/auth/check_username.html", username_state, request.args.get("username"))


@bp.get("/register/check-email")
def check_email():
    """Fragment: is this email address usable, already registered, or invalid (and why)?"""
    return live_check("partials/auth/check_email.html", email_state, request.args.get("email"))


@bp.post("/register/check-password")
def check_password():
    """Fragment: the password checklist, confirmed by the server (with the common-password rule)."""
    form = request.form
    rules_id = form.get("rules_id", "")  # which checklist on the page asked (the account page has two forms)
    return render_template("partials/auth/check_password.html",
                           rules_id=rules_id if RULES_ID.fullmatch(rules_id) else "password-rules",
                           password=password_state(form.get("password", ""), form.get("username", ""),
                                                   form.get("email", "")))


@bp.get("/register/sent")
def registered():
    """After registering: check your inbox, with a way to resend."""
    return render_template("templates/auth/registered.html", email=session.get("pending_email", ""))


@bp.get("/verify/<token>")
def verify(token):
    """Confirm an email address from the emailed link; a bad link gets a page offering a new one."""
    state, user = verify_token(token)
    status = 200 if state in ("verified", "already") else 400
    return render_template("templates/auth/verify.html", state=state, user=user), status


@bp.post("/verify/resend")
def resend_verification():
    """Send a new verification link; the answer is the same whether or not the account exists."""
    email, error = validate_email(request.form.get("email"))
    wait, _ = limits.take(limits.RESEND_PER_CLIENT, client_address())
    if wait:
        return render_template("templates/auth/resent.html", email=email, wait=wait_message(wait)), 429
    if error:
        return render_template("templates/auth/resent.html", email=email, error=error), 422
    account = find_user_by_login(email)
    # per account when there is one, else per address: the same work and answer either way
    if limits.take(limits.RESEND_PER_ACCOUNT, account.id if account else email)[0] is None:
        resend_verification_link(email)
    return render_template("templates/auth/resent.html", email=email)


def render_login(login="", error=None, unverified_email=None, status=200):
    """The login page with its message (and a resend button for unverified accounts)."""
    return render_template("templates/auth/login.html", login=login, error=error,
                           unverified_email=unverified_email,
                           next=safe_next(request.values.get("next")) or ""), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in by username or email; refuse unverified accounts with a way to resend the link."""
    if request.method == "GET":
        if g.user:
            return redirect(safe_next(request.args.get("next")) or url_for("auth.account"), code=303)
        return render_login()
    login_value = (request.form.get("login") or "").strip()[:254]
    password = request.form.get("password") or ""
    account = find_user_by_login(login_value)
    device = known_device(request.cookies.get(DEVICE_COOKIE), account)
    wait, attempt = reserve_login_attempt(account, login_value, client_address(), device)
    if wait:
        return too_many(render_login(login_value, "Too many failed attempts. " + wait_message(wait)), wait)
    user = check_credentials(login_value, password) if login_value and password else None
    if user is None:
        return render_login(login_value, "That username or email and password do not match.", status=422)
    login_succeeded(attempt)
    if user.verified_at is None:
        return render_login(login_value, None, unverified_email=user.email, status=403)
    guest_lines = take_guest_cart(session)  # logging in starts a fresh session: keep the guest's cart
    log_in(user)
    for message in merge_guest_cart(user, guest_lines):
        flash(message, "info")
    # this browser is known to the account from now on: others' failures do not lock it out
    return remember_device(redirect(safe_next(request.form.get("next")) or url_for("auth.account"), code=303),
                           user, device)


@bp.post("/logout")
def logout():
    """Log out: this browser's session ends and every copy of its cookie stops working. With
    everywhere=1 (the button on /account), every browser the customer is signed in on."""
    everywhere = request.form.get("everywhere") == "1"
    log_out(everywhere=everywhere)
    flash("You are logged out on every browser." if everywhere else "You are logged out. See you soon.", "info")
    return redirect(url_for("catalog.index"), code=303)


def render_account(status=200, forms=None):
    """The account page; `forms` carries a refused form's errors and values into its section."""
    forms = {"password": {}, "email": {}, "delete": {}, **(forms or {})}
    return render_template("templates/auth/account.html", user=g.user, reasons=REASON_LABELS, forms=forms,
                           password=password_state("", g.user.username, g.user.email),
                           **account_overview(g.user.id)), status


@bp.get("/account")
@login_required
def account():
    """The customer dashboard: member ID, balance, orders, the statement, security and data."""
    return render_account()


@bp.before_app_request
def load_user():
    """Know who is logged in for every request (g.user)."""
    load_logged_in_user()
