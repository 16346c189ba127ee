"""Development-only pages: the dev mailbox and the fragment explorer. All are 404 outside development."""
import re

from flask import Blueprint, abort, current_app, make_response, render_template, request

from .mail import email_by_id, newest_emails

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


# Every endpoint that answers htmx with a fragment: (endpoint, method, path, fields with example values,
# partial, what it is for). The explorer calls them from the browser, with the real session and CSRF
# token, and shows the fragment rendered and as raw HTML.
FRAGMENTS = [
    ("catalog.products", "GET", "/products", {"q": "fern", "category": "ferns", "max_price": "30", "sort": "price_asc"},
     "partials/catalog/results.html", "The catalogue results for a search and filters."),
    ("catalog.counts", "GET", "/products/category-counts", {"q": "fern", "max_price": "30"},
     "partials/catalog/category_counts.html", "The count beside each category box, swapped out of band."),
    ("auth.check_username", "GET", "/register/check-username", {"username": "fernfan"},
     "partials/auth/check_username.html", "Is a username available, taken, or invalid and why?"),
    ("auth.check_email", "GET", "/register/check-email", {"email": "fern@example.com"},
     "partials/auth/check_email.html", "Is an email address usable or already registered?"),
    ("auth.check_password", "POST", "/register/check-password", {"password": "Password1!", "username": "fernfan"},
     "partials/auth/check_password.html", "The password checklist, confirmed by the server."),
    ("cart.badge", "GET", "/cart/badge", {}, "partials/cart/badge.html", "The header's cart link and count."),
    ("cart.view", "GET", "/cart", {}, "partials/cart/cart.html", "The cart lines, totals and Buy button."),
    ("cart.add", "POST", "/cart/add", {"sku": "FH-10001", "quantity": "1"},
     "partials/cart/add_result.html", "Add a plant to the cart (log in first)."),
    ("cart.update", "POST", "/cart/update", {"sku": "FH-10001", "quantity": "2"},
     "partials/cart/cart.html", "Change a cart line's quantity."),
    ("cart.remove", "POST", "/cart/remove", {"sku": "FH-10001"}, "partials/cart/cart.html", "Remove a cart line."),
    ("cart.choose_delivery", "POST", "/cart/delivery", {"address_id": "1", "delivery": "next_day"},
     "partials/cart/cart.html", "Choose the delivery: the cart again with its grand total (your address's id)."),
    ("reviews.create", "POST", "/products/FH-10001/reviews", {"rating": "5", "body": "Lovely plant."},
     "partials/reviews/reviews.html", "Post a review (only once the plant you bought has arrived)."),
    ("guides.index", "GET", "/guides", {"q": "humidity"}, "partials/guides/list.html", "Care guides matching a search."),
    ("finder.index", "GET", "/finder", {"light": "bright", "water": "weekly"},
     "partials/finder/step.html", "The plant finder's next question, or its recommendations."),
    ("jungle.water", "POST", "/jungle/1/water", {}, "partials/jungle/jungle.html",
     "Mark one of your plants watered today (the number is the plant's id in My Jungle)."),
    ("account.change_password_view", "POST", "/account/password",
     {"current_password": "wrong", "password": "Password1!", "password_confirm": "Password1!"},
     "partials/account/password_form.html", "Change the password (here refused: the current one is wrong)."),
    ("account.change_email_view", "POST", "/account/email", {"email": "new@example.com", "password": "wrong"},
     "partials/account/email_form.html", "Ask to change the email address (refused without the password)."),
    ("account.delete_account_view", "POST", "/account/delete", {"confirm": "nobody", "password": "wrong"},
     "partials/account/delete_form.html", "Delete the account (refused here: the username does not match)."),
    ("staff.retry", "POST", "/staff/mail/1/retry", {}, "partials/staff/notice.html",
     "Back office (staff only, else 404): retry one outbox message now."),
    ("staff_products.index", "GET", "/staff/products", {"q": "fern"}, "partials/staff/product_rows.html",
     "Back office: the product table's rows for a search."),
    ("staff_products.cell", "GET", "/staff/products/1/price", {}, "partials/staff/cell_edit.html",
     "Back office: a price cell as its edit form (click to edit)."),
    ("staff_products.save", "POST", "/staff/products/1/price", {"value": "24.50"}, "partials/staff/cell.html",
     "Back office: save a price in place."),
    ("staff_products.visibility", "POST", "/staff/products/1/visibility", {"hidden": "1"},
     "partials/staff/product_row.html", "Back office: hide a product from the shop (or show it with hidden=0)."),
    ("staff_products.bulk_restock", "POST", "/staff/products/restock", {"product_id": "1", "amount": "5"},
     "partials/staff/product_table.html", "Back office: restock the ticked products."),
    ("staff_orders.index", "GET", "/staff/orders", {"status": "placed"}, "partials/staff/order_rows.html",
     "Back office: orders by status, day and customer."),
    ("staff_orders.show", "GET", "/staff/orders/FH-000000-000000", {}, "partials/staff/order_panel.html",
     "Back office: one order (put a real number in the path)."),
    ("staff_orders.move_on", "POST", "/staff/orders/FH-000000-000000/advance", {}, "partials/staff/order_panel.html",
     "Back office: move an order to its next status."),
    ("staff_orders.cancel_order", "POST", "/staff/orders/FH-000000-000000/cancel", {"reason": "Out of stock"},
     "partials/staff/order_panel.html", "Back office: cancel and refund an order before it ships."),
    ("staff_people.customers", "GET", "/staff/customers", {"q": "fern"}, "partials/staff/customer_rows.html",
     "Back office: find customers."),
    ("staff_people.customer", "GET", "/staff/customers/1", {}, "partials/staff/customer_panel.html",
     "Back office: one customer's file."),
    ("staff_people.adjust", "POST", "/staff/customers/1/adjust", {"amount": "5", "reason": "Goodwill"},
     "partials/staff/customer_panel.html", "Back office: adjust a balance (an adjustment ledger row)."),
    ("staff_people.resend", "POST", "/staff/customers/1/resend", {}, "partials/staff/customer_panel.html",
     "Back office: send a new verification email."),
    ("staff_people.review_visibility", "POST", "/staff/reviews/1/visibility", {"hidden": "1"},
     "partials/staff/review_row.html", "Back office: hide a review (its stars leave the rating)."),
    ("addresses.index", "POST", "/account/addresses",
     {"name": "Fern Fan", "line1": "1 Market St", "town": "San Francisco", "postcode": "9410", "country": "US"},
     "partials/account/address_book.html", "Add an address to the book (refused here: a US postcode has 5 digits)."),
    ("addresses.default", "POST", "/account/addresses/1/default", {}, "partials/account/address_book.html",
     "Make one of your addresses the default (put your address's id in the path)."),
    ("addresses.delete", "POST", "/account/addresses/1/delete", {}, "partials/account/address_book.html",
     "Delete one of your addresses (put your address's id in the path)."),
    ("workshops.confirm", "GET", "/workshops/repotting-basics/book", {"seats": "2"},
     "partials/workshops/confirm.html", "Step one of booking: the total and the balance after, and the Pay button."),
    ("workshops.book", "POST", "/workshops/repotting-basics/book",
     {"seats": "1", "idempotency_key": "explorer-1", "expected_total_cents": "2500"},
     "partials/workshops/card.html", "Step two: book seats on a workshop (paid from your balance!)."),
    ("workshops.cancel", "POST", "/account/bookings/WS-000000-000000/cancel", {}, "partials/account/bookings.html",
     "Cancel one of your bookings up to 48 hours before (put a real booking number in the path)."),
]


@bp.get("/fragments")
def fragments():
    """The fragment explorer: call any fragment endpoint and see what comes back, rendered and raw."""
    return render_template("templates/devtools/fragments.html", fragments=FRAGMENTS)


@bp.get("/mailbox")
def mailbox():
    """The outbox, newest first, with the chosen message shown and its links clickable."""
    messages = newest_emails()
    chosen = None
    wanted = request.args.get("id", type=int)
    if messages:
        chosen = next((m for m in messages if m.id == wanted), None) if wanted else messages[0]
        if chosen is None:
            chosen = email_by_id(wanted)
    links = list(dict.fromkeys(LINK.findall(chosen.body_text))) if chosen else []
    return render_template("templates/devtools/mailbox.html", messages=messages, chosen=chosen, links=links)


@bp.get("/mailbox/<int(max=2147483647):message_id>/html")  # an INT column: larger ids are a 404
def mailbox_html(message_id):
    """One message's HTML body, for the mailbox's preview frame."""
    message = email_by_id(message_id)
    if message is None:
        abort(404)
    response = make_response(message.body_html)
    response.headers["Content-Security-Policy"] = EMAIL_FRAME_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
