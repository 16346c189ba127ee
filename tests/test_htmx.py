"""The htmx helpers every view answers with (shop/htmx.py)."""
from flask import Flask, make_response

from shop.htmx import hx_target, reswap, retarget, set_triggers


def test_login_required_redirects_plain_requests_with_a_303(app, client):
    response = client.get("/orders")
    assert response.status_code == 303 and response.headers["Location"] == "/login?next=/orders"


def test_login_required_sends_htmx_requests_a_full_page_redirect(app, client):
    response = client.get("/jungle", headers={"HX-Request": "true"})
    # a 303 would be followed by htmx and its login page swapped into the target: HX-Redirect navigates
    assert response.status_code == 200 and response.headers["HX-Redirect"] == "/login?next=/jungle"


def test_triggers_are_merged_once_each():
    with Flask(__name__).test_request_context():
        response = set_triggers(make_response("x"), "cart-changed")
        set_triggers(response, "cart-changed", "balance-changed")
        assert response.headers["HX-Trigger"] == "cart-changed, balance-changed"
        set_triggers(response, "catalogue-changed", after_settle=True)
        assert response.headers["HX-Trigger-After-Settle"] == "catalogue-changed"


def test_one_function_per_header_read_or_set():
    with Flask(__name__).test_request_context(headers={"HX-Request": "true", "HX-Target": "results"}):
        assert hx_target() == "results"
        response = reswap(retarget(make_response("x"), "#page-notice"), "innerHTML")
        assert response.headers["HX-Retarget"] == "#page-notice" and response.headers["HX-Reswap"] == "innerHTML"
    with Flask(__name__).test_request_context():
        assert hx_target() is None


def test_a_mutation_answers_htmx_with_the_fragment_and_a_plain_form_with_a_303(seeded, client, auth):
    from .conftest import create_user, csrf_token

    create_user()
    auth.login()
    token = csrf_token(client)
    fragment = client.post("/cart/add", data={"sku": "FH-10042", "csrf_token": token}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and fragment.headers["HX-Trigger"] == "cart-changed"
    assert "Added Sweet Basil to your cart." in fragment.get_data(as_text=True)
    plain = client.post("/cart/add", data={"sku": "FH-10042", "csrf_token": token},
                        headers={"Referer": "http://localhost/products/FH-10042"})
    assert plain.status_code == 303 and plain.headers["Location"] == "/products/FH-10042"
    assert "Added Sweet Basil to your cart." in client.get("/products/FH-10042").get_data(as_text=True)
