"""Fuzzing every route and field of the contract (and the category counts): arbitrary text never yields a 500 or a traceback."""
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shop.db import database
from shop.models import CartItem, Order, Product, User

from .conftest import create_user, csrf_token

# Numbers a form or a URL may carry: huge, exotic, negative zero, not numbers at all.
NUMBERS = ["0", "-0", "-1", "1e400", "1e999999", "-1e999999", "NaN", "-nan", "inf", "Infinity", "0x10", "1_000",
           "99999999999999999999", "9" * 30, "9223372036854775808", "-9223372036854775809", "2147483648",
           "٣", "１２", "²", "½", "⁵0"]
TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", " ", "FH-10001", "fh-", "%", "_", "' OR 1=1 --", "<script>alert(1)</script>",
                     "+*\"()~<>@", "\x00", "ä" * 200, "🌵" * 50] + NUMBERS),
)
# Query keys that url_for() or a framework could treat as instructions, and keys nobody expects.
KEYS = st.one_of(st.sampled_from(["_anchor", "_external", "_scheme", "_method", "__proto__", "page", "q", "category",
                                  "sort", "min_price", "next", "", " "]), st.text(max_size=30))
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])

GET_ROUTES = {
    "/products": ["q", "category", "min_price", "max_price", "min_rating", "availability", "sort", "page"],
    "/products/category-counts": ["q", "category", "min_price", "max_price", "min_rating", "availability", "light",
                                  "difficulty", "size", "pet_safe"],
    "/register/check-username": ["username"],
    "/register/check-email": ["email"],
    "/guides": ["q"],
    "/finder": ["light", "water", "pets", "experience", "space"],
    "/login": ["next"],
    "/password/forgot": [],
}
POST_ROUTES = {
    "/register": ["username", "email", "password", "password_confirm"],
    "/register/check-password": ["password", "username", "email"],
    "/verify/resend": ["email"],
    "/login": ["login", "password", "next"],
    "/cart/add": ["sku", "quantity"],
    "/cart/update": ["sku", "quantity"],
    "/cart/remove": ["sku"],
    "/cart/delivery": ["address_id", "delivery"],
    "/checkout": ["idempotency_key", "expected_total_cents", "address_id", "delivery"],
    "/logout": ["everywhere"],
    "/products/FH-10001/reviews": ["rating", "body"],
    "/password/forgot": ["email"],
    "/account/password": ["current_password", "password", "password_confirm"],
    "/account/email": ["email", "password"],
    "/account/delete": ["password", "confirm"],
    "/workshops/repotting-basics/book": ["seats", "idempotency_key", "expected_total_cents"],
    "/account/addresses": ["name", "line1", "line2", "town", "postcode", "country"],
}
PATHS = ["/products/{}", "/orders/{}", "/guides/{}", "/verify/{}", "/products/{}/picture.svg"]


@pytest.fixture
def shopper(seeded, client, auth, caplog):
    """A logged-in customer with no money (so nothing fuzzed can be bought), and the log captured."""
    create_user(balance_cents=0)
    auth.login()
    caplog.set_level(logging.WARNING)
    return client


def assert_no_server_error(response, caplog):
    """No 5xx and nothing logged as an exception."""
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize("path", list(GET_ROUTES))
def test_get_routes(shopper, caplog, path):
    @FUZZ
    @given(st.fixed_dictionaries({field: TEXT for field in GET_ROUTES[path]}), st.booleans())
    def check(values, htmx):
        response = shopper.get(path, query_string=values, headers={"HX-Request": "true"} if htmx else {})
        assert_no_server_error(response, caplog)

    check()


@pytest.mark.parametrize("path", list(GET_ROUTES))
def test_get_routes_with_any_keys_repeated(shopper, caplog, path):
    """Unknown, framework-looking and repeated query keys are ignored; never a 500, never another host."""
    @FUZZ
    @given(st.lists(st.tuples(KEYS, TEXT), max_size=8), st.booleans())
    def check(pairs, htmx):
        response = shopper.get(path, query_string=pairs, headers={"HX-Request": "true"} if htmx else {},
                               environ_base={"HTTP_HOST": "evil.example"})
        assert_no_server_error(response, caplog)
        assert "evil.example" not in response.headers.get("Location", "")

    check()


@pytest.mark.parametrize("path", list(POST_ROUTES))
def test_post_routes(shopper, caplog, path):
    token = csrf_token(shopper)

    @FUZZ
    @given(st.fixed_dictionaries({field: TEXT for field in POST_ROUTES[path]}), st.booleans())
    def check(values, htmx):
        headers = {"HX-Request": "true"} if htmx else {}
        response = shopper.post(path, data={**values, "csrf_token": token}, headers=headers)
        assert_no_server_error(response, caplog)

    check()
    with database.connection_context():
        assert Order.select().count() == 0  # a customer without money bought nothing
        assert User.select().where(User.balance_cents < 0).count() == 0


@pytest.mark.parametrize("path", ["/jungle/{}/water", "/dev/mailbox/{}/html"])
@pytest.mark.parametrize("number", ["0", "1", "2147483647", "2147483648", "9223372036854775807",
                                    "9223372036854775808", "9" * 40, "-1", "00000000000000000001"])
def test_path_integers_beyond_the_columns_are_404(shopper, caplog, path, number):
    response = shopper.post(path.format(number), data={"csrf_token": csrf_token(shopper)})
    assert response.status_code in (404, 405)
    assert_no_server_error(response, caplog)


@pytest.mark.parametrize("pattern", PATHS)
def test_path_parameters(shopper, caplog, pattern):
    @FUZZ
    @given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#"),
                   min_size=1, max_size=200))
    def check(value):
        response = shopper.get(pattern.format(value))
        assert_no_server_error(response, caplog)

    check()


def test_refused_posts_without_csrf_write_nothing(shopper):
    for path, fields in POST_ROUTES.items():
        response = shopper.post(path, data={field: "FH-10001" for field in fields})
        assert response.status_code == 400, path
    with database.connection_context():
        assert CartItem.select().count() == 0 and User.select().count() == 1


STAFF_POST_ROUTES = {
    "/staff/products/{id}/price": ["value"],
    "/staff/products/{id}/stock": ["value"],
    "/staff/products/{id}/name": ["value"],
    "/staff/products/restock": ["product_id", "amount", "q"],
    "/staff/products/new": ["name", "price", "stock", "category", "light", "water_every_days", "description"],
    "/staff/products/{id}/visibility": ["hidden"],
    "/staff/customers/{user}/adjust": ["amount", "reason"],
    "/staff/workshops": ["title", "starts_at", "duration_minutes", "seats_total", "price"],
    "/staff/orders/FH-000000-000000/cancel": ["reason"],
}
STAFF_GET_ROUTES = {"/staff/products": ["q", "visibility"], "/staff/orders": ["status", "day", "customer"],
                    "/staff/customers": ["q"], "/staff/audit": ["staff", "action", "object_type"],
                    "/staff/mail": ["state"], "/staff/reviews": ["state"]}


@pytest.fixture
def staff_member(shopper, app):
    """The fuzzing customer made staff (the back office's forms are as exposed to typos as any)."""
    with database.connection_context():
        User.update(is_staff=True).execute()
        return User.get()


@pytest.mark.parametrize("path", list(STAFF_POST_ROUTES))
def test_staff_post_routes(shopper, staff_member, caplog, path):
    token = csrf_token(shopper)
    with database.connection_context():
        product_id = Product.select(Product.id).limit(1).scalar()
    url = path.format(id=product_id, user=staff_member.id)

    @FUZZ
    @given(st.fixed_dictionaries({field: TEXT for field in STAFF_POST_ROUTES[path]}), st.booleans())
    def check(values, htmx):
        response = shopper.post(url, data={**values, "csrf_token": token},
                                headers={"HX-Request": "true"} if htmx else {})
        assert_no_server_error(response, caplog)

    check()
    with database.connection_context():
        assert User.select().where(User.balance_cents < 0).count() == 0
        assert Product.select().where(Product.stock < 0).count() == 0


@pytest.mark.parametrize("path", list(STAFF_GET_ROUTES))
def test_staff_get_routes(shopper, staff_member, caplog, path):
    @FUZZ
    @given(st.fixed_dictionaries({field: TEXT for field in STAFF_GET_ROUTES[path]}), st.booleans())
    def check(values, htmx):
        response = shopper.get(path, query_string=values, headers={"HX-Request": "true"} if htmx else {})
        assert response.status_code == 200
        assert_no_server_error(response, caplog)

    check()
