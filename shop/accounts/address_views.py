"""The address book's routes (/account/addresses): list and add, edit, make default, delete.

Each works without JavaScript (a 303 back with a message, or the page again with the errors as a 422); with
htmx the address book section (partials/account/address_book.html) comes back in place.
"""
from flask import Blueprint, abort, g, render_template, request, url_for

from ..htmx import is_fragment_request, login_required, respond
from .addresses import (
    COUNTRIES,
    FIELDS,
    AddressRefused,
    add_address,
    address_of,
    addresses_of,
    delete_address,
    make_default,
    update_address,
    validate_address,
)

bp = Blueprint("addresses", __name__, url_prefix="/account/addresses")
ID = "int(max=2147483647)"  # an INT column: larger ids are a 404


def book(status=200, values=None, errors=None, message=None, ok=True):
    """The address book section: the addresses and the add form."""
    return render_template("partials/account/address_book.html", addresses=addresses_of(g.user.id),
                           countries=COUNTRIES, values=values or {}, errors=errors or {}, message=message,
                           ok=ok), status


def page(status=200, values=None, errors=None):
    """The whole address book page."""
    return render_template("templates/account/addresses.html", addresses=addresses_of(g.user.id),
                           countries=COUNTRIES, values=values or {}, errors=errors or {}, message=None,
                           ok=True), status


@bp.route("", methods=["GET", "POST"])
@login_required
def index():
    """GET: the address book. POST: add an address (fields name, line1, line2, town, postcode, country)."""
    if request.method == "GET":
        return page()
    values, errors = validate_address(request.form)
    if errors:  # the form again with a message beside each field, nothing lost
        return book(422, values, errors) if is_fragment_request() else page(422, values, errors)
    try:
        add_address(g.user.id, values)
    except AddressRefused as refusal:
        problem = str(refusal)
        return respond(lambda: book(409, values, message=problem, ok=False), url_for("addresses.index"),
                       problem, "error")
    message = f"Saved the address for {values['name']}."
    return respond(lambda: book(200, message=message), url_for("addresses.index"), message)


@bp.route(f"/<{ID}:address_id>", methods=["GET", "POST"])
@login_required
def edit(address_id):
    """GET: the address's edit form. POST: save it (the same fields and rules as adding)."""
    found = address_of(g.user.id, address_id)
    if found is None:
        abort(404)
    if request.method == "GET":
        values = {field: getattr(found, field) for field, _label, _longest in FIELDS}
        return render_template("templates/account/address_edit.html", address=found, values=values, errors={},
                               countries=COUNTRIES)
    values, errors = validate_address(request.form)
    if errors:
        return render_template("templates/account/address_edit.html", address=found, values=values, errors=errors,
                               countries=COUNTRIES), 422
    return change(update_address, address_id, "Address saved.", values)


@bp.post(f"/<{ID}:address_id>/default")
@login_required
def default(address_id):
    """Make this address the default for delivery."""
    return change(make_default, address_id, "That is your default address now.")


@bp.post(f"/<{ID}:address_id>/delete")
@login_required
def delete(address_id):
    """Take an address out of the book."""
    return change(delete_address, address_id, "Address deleted.")


def change(operation, address_id, message, *values):
    """Apply one change to one of your addresses; the book again (or a 303), or a 404 when it is not yours
    (or went away meanwhile)."""
    try:
        operation(g.user.id, address_id, *values)
    except AddressRefused:
        abort(404)
    return respond(lambda: book(200, message=message), url_for("addresses.index"), message)
