"""Issue 25's back-office holes, closed on both engines: /staff is a 404 to outsiders whatever the method
or token; workshop titles that would break a header, an audit row or the unique slug; balance adjustments
bounded (never one's own, at most $500, never past what the column holds); verification links whose
user id is not a number; ASCII digits only in postcodes; bulk restock capped like stock itself."""
from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer
from werkzeug.datastructures import MultiDict

from shop.accounts.registration import VERIFY_SALT
from shop.db import database
from shop.models import Address, BalanceLedger, Product, StaffAction, User, Workshop, utcnow

from .conftest import TEST_SECRET, AuthActions, create_user, csrf_token
from .helpers import HX

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD")


@pytest.fixture
def staff(seeded, app, client):
    """A signed-in staff member (granted with the real command)."""
    user = create_user(username="nurserymaid", email="staff@fernhouse.test")
    assert app.test_cli_runner().invoke(args=["staff", "grant", "nurserymaid"]).exit_code == 0
    AuthActions(client).login("nurserymaid")
    return user


def post(client, path, headers=None, **data):
    """POST a form with the CSRF token of a page the signed-in person can see."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/account")}, headers=headers or {})


def audit_rows(action=None):
    """The audit trail's rows (of one action)."""
    with database.connection_context():
        query = StaffAction.select().order_by(StaffAction.id)
        return list(query.where(StaffAction.action == action) if action else query)


def staff_paths(app):
    """Every /staff URL with plausible parameters, and a few that match no route."""
    values = {"product_id": "1", "user_id": "1", "review_id": "1", "message_id": "1", "workshop_id": "1",
              "number": "FH-261124-000001", "field": "price"}
    paths = {"/staff", "/staff/", "/staff/nothing-here", "/staff/products/1/nothing"}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/staff"):
            path = rule.rule
            for name, value in values.items():
                path = path.replace(f"<int(max=2147483647):{name}>", value).replace(f"<{name}>", value)
            paths.add(path)
    return sorted(paths)


def test_every_staff_url_is_a_404_to_outsiders_whatever_the_method_or_token(seeded, app, client, auth):
    paths = staff_paths(app)
    assert len(paths) >= 20 and not any("<" in path for path in paths)

    def knock(who):
        token = csrf_token(client)
        for path in paths:
            for method in METHODS:
                for data in ({}, {"csrf_token": token}, {"csrf_token": "forged"}):
                    response = client.open(path, method=method, data=data)
                    assert response.status_code == 404, (who, method, path, data)
            response = client.post(path, headers={"X-CSRFToken": token, **HX})
            assert response.status_code == 404, (who, "htmx POST", path)

    knock("anonymous")
    create_user()
    auth.login()
    knock("customer")
    assert audit_rows() == []


def test_staff_still_get_the_csrf_check_and_405(staff, client):
    assert client.post("/staff/workshops", data={"title": "No token"}).status_code == 400
    assert client.delete("/staff/workshops").status_code == 405
    assert client.get("/staff/workshops").status_code == 200


def workshop_form(title, starts=None, **extra):
    """The add-a-workshop form's fields."""
    starts = starts or (utcnow() + timedelta(days=30)).strftime("%Y-%m-%dT10:00")
    return {"title": title, "starts_at": starts, "duration_minutes": "90", "seats_total": "6", "price": "20",
            "host": "Mai", "description": "Moss balls.", **extra}


@pytest.mark.parametrize("title", ["Kokedama\r\nBcc: everyone@example.com", "Kokedama\nnight", "Moss\x00balls",
                                   "Tab\there", "Line\u2028separator"])
def test_a_workshop_title_that_would_break_an_email_header_is_refused(staff, client, title):
    with database.connection_context():
        before = Workshop.select().count()
    response = post(client, "/staff/workshops", **workshop_form(title))
    assert response.status_code == 422
    assert "A title is one line of ordinary text" in response.get_data(as_text=True)
    with database.connection_context():
        assert Workshop.select().count() == before
    assert audit_rows() == []


def test_editing_a_workshop_refuses_such_a_title_too(staff, client):
    assert post(client, "/staff/workshops", **workshop_form("Kokedama night")).status_code == 303
    with database.connection_context():
        workshop = Workshop.get(Workshop.title == "Kokedama night")
    response = post(client, f"/staff/workshops/{workshop.id}", **workshop_form("Kokedama\r\nnight"))
    assert response.status_code == 422 and "A title is one line" in response.get_data(as_text=True)
    with database.connection_context():
        assert Workshop.get_by_id(workshop.id).title == "Kokedama night"


def test_a_long_workshop_title_is_added_and_audited(staff, client):
    title = "Terrarium building for beginners and their curious grandparents, with tea"
    assert post(client, "/staff/workshops", **workshop_form(title)).status_code == 303
    with database.connection_context():
        workshop = Workshop.get(Workshop.title == title)
    assert len(workshop.slug) <= 40 and workshop.slug.startswith("terrarium-building")
    [row] = audit_rows("workshop.create")
    assert row.object_id == workshop.slug
    assert f'id="workshop-{workshop.slug}"' in client.get("/workshops").get_data(as_text=True)


def test_two_workshops_with_the_same_title_and_day_both_exist(staff, client):
    starts = (utcnow() + timedelta(days=30)).strftime("%Y-%m-%dT")
    long_title = "Terrarium building for beginners and their curious grandparents"
    for title in ("Kokedama night", long_title):
        assert post(client, "/staff/workshops", **workshop_form(title, starts + "10:00")).status_code == 303
        assert post(client, "/staff/workshops", **workshop_form(title, starts + "18:00")).status_code == 303
        with database.connection_context():
            slugs = [w.slug for w in Workshop.select().where(Workshop.title == title).order_by(Workshop.id)]
        assert len(slugs) == 2 and len(set(slugs)) == 2 and all(len(slug) <= 40 for slug in slugs)
    assert len(audit_rows("workshop.create")) == 4


def adjust(client, customer, amount, reason="Goodwill"):
    """The back office's balance adjustment form."""
    return post(client, f"/staff/customers/{customer.id}/adjust", HX, amount=amount, reason=reason)


def ledger_of(user):
    """The customer's adjustment rows and balance."""
    with database.connection_context():
        rows = list(BalanceLedger.select().where(BalanceLedger.user == user.id, BalanceLedger.reason == "adjustment"))
        return len(rows), User.get_by_id(user.id).balance_cents


def test_staff_never_adjust_their_own_balance(staff, client):
    for amount in ("999999.99", "5", "-5"):
        response = adjust(client, staff, amount)
        assert response.status_code == 403, amount
        assert "not your own balance" in response.get_data(as_text=True)
    assert ledger_of(staff) == (0, 100_00) and audit_rows() == []


def test_an_adjustment_is_at_most_500_dollars_either_way(staff, client):
    customer = create_user(username="shopper", email="shopper@example.com", balance_cents=1000_00)
    for amount in ("500.01", "-500.01", "999999.99", "1000", "12345678901234567890"):
        response = adjust(client, customer, amount)
        assert response.status_code == 422, amount
        assert "at most $500" in response.get_data(as_text=True) or "Enter the amount" in response.get_data(
            as_text=True)
    assert ledger_of(customer) == (0, 1000_00)
    assert adjust(client, customer, "500").status_code == 200
    assert adjust(client, customer, "-500").status_code == 200
    assert ledger_of(customer) == (2, 1000_00) and len(audit_rows("customer.adjust")) == 2


def test_an_adjustment_never_takes_a_balance_past_what_it_can_hold(staff, client):
    customer = create_user(username="shopper", email="shopper@example.com", balance_cents=2_147_483_000)
    response = adjust(client, customer, "100")
    assert response.status_code == 422 and "at most $1,000,000.00" in response.get_data(as_text=True)
    assert ledger_of(customer) == (0, 2_147_483_000) and audit_rows() == []
    assert adjust(client, customer, "-100").status_code == 200
    assert ledger_of(customer) == (1, 2_147_473_000)


@pytest.mark.parametrize("user_id", ["abc", "1 OR 1=1", [1], {"id": 1}, 2 ** 70, -1, 1.5, True, None, "", "7"])
def test_a_signed_verification_link_whose_user_is_not_a_number_is_refused(app, client, user_id):
    user = create_user(verified=False)
    with app.app_context():
        token = URLSafeTimedSerializer(TEST_SECRET, salt=VERIFY_SALT).dumps({"u": user_id, "e": "x" * 24})
    response = client.get(f"/verify/{token}")
    assert response.status_code == 400 and "new link" in response.get_data(as_text=True).lower()
    with database.connection_context():
        assert User.get_by_id(user.id).verified_at is None


def test_a_postcode_is_ascii_digits(seeded, client, auth):
    user = create_user()
    auth.login()
    home = {"name": "Fern Fan", "line1": "1 Market St", "line2": "", "town": "San Francisco", "country": "US"}
    for postcode in ("١٢٣٤٥", "１２３４５", "94103-١٢٣٤", "𝟗𝟒𝟏𝟎𝟑"):
        response = client.post("/account/addresses", headers=HX, data={
            **home, "postcode": postcode, "csrf_token": csrf_token(client, "/account/addresses")})
        assert response.status_code == 422, postcode
        assert "That is not a United States postcode" in response.get_data(as_text=True)
    with database.connection_context():
        assert Address.select().where(Address.user == user.id).count() == 0


def test_bulk_restock_never_passes_the_stock_cap(staff, client):
    with database.connection_context():
        full, other = list(Product.select().order_by(Product.id).limit(2))
        Product.update(stock=995_000).where(Product.id == full.id).execute()

    def restock(amount):
        return client.post("/staff/products/restock", headers=HX, data=MultiDict([
            ("product_id", str(full.id)), ("product_id", str(other.id)), ("amount", amount),
            ("csrf_token", csrf_token(client, "/account"))]))

    refused = restock("10000")
    assert refused.status_code == 422
    assert f"{full.name} would have 1,005,000" in refused.get_data(as_text=True)
    assert "at most 1,000,000" in refused.get_data(as_text=True)
    with database.connection_context():
        assert (Product.get_by_id(full.id).stock, Product.get_by_id(other.id).stock) == (995_000, other.stock)
    assert audit_rows() == []
    assert restock("5000").status_code == 200
    with database.connection_context():
        assert Product.get_by_id(full.id).stock == 1_000_000
    edit = post(client, f"/staff/products/{full.id}/stock", HX, value="1000000")
    assert edit.status_code == 200
