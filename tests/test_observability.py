"""What an operator sees inside one process: /metrics and who may read it, what it counts, the request
log and the request id (tests/test_deploy.py scrapes gunicorn's two workers together)."""
import json
import logging
import re
from datetime import timedelta

import pytest
from peewee import OperationalError
from prometheus_client import REGISTRY

from shop import create_app
from shop.db import ShopBusy, database, transaction_with_retry
from shop.mail import MAX_ATTEMPTS
from shop.models import EmailOutbox, utcnow
from shop.orders.ledger import move_balance
from shop.request_log import StderrHandler, TextFormatter, log

from .conftest import TEST_SECRET, close_pool, create_user
from .test_orders import add, buy_cart, post, shopper  # noqa: F401 (shopper is a fixture)

FAR_AWAY = {"REMOTE_ADDR": "203.0.113.7"}


def sample(name, **labels):
    """A metric's value in this process now (0 when it has not been counted yet)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def requests_counted(route, status, method="GET"):
    """How many requests of a route and status the latency histogram holds."""
    return sample("fernhouse_request_duration_seconds_count", route=route, method=method, status=str(status))


def test_metrics_answer_loopback_and_are_a_404_for_anyone_else(app, client):
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert "fernhouse_request_duration_seconds_bucket" in response.get_data(as_text=True)
    refused = client.get("/metrics", environ_base=FAR_AWAY)
    assert refused.status_code == 404 and "We could not find that page" in refused.get_data(as_text=True)
    assert "fernhouse_" not in refused.get_data(as_text=True)
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::ffff:127.0.0.1"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    app.config["METRICS_ALLOW"] = "203.0.113.0/24, 10.0.0.1"
    assert client.get("/metrics", environ_base=FAR_AWAY).status_code == 200
    assert client.get("/metrics").status_code == 404


def test_behind_a_proxy_the_forwarded_client_is_the_one_checked(database_url):
    """With TRUSTED_PROXY_HOPS=1 the address nginx forwards decides, as for the rate limits."""
    app = create_app({"SHOP_ENV": "testing", "SECRET_KEY": TEST_SECRET, "DATABASE_URL": database_url,
                      "TRUSTED_PROXY_HOPS": 1})
    client = app.test_client()
    assert client.get("/metrics", headers={"X-Forwarded-For": "198.51.100.4"}).status_code == 404
    assert client.get("/metrics", headers={"X-Forwarded-For": "198.51.100.4, 127.0.0.1"}).status_code == 200
    close_pool(app)


def test_a_malformed_allow_list_stops_the_app(database_url):
    with pytest.raises(RuntimeError, match="METRICS_ALLOW"):
        create_app({"SHOP_ENV": "testing", "SECRET_KEY": TEST_SECRET, "DATABASE_URL": database_url,
                    "METRICS_ALLOW": "127.0.0.1/33"})
    with pytest.raises(RuntimeError, match="LOG_FORMAT"):
        create_app({"SHOP_ENV": "testing", "SECRET_KEY": TEST_SECRET, "DATABASE_URL": database_url,
                    "LOG_FORMAT": "xml"})


def test_requests_are_timed_by_route_and_status_not_by_path(seeded, client):
    before = (requests_counted("/products/<sku>", 200), requests_counted("/products/<sku>", 404),
              requests_counted("(unmatched)", 404))
    client.get("/products/FH-10001")
    client.get("/products/FH-10002")
    client.get("/products/FH-99999")
    client.get("/no/such/page")
    after = (requests_counted("/products/<sku>", 200), requests_counted("/products/<sku>", 404),
             requests_counted("(unmatched)", 404))
    assert [b - a for a, b in zip(before, after)] == [2, 1, 1]
    assert "FH-10001" not in client.get("/metrics").get_data(as_text=True)


def test_checkouts_refusals_and_money_are_counted(shopper, client):  # noqa: F811 (the fixture)
    refused = lambda reason: sample("fernhouse_checkout_refusals_total", reason=reason)  # noqa: E731
    placed = lambda: sample("fernhouse_checkouts_total", outcome="placed")  # noqa: E731
    debited = lambda: sample("fernhouse_money_moved_cents_total", reason="order", direction="debit")  # noqa: E731
    start = (refused("empty_cart"), refused("price_changed"), refused("stale_form"), placed(), debited())
    buy_cart(client)  # nothing in the cart
    add(client, "FH-10001", 2)
    post(client, "/checkout", idempotency_key="k-1", expected_total_cents="1")  # not what the cart showed
    post(client, "/checkout", idempotency_key="", expected_total_cents="1")
    response = buy_cart(client)
    assert response.status_code == 303
    with database.connection_context():
        from shop.models import Order

        total = Order.get().total_cents
    end = (refused("empty_cart"), refused("price_changed"), refused("stale_form"), placed(), debited())
    assert [b - a for a, b in zip(start, end)] == [1, 1, 1, 1, total]


def test_money_is_counted_once_per_commit_and_retries_and_busy_are_counted(app):
    user = create_user(balance_cents=50_00)
    credited = lambda: sample("fernhouse_money_moved_cents_total", reason="refund", direction="credit")  # noqa: E731
    start = (credited(), sample("fernhouse_db_retries_total"), sample("fernhouse_shop_busy_total"))
    tries = []

    def refund_after_a_conflict():
        move_balance(user.id, 7_00, "refund", "r-1")
        tries.append(1)
        if len(tries) == 1:  # the first attempt wrote its row, then met a conflict: rolled back
            raise OperationalError("database is locked")

    def always_locked():
        move_balance(user.id, 9_00, "refund", "r-2")
        raise OperationalError("database is locked")

    with database.connection_context():
        transaction_with_retry(refund_after_a_conflict)
        with pytest.raises(ShopBusy):
            transaction_with_retry(always_locked, attempts=2)
    end = (credited(), sample("fernhouse_db_retries_total"), sample("fernhouse_shop_busy_total"))
    assert [b - a for a, b in zip(start, end)] == [7_00, 2, 1]


def test_the_outbox_depth_and_oldest_age_are_read_at_scrape_time(app, client):
    now = utcnow()
    with database.connection_context():
        for minutes, sent, attempts in ((30, None, 0), (10, None, 2), (90, now, 1), (120, None, MAX_ATTEMPTS)):
            EmailOutbox.create(recipient="a@example.com", subject="s", body_html="h", body_text="t",
                               created_at=now - timedelta(minutes=minutes), sent_at=sent, attempts=attempts)
    text = client.get("/metrics").get_data(as_text=True)
    values = dict(re.findall(r"^(fernhouse_outbox_\w+) (\S+)$", text, re.M))
    assert float(values["fernhouse_outbox_waiting"]) == 2
    assert float(values["fernhouse_outbox_given_up"]) == 1
    assert 30 * 60 <= float(values["fernhouse_outbox_oldest_age_seconds"]) < 32 * 60
    assert "fernhouse_db_pool_connections" in text


def test_the_request_id_comes_back_and_a_bad_one_is_replaced(app, client):
    assert client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.2_x"}).headers["X-Request-ID"] == "lb-7f3a.2_x"
    made = {client.get("/healthz").headers["X-Request-ID"] for _ in range(3)}
    assert len(made) == 3 and all(re.fullmatch(r"[0-9a-f]{16}", value) for value in made)
    for bad in ("has space", "<script>", "x" * 65, "ü-ber", "-leading-dash", "a\tb"):
        returned = client.get("/healthz", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{16}", returned), bad


@pytest.fixture
def json_log(database_url, capsys):
    """An app with LOG_FORMAT=json; yields a function returning the JSON lines written so far."""
    app = create_app({"TESTING": True, "SHOP_ENV": "testing", "SECRET_KEY": TEST_SECRET, "DATABASE_URL": database_url,
                      "ARGON2_PROFILE": "fast", "LOG_FORMAT": "json"})
    capsys.readouterr()
    seen = []

    def lines():
        seen.extend(capsys.readouterr().err.splitlines())
        return [json.loads(line) for line in seen if line.startswith("{")]

    lines.app, lines.seen = app, seen
    yield lines
    for handler in log.handlers:  # the next app sets its own format; leave the default one meanwhile
        if isinstance(handler, StderrHandler):
            handler.setFormatter(TextFormatter())
    close_pool(app)


def test_the_json_log_has_one_line_per_request_and_no_email_or_password(app, json_log):
    from .conftest import AuthActions

    user = create_user(email="fern@example.com", password="Gr33n-Fingers")
    client = json_log.app.test_client()
    AuthActions(client).login()
    client.get("/account", headers={"X-Request-ID": "quote-me-1"})
    client.get("/products/FH-404404")
    lines = json_log()
    account = next(line for line in lines if line["request_id"] == "quote-me-1")
    assert account["method"] == "GET" and account["route"] == "/account" and account["status"] == 200
    assert account["user_id"] == user.id and isinstance(account["ms"], float) and "time" in account
    login = next(line for line in lines if line["route"] == "/login" and line["method"] == "POST")
    assert login["status"] == 303 and login["user_id"] is None
    assert any(line["route"] == "/products/<sku>" and line["status"] == 404 for line in lines)
    everything = "\n".join(json_log.seen)
    assert "fern@example.com" not in everything and "Gr33n-Fingers" not in everything
    assert "FH-404404" not in everything  # routes, never paths


def test_the_text_log_is_a_readable_line(app, client, capsys):
    capsys.readouterr()
    client.get("/healthz", headers={"X-Request-ID": "readable-1"})
    line = next(line for line in capsys.readouterr().err.splitlines() if "readable-1" in line)
    assert re.search(r"GET /healthz 200 [\d.]+ms user=- id=readable-1 pid=\d+$", line)


def test_error_pages_print_the_request_id(app, client):
    def broken():
        raise RuntimeError("a bug")

    def busy():
        raise ShopBusy("every attempt met a conflict")

    app.add_url_rule("/test-broken", "test_broken", broken)
    app.add_url_rule("/test-busy", "test_busy", busy)
    missing = client.get("/no/such/page", headers={"X-Request-ID": "quote-404"})
    assert missing.status_code == 404 and "quote reference <code>quote-404</code>" in missing.get_data(as_text=True)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a real server's 500 page, not the test's traceback
    logging.getLogger("shop").disabled = True
    try:
        failed = client.get("/test-broken", headers={"X-Request-ID": "quote-500"})
    finally:
        logging.getLogger("shop").disabled = False
    assert failed.status_code == 500 and failed.headers["X-Request-ID"] == "quote-500"
    assert "quote reference <code>quote-500</code>" in failed.get_data(as_text=True)
    notice = client.get("/test-busy", headers={"X-Request-ID": "quote-503", "HX-Request": "true"})
    assert notice.status_code == 503 and "Reference <code>quote-503</code>" in notice.get_data(as_text=True)
