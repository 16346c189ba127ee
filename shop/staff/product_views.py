"""The back office's product routes: the table with the catalogue's search, click to edit a price,
stock or name (Enter saves, Esc cancels, errors in place), bulk restock, add a product, hide or show.

Without JavaScript every cell is a link to a small edit page and every form a plain POST with a 303.
"""
from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from ..catalog.listing import all_categories
from ..htmx import is_fragment_request, respond
from .access import StaffRefused, require_staff
from .products import (
    EDITABLE,
    create_product,
    find_products,
    new_product_values,
    product_by_id,
    restock,
    set_hidden,
    update_field,
)

bp = Blueprint("staff_products", __name__, url_prefix="/staff/products")
bp.before_request(require_staff)


def product_or_404(product_id):
    """A product by id (hidden ones too), or a 404."""
    product = product_by_id(product_id)
    if product is None:
        abort(404)
    return product


@bp.get("")
def index():
    """The product table: search as you type (the catalogue's engine); all, shown, hidden or low on stock."""
    text = (request.args.get("q") or "").strip()[:100]
    choice = request.args.get("visibility")
    visibility = choice if choice in ("shown", "hidden", "low") else "all"
    products = find_products(text, visibility, low_stock=visibility == "low")
    template = "partials/staff/product_rows.html" if is_fragment_request() else "templates/staff/products.html"
    return render_template(template, products=products, q=text, visibility=visibility)


@bp.get("/<int(max=2147483647):product_id>/<field>")
def cell(product_id, field):
    """One cell: shown (`?mode=show`, what Esc asks for) or as its edit form (a page without JavaScript)."""
    if field not in EDITABLE:
        abort(404)
    product = product_or_404(product_id)
    editing = request.args.get("mode") != "show"
    if is_fragment_request():
        partial = "partials/staff/cell_edit.html" if editing else "partials/staff/cell.html"
        return render_template(partial, product=product, field=field, value=None, error=None)
    return render_template("templates/staff/product_edit.html", product=product, field=field, value=None, error=None)


@bp.post("/<int(max=2147483647):product_id>/<field>")
def save(product_id, field):
    """Save one cell; htmx gets the cell shown again (or its form with the error, 422)."""
    if field not in EDITABLE:
        abort(404)
    product = product_or_404(product_id)
    raw = request.form.get("value", "")
    try:
        product = update_field(g.user.id, product.id, field, raw)
    except StaffRefused as refusal:
        template = "partials/staff/cell_edit.html" if is_fragment_request() else "templates/staff/product_edit.html"
        return render_template(template, product=product, field=field, value=raw[:200], error=str(refusal)), 422
    message = f"Saved the {field} of {product.name}."
    return respond(lambda: render_template("partials/staff/cell.html", product=product, field=field, saved=True),
                   url_for("staff_products.index"), message)


@bp.post("/restock")
def bulk_restock():
    """Add stock to every ticked product; htmx gets the table back with the new figures."""
    ids = [int(value) for value in request.form.getlist("product_id") if value.isascii() and value.isdigit() and len(value) < 10]
    text = (request.form.get("q") or "")[:100]
    try:
        count = restock(g.user.id, ids, request.form.get("amount"))
    except StaffRefused as refusal:
        message, category, status = str(refusal), "error", 422
    else:
        message, category, status = f"Restocked {count} product{'s' if count != 1 else ''}.", "success", 200
    if is_fragment_request():
        return render_template("partials/staff/product_table.html", products=find_products(text), q=text,
                               message=message, category=category), status
    flash(message, category)
    return redirect(url_for("staff_products.index", q=text or None), code=303)


@bp.route("/new", methods=["GET", "POST"])
def new():
    """The form to add a product (its picture is drawn for it)."""
    categories = all_categories()
    if request.method == "GET":
        return render_template("templates/staff/product_new.html", categories=categories, values={}, errors={})
    values, errors = new_product_values(request.form)
    if not errors:
        try:
            product = create_product(g.user.id, values)
        except StaffRefused as refusal:
            errors = {"name": str(refusal)}
        else:
            flash(f"Added {product.name} as {product.sku}. It is in the shop now.", "success")
            return redirect(url_for("staff_products.index", q=product.sku), code=303)
    return render_template("templates/staff/product_new.html", categories=categories, values=request.form,
                           errors=errors), 422


@bp.post("/<int(max=2147483647):product_id>/visibility")
def visibility(product_id):
    """Hide a product from the shop (neither listed nor sold; carts holding it say so) or show it again."""
    product = set_hidden(g.user.id, product_or_404(product_id).id, request.form.get("hidden") == "1")
    message = f"{product.name} is {'hidden from' if product.hidden else 'back in'} the shop."
    return respond(lambda: render_template("partials/staff/product_row.html", product=product),
                   url_for("staff_products.index"), message)
