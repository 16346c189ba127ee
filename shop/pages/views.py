"""The nursery's own pages (blueprint `pages`): about, contact, delivery & returns, privacy, terms and the
icon; and the footer's details, given to every template."""
import os

from flask import Blueprint, current_app, render_template, request, send_from_directory, url_for

from ..htmx import is_fragment_request, respond
from ..limits import CONTACT_PER_CLIENT, client_address, take, wait_message
from .contact import MESSAGE_MAX, NAME_MAX, send_contact_message, validate_contact
from .nursery import NURSERY, address_lines
from .policies import delivery_terms, privacy_terms

bp = Blueprint("pages", __name__)
FOOTER_LINKS = [("pages.about", "About the nursery"), ("pages.contact", "Contact us"),
                ("pages.delivery", "Delivery & returns"), ("pages.privacy", "Privacy"), ("pages.terms", "Terms")]


@bp.app_context_processor
def nursery_details():
    """The nursery's address, hours and trust-page links, for the footer of every page."""
    return {"nursery": NURSERY, "nursery_address": address_lines(), "footer_links": FOOTER_LINKS}


@bp.get("/about")
def about():
    """The nursery's story, address and opening hours."""
    return render_template("templates/pages/about.html")


@bp.get("/delivery")
def delivery():
    """Delivery & returns: prices, thresholds, dates and cancelling, as the code enforces them."""
    return render_template("templates/pages/delivery.html", terms=delivery_terms())


@bp.get("/privacy")
def privacy():
    """What the shop stores, for how long, and how to download or delete it."""
    return render_template("templates/pages/privacy.html", terms=privacy_terms())


@bp.get("/terms")
def terms():
    """The terms of sale, short and plain."""
    return render_template("templates/pages/terms.html", delivery=delivery_terms())


def contact_form(status=200, values=None, errors=None, problem=None, sent=False):
    """The contact form section (page or fragment), with what was typed and a message per field."""
    template = "partials/pages/contact_form.html" if is_fragment_request() else "templates/pages/contact.html"
    headers = {"Retry-After": str(problem[1])} if problem and problem[1] else {}
    return render_template(template, values=values or {}, errors=errors or {}, problem=problem and problem[0],
                           sent=sent, name_max=NAME_MAX, message_max=MESSAGE_MAX), status, headers


@bp.route("/contact", methods=["GET", "POST"])
def contact():
    """GET: the contact form. POST: fields name, email, message: kept for the back office, emailed to the
    nursery; 422 with a message per field, 429 when this client wrote too often."""
    if request.method == "GET":
        return contact_form()
    values, errors = validate_contact(request.form)
    if errors:
        return contact_form(422, values, errors)
    wait, _hit = take(CONTACT_PER_CLIENT, client_address())
    if wait:
        return contact_form(429, values, problem=("You have written to us several times already. "
                                                  + wait_message(wait), wait))
    send_contact_message(values)
    thanks = f"Thank you, {values['name']}: your message is on its way to the nursery. We answer at {values['email']}."
    return respond(lambda: contact_form(sent=thanks), url_for("pages.contact"), thanks)


@bp.get("/favicon.ico")
def favicon():
    """The icon browsers ask for at the root (a day of caching)."""
    return send_from_directory(os.path.join(current_app.static_folder, "img"), "favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=86400)
