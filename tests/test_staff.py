"""The back office: who may enter, what staff can do, and that every change is audited (both engines)."""
import re
import threading
from datetime import timedelta

import pytest
from werkzeug.datastructures import MultiDict

from shop.db import database
from shop.models import (
    BalanceLedger,
    Booking,
    EmailOutbox,
    Order,
    Product,
    Review,
    StaffAction,
    User,
    UserSession,
    Workshop,
    utcnow,
)

from .conftest import AuthActions, buy, create_user, csrf_token
from .helpers import HX


def staff_rules(app):
    """Every /staff URL with its methods, its parameters filled with plausible values."""
    values = {"product_id": "1", "user_id": "1", "review_id": "1", "message_id": "1", "workshop_id": "1",
              "number": "FH-261124-000001", "field": "price"}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/staff"):
            path = re.sub(r"<(?:[^:>]+:)?(\w+)>", lambda m: values[m.group(1)], rule.rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, path


@pytest.fixture
def staff(seeded, app, client):
    """A signed-in staff member (granted with the real command)."""
    create_user(username="nurserymaid", email="staff@fernhouse.test")
    assert app.test_cli_runner().invoke(args=["staff", "grant", "nurserymaid"]).exit_code == 0
    AuthActions(client).login("nurserymaid")
    return _user("nurserymaid")


def _user(name):
    """A user row by username."""
    with database.connection_context():
        return User.get(User.username_lower == name)


def audit_rows(action=None):
    """The audit trail's rows (of one action)."""
    with database.connection_context():
        query = StaffAction.select().order_by(StaffAction.id)
        return list(query.where(StaffAction.action == action) if action else query)


def product(sku):
    """A product row by SKU."""
    with database.connection_context():
        return Product.get(Product.sku == sku)


def post(client, path, headers=None, **data):
    """POST a back-office form with its CSRF token."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/account")}, headers=headers or {})


def test_every_staff_route_is_a_404_for_anyone_else(seeded, app, client):
    rules = list(staff_rules(app))
    assert len(rules) >= 25
    for method, path in rules:  # anonymous
        assert client.open(path, method=method, data={"csrf_token": csrf_token(client)}).status_code == 404, path
    create_user()
    AuthActions(client).login()
    for method, path in rules:  # a customer
        response = client.open(path, method=method, data={"csrf_token": csrf_token(client)})
        assert response.status_code == 404, (method, path)
    assert audit_rows() == []


def test_staff_can_open_every_list(staff, client):
    for path in ("/staff", "/staff/products", "/staff/products?q=fern&visibility=shown", "/staff/orders",
                 "/staff/orders?status=placed&day=2026-01-01&customer=x", "/staff/customers?q=fern",
                 "/staff/reviews?state=hidden", "/staff/workshops", "/staff/mail?state=failing",
                 "/staff/audit?action=order.cancel&object_type=order&staff=1", "/staff/products/new"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store"


def test_a_price_edited_in_place_is_what_the_next_checkout_charges(staff, app, client):
    shopper = create_user(username="shopper", email="shopper@example.com", balance_cents=200_00)
    customer = app.test_client()
    AuthActions(customer).login("shopper")
    customer.post("/cart/add", data={"sku": "FH-10001", "quantity": "1", "csrf_token": csrf_token(customer)})
    old_form = customer.get("/cart").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', old_form).group(1)
    monstera = product("FH-10001")
    edit = client.get(f"/staff/products/{monstera.id}/price", headers=HX)
    assert edit.status_code == 200 and 'class="cell-edit"' in edit.get_data(as_text=True)
    wrong = post(client, f"/staff/products/{monstera.id}/price", HX, value="12.345")
    assert wrong.status_code == 422 and "in whole cents" in wrong.get_data(as_text=True)
    saved = post(client, f"/staff/products/{monstera.id}/price", HX, value="39.50")
    assert saved.status_code == 200 and "$39.50" in saved.get_data(as_text=True)
    assert product("FH-10001").price_cents == 39_50
    [row] = audit_rows("product.price")
    assert (row.object_id, row.before, row.after) == ("FH-10001", '{"price_cents": 3400}', '{"price_cents": 3950}')
    refused = customer.post("/checkout", data={"idempotency_key": key, "expected_total_cents": "3400",
                                               "csrf_token": csrf_token(customer)})
    assert refused.status_code == 409 and "the total is now $39.50, not $34.00" in refused.get_data(as_text=True)
    paid = customer.post("/checkout", data={"idempotency_key": key, "expected_total_cents": "3950",
                                            "csrf_token": csrf_token(customer)})
    assert paid.status_code == 303
    with database.connection_context():
        assert User.get_by_id(shopper.id).balance_cents == 200_00 - 39_50


def test_a_hidden_product_cannot_be_bought_even_from_an_older_cart(staff, app, client):
    create_user(username="shopper", email="shopper@example.com", balance_cents=200_00)
    customer = app.test_client()
    AuthActions(customer).login("shopper")
    customer.post("/cart/add", data={"sku": "FH-10042", "csrf_token": csrf_token(customer)})
    basil = product("FH-10042")
    response = post(client, f"/staff/products/{basil.id}/visibility", HX, hidden="1")
    assert response.status_code == 200 and "Show" in response.get_data(as_text=True)
    assert "Sweet Basil" not in customer.get("/products?q=basil", headers=HX).get_data(as_text=True)
    assert customer.get("/products/FH-10042").status_code == 404
    cart = customer.get("/cart").get_data(as_text=True)
    assert "Sweet Basil is no longer sold." in cart
    form = re.search(r'name="idempotency_key" value="([^"]+)"', cart).group(1)
    refused = customer.post("/checkout", data={"idempotency_key": form, "expected_total_cents": "450",
                                               "csrf_token": csrf_token(customer)})
    assert refused.status_code == 409 and "Sweet Basil is no longer sold." in refused.get_data(as_text=True)
    with database.connection_context():
        assert Order.select().count() == 0
    post(client, f"/staff/products/{basil.id}/visibility", HX, hidden="0")
    assert "Sweet Basil" in customer.get("/products?q=basil", headers=HX).get_data(as_text=True)
    assert [row.action for row in audit_rows()] == ["product.hide", "product.show"]


def test_the_dashboard_counts_link_to_their_lists(staff, app, client):
    place(app)
    with database.connection_context():
        Product.update(stock=2).where(Product.sku == "FH-10042").execute()
        low = Product.select().where(Product.stock <= 5, Product.hidden == False).count()  # noqa: E712
    page = client.get("/staff").get_data(as_text=True)
    assert re.search(r'id="to-pack">1<', page) and re.search(rf'id="low-stock">{low}<', page)
    assert 'href="/staff/products?visibility=low"' in page and 'href="/staff/orders?status=placed"' in page
    rows = client.get("/staff/products?visibility=low", headers=HX).get_data(as_text=True)
    assert rows.count('<tr id="product-') == low and "FH-10042" in rows


def test_bulk_restock_and_adding_a_product(staff, client):
    ids = [product(sku).id for sku in ("FH-10001", "FH-10006")]
    before = [product(sku).stock for sku in ("FH-10001", "FH-10006")]
    refused = client.post("/staff/products/restock", headers=HX, data=MultiDict([
        ("product_id", str(ids[0])), ("amount", "0"), ("csrf_token", csrf_token(client, "/account"))]))
    assert refused.status_code == 422 and "from 1 to 10,000" in refused.get_data(as_text=True)
    done = client.post("/staff/products/restock", headers=HX, data=MultiDict([
        ("product_id", str(ids[0])), ("product_id", str(ids[1])), ("amount", "12"),
        ("csrf_token", csrf_token(client, "/account"))]))
    assert done.status_code == 200 and "Restocked 2 products." in done.get_data(as_text=True)
    assert [product(sku).stock for sku in ("FH-10001", "FH-10006")] == [before[0] + 12, before[1] + 12]
    assert len(audit_rows("product.restock")) == 2
    bad = post(client, "/staff/products/new", name="X", price="abc", stock="-1", category="nope", description="")
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "A name has 2 to 150 characters." in text and "Choose a category." in text
    added = post(client, "/staff/products/new", name="Painted Lady Fern", latin_name="Phlebodium aureum",
                 category="ferns", price="21.50", stock="9", light="medium", difficulty="easy", size="medium",
                 pet_safe="yes", water_every_days="7", description="Blue-green fronds.", care_summary="Humid air.")
    assert added.status_code == 303
    new = product_by_name("Painted Lady Fern")
    assert (new.price_cents, new.stock, new.category.slug) == (21_50, 9, "ferns")
    assert "Painted Lady Fern" in client.get("/products?q=painted+lady").get_data(as_text=True)
    assert client.get(f"/products/{new.sku}/picture.svg").status_code == 200
    assert audit_rows("product.create")[0].object_id == new.sku


def product_by_name(name):
    """A product row by name, with its category."""
    with database.connection_context():
        found = Product.get(Product.name == name)
        found.category  # loaded while the connection is open
        return found


def place(app, username="shopper", balance_cents=200_00):
    """A customer with one order of 2 Monsteras."""
    user = create_user(username=username, email=f"{username}@example.com", balance_cents=balance_cents)
    order, _ = buy(app, user, [(product("FH-10001").id, 2)], key=f"order-{username}")
    return user, order


def test_an_order_moves_through_its_statuses(staff, app, client):
    user, order = place(app)
    for expected in ("packed", "shipped", "delivered"):
        response = post(client, f"/staff/orders/{order.number}/advance", HX)
        assert response.status_code == 200 and f"Order {order.number} is {expected}." in response.get_data(as_text=True)
    again = post(client, f"/staff/orders/{order.number}/advance", HX)
    assert again.status_code == 409 and "does not move on" in again.get_data(as_text=True)
    with database.connection_context():
        assert Order.get_by_id(order.id).status == "delivered"
        shipped = EmailOutbox.select().where(EmailOutbox.subject == f"Your Fernhouse order {order.number} is on its way")
        assert [mail.recipient for mail in shipped] == ["shopper@example.com"]
    assert [row.after for row in audit_rows("order.status")] == [
        '{"status": "packed"}', '{"status": "shipped"}', '{"status": "delivered"}']
    customer = app.test_client()
    AuthActions(customer).login("shopper")
    assert "Delivered" in customer.get("/orders").get_data(as_text=True)


def test_cancel_and_refund_before_shipping(staff, app, client):
    user, order = place(app)
    stock = product("FH-10001").stock
    no_reason = post(client, f"/staff/orders/{order.number}/cancel", HX, reason=" ")
    assert no_reason.status_code == 409 and "Say why" in no_reason.get_data(as_text=True)
    done = post(client, f"/staff/orders/{order.number}/cancel", HX, reason="Frost damage at the grower.")
    assert done.status_code == 200 and "is cancelled" in done.get_data(as_text=True)
    assert product("FH-10001").stock == stock + 2
    with database.connection_context():
        assert User.get_by_id(user.id).balance_cents == 200_00
        assert [(r.reason, r.delta_cents) for r in BalanceLedger.select().where(BalanceLedger.user == user.id)
                .order_by(BalanceLedger.id)][-1] == ("refund", 68_00)
        mail = EmailOutbox.get(EmailOutbox.subject == f"Your Fernhouse order {order.number} is cancelled")
        assert "Frost damage at the grower." in mail.body_text and "$200.00" in mail.body_text
    assert audit_rows("order.cancel")[0].reason == "Frost damage at the grower."
    second = post(client, f"/staff/orders/{order.number}/cancel", HX, reason="again")
    assert second.status_code == 409 and "only a placed or packed order" in second.get_data(as_text=True)


def test_a_shipped_order_cannot_be_cancelled(staff, app, client):
    _, order = place(app)
    post(client, f"/staff/orders/{order.number}/advance", HX)
    post(client, f"/staff/orders/{order.number}/advance", HX)
    response = post(client, f"/staff/orders/{order.number}/cancel", HX, reason="too late")
    assert response.status_code == 409


def test_two_cancels_racing_refund_once(staff, app):
    user, order = place(app)
    from shop.staff.access import StaffRefused
    from shop.staff.fulfilment import cancel

    staff_id = _user("nurserymaid").id
    results, start = [], threading.Barrier(2)

    def attempt(n):
        start.wait()
        with app.test_request_context():
            try:
                results.append(cancel(staff_id, order.number, f"race {n}"))
            except StaffRefused as refusal:
                results.append(str(refusal))
            finally:
                database.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(map(str, results)) == [
        "6800", f"Order {order.number} is cancelled: only a placed or packed order can be cancelled."]
    with database.connection_context():
        assert BalanceLedger.select().where(BalanceLedger.reason == "refund").count() == 1
        assert User.get_by_id(user.id).balance_cents == 200_00


def test_adjusting_a_balance_needs_a_reason_and_never_goes_below_zero(staff, client):
    customer = create_user(username="shopper", email="shopper@example.com", balance_cents=10_00)
    path = f"/staff/customers/{customer.id}/adjust"
    assert "Give the reason" in post(client, path, HX, amount="5", reason="").get_data(as_text=True)
    below = post(client, path, HX, amount="-10.01", reason="Mistake")
    assert below.status_code == 422 and "cannot go below $0" in below.get_data(as_text=True)
    assert post(client, path, HX, amount="abc", reason="x").status_code == 422
    for exotic in ("²", "1.²", "⁵0", "١٢"):  # digits to str.isdigit(), not to int(): a 422, never a 500
        assert post(client, path, HX, amount=exotic, reason="x").status_code == 422, exotic
    done = post(client, path, HX, amount="+12.50", reason="Plant arrived wilted")
    assert done.status_code == 200 and "the balance is now $22.50" in done.get_data(as_text=True)
    with database.connection_context():
        row = BalanceLedger.select().where(BalanceLedger.user == customer.id).order_by(BalanceLedger.id.desc()).get()
    assert (row.reason, row.delta_cents) == ("adjustment", 12_50)
    [action] = audit_rows("customer.adjust")
    assert action.reason == "Plant arrived wilted" and action.after == '{"balance_cents": 2250}'


def test_resending_a_verification_email(staff, client):
    customer = create_user(username="newbie", email="newbie@example.com", verified=False)
    response = post(client, f"/staff/customers/{customer.id}/resend", HX)
    assert response.status_code == 200 and "A new verification email is queued." in response.get_data(as_text=True)
    with database.connection_context():
        assert EmailOutbox.get().recipient == "newbie@example.com"
    assert len(audit_rows("customer.resend")) == 1


def test_hiding_a_review_takes_its_stars_out_of_the_rating(staff, app, client):
    reviewer, _ = place(app, "reviewer")
    monstera = product("FH-10001")
    with database.connection_context():
        Product.update(rating=4, rating_count=3).where(Product.id == monstera.id).execute()
        review = Review.create(product=monstera, user=reviewer.id, rating=1, body="Arrived as mush.")
        Product.update(rating=3.25, rating_count=4).where(Product.id == monstera.id).execute()
    post(client, f"/staff/reviews/{review.id}/visibility", HX, hidden="1")
    hidden = product("FH-10001")
    assert (float(hidden.rating), hidden.rating_count) == (4.0, 3)
    assert "Arrived as mush." not in client.get("/products/FH-10001").get_data(as_text=True)
    post(client, f"/staff/reviews/{review.id}/visibility", HX, hidden="0")
    shown = product("FH-10001")
    assert (float(shown.rating), shown.rating_count) == (3.25, 4)
    assert [row.action for row in audit_rows()] == ["review.hide", "review.show"]


def test_workshops_added_edited_and_cancelled_with_refunds(staff, app, client):
    starts = (utcnow() + timedelta(days=30)).strftime("%Y-%m-%dT10:00")
    bad = post(client, "/staff/workshops", title="Ko", starts_at="yesterday", duration_minutes="5", seats_total="0",
               price="-3")
    assert bad.status_code == 422
    assert post(client, "/staff/workshops", title="Kokedama night", starts_at=starts, duration_minutes="90",
                seats_total="6", price="20", host="Mai", description="Moss balls.").status_code == 303
    with database.connection_context():
        workshop = Workshop.get(Workshop.title == "Kokedama night")
    booker = create_user(username="booker", email="booker@example.com", balance_cents=100_00)
    from shop.orders.bookings import book_workshop
    with app.test_request_context(), database.connection_context():
        book_workshop(User.get_by_id(booker.id), workshop, 2, "b1")
    too_small = post(client, f"/staff/workshops/{workshop.id}", title="Kokedama night", starts_at=starts,
                     duration_minutes="90", seats_total="1", price="20", host="Mai")
    assert too_small.status_code == 422 and "2 seats are booked already" in too_small.get_data(as_text=True)
    assert post(client, f"/staff/workshops/{workshop.id}", title="Kokedama evening", starts_at=starts,
                duration_minutes="90", seats_total="8", price="20", host="Mai").status_code == 303
    assert post(client, f"/staff/workshops/{workshop.id}/cancel", reason="The host is ill.").status_code == 303
    with database.connection_context():
        assert User.get_by_id(booker.id).balance_cents == 100_00
        assert Booking.get().cancelled_at is not None and Workshop.get_by_id(workshop.id).cancelled_at is not None
        assert EmailOutbox.get(EmailOutbox.subject == "Cancelled: Kokedama evening").recipient == "booker@example.com"
    assert 'id="workshop-kokedama-night' not in client.get("/workshops").get_data(as_text=True)
    assert [row.action for row in audit_rows()] == ["workshop.create", "workshop.edit", "workshop.cancel"]


def test_a_failing_email_can_be_retried(staff, client):
    with database.connection_context():
        row = EmailOutbox.create(recipient="x@example.com", subject="s", body_html="h", body_text="t", attempts=10,
                                 last_error="550 no such user", next_attempt_at=utcnow() + timedelta(hours=1))
    assert "550 no such user" in client.get("/staff/mail?state=failing").get_data(as_text=True)
    response = post(client, f"/staff/mail/{row.id}/retry", HX)
    assert response.status_code == 200 and "queued again" in response.get_data(as_text=True)
    with database.connection_context():
        again = EmailOutbox.get_by_id(row.id)
    assert again.attempts == 9 and again.next_attempt_at <= utcnow()
    assert audit_rows("mail.retry")[0].object_id == str(row.id)


def test_the_audit_page_filters(staff, app, client):
    _, order = place(app)
    post(client, f"/staff/orders/{order.number}/advance", HX)
    page = client.get("/staff/audit?object_type=order").get_data(as_text=True)
    assert "order.status" in page and order.number in page
    assert "order.status" not in client.get("/staff/audit?object_type=product").get_data(as_text=True)


def test_staff_sessions_end_after_eight_hours(staff, client):
    with database.connection_context():
        UserSession.update(created_at=utcnow() - timedelta(hours=8, minutes=1)).execute()
    assert client.get("/staff").status_code == 404
    assert client.get("/account").status_code == 303  # signed out


def test_staff_grant_and_revoke_commands(app):
    create_user()
    runner = app.test_cli_runner()
    assert "fernfan is staff" in runner.invoke(args=["staff", "grant", "FernFan"]).output
    assert _user("fernfan").is_staff
    assert "no longer staff" in runner.invoke(args=["staff", "revoke", "fernfan"]).output
    assert not _user("fernfan").is_staff
    missing = runner.invoke(args=["staff", "grant", "nobody"])
    assert missing.exit_code != 0 and "No account is called 'nobody'" in missing.output


def test_the_dev_seed_makes_a_staff_account_once(app):
    app.config["SHOP_ENV"] = "development"
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "--staff"])
    assert "Back office: log in as nursery with the password Fern-" in first.output
    password = re.search(r"the password (\S+) \(shown once\)", first.output).group(1)
    assert "Back office" not in runner.invoke(args=["seed", "--staff"]).output
    assert _user("nursery").is_staff
    assert AuthActions(app.test_client()).login("nursery", password).status_code == 303
    app.config["SHOP_ENV"] = "production"
    assert runner.invoke(args=["seed", "--staff"]).exit_code != 0
