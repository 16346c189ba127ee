"""Fuzzing every route and field of the contract (and the category counts): arbitrary text never yields a 500 or a traceback."""
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shop.db import database
from shop.models import CartItem, Order, User

from .conftest import create_user, csrf_token

TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", " ", "0", "-1", "1e400", "NaN", "99999999999999999999", "FH-10001", "fh-", "%", "_",
                     "' OR 1=1 --", "<script>alert(1)</script>", "+*\"()~<>@", "\x00", "ä" * 200, "🌵" * 50]),
)
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
}
POST_ROUTES = {
    "/register": ["username", "email", "password", "password_confirm"],
    "/register/check-password": ["password", "username", "email"],
    "/verify/resend": ["email"],
    "/login": ["login", "password", "next"],
    "/cart/add": ["sku", "quantity"],
    "/cart/update": ["sku", "quantity"],
    "/cart/remove": ["sku"],
    "/checkout": ["idempotency_key"],
    "/logout": ["everywhere"],
    "/products/FH-10001/reviews": ["rating", "body"],
    "/workshops/repotting-basics/book": ["seats", "idempotency_key"],
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
