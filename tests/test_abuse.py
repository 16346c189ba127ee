"""Behind the proxy and against abuse: per-client limits, no squatting, bounded inputs, private pages."""
import base64
import re
import threading
from datetime import timedelta

import pytest
import requests

from shop import create_app, limits
from shop.accounts.registration import purge_unverified
from shop.db import database
from shop.models import (
    BalanceLedger,
    EmailOutbox,
    RateLimitHit,
    User,
    UserSession,
    utcnow,
)

from .conftest import TEST_SECRET, AuthActions, create_user, csrf_token

GOOD = {"password": "Tea&Cactus-Morning", "password_confirm": "Tea&Cactus-Morning"}


def behind_proxy(app, hops):
    """The same app with TRUSTED_PROXY_HOPS set (ProxyFix is applied when the app is built), plus a
    test-only route that says what the app sees of the client."""
    config = {key: app.config[key] for key in ("DATABASE_URL", "SECRET_KEY", "BASE_URL", "MAIL_BACKEND",
                                                "ARGON2_PROFILE", "SHOP_ENV")}
    proxied = create_app({**config, "TESTING": True, "TRUSTED_PROXY_HOPS": hops})

    @proxied.get("/test-only/who")
    def who():
        from flask import request
        return f"{request.remote_addr} {request.scheme}"

    return proxied


def seen_as(app, forwarded_for):
    """What the app sees of a request that came through a proxy at 10.0.0.1 for `forwarded_for`."""
    return app.test_client().get("/test-only/who", environ_base={"REMOTE_ADDR": "10.0.0.1"}, headers={
        "X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https"}).get_data(as_text=True)


def login_from(client, forwarded_for, login, password):
    """POST the login form as a client the proxy says is `forwarded_for` (the proxy itself is 10.0.0.1)."""
    headers = {"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https"}
    token = re.search(r'name="csrf-token" content="([^"]+)"',
                      client.get("/login", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.1"})
                      .get_data(as_text=True)).group(1)
    return client.post("/login", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.1"},
                       data={"login": login, "password": password, "csrf_token": token})


def test_behind_one_proxy_an_attacker_cannot_lock_out_other_customers(app):
    create_user()
    proxied = behind_proxy(app, 1)
    attacker, carol = proxied.test_client(), proxied.test_client()
    for n in range(limits.LOGIN_PER_CLIENT.count):  # guesses spread over many accounts
        assert login_from(attacker, "203.0.113.5", f"victim{n}", "wrong").status_code == 422
    assert login_from(attacker, "203.0.113.5", "victim99", "wrong").status_code == 429
    assert login_from(carol, "198.51.100.7", "fernfan", "Gr33n-Fingers").status_code == 303
    assert seen_as(proxied, "198.51.100.7") == "198.51.100.7 https"
    # only the hop the proxy added counts: a client-made X-Forwarded-For in front of it is not believed
    assert seen_as(proxied, "6.6.6.6, 198.51.100.7") == "198.51.100.7 https"


def test_without_trusted_proxies_the_forwarded_header_changes_nothing(app):
    create_user()
    direct = behind_proxy(app, 0)
    spoofer = direct.test_client()
    for n in range(limits.LOGIN_PER_CLIENT.count):
        # a new X-Forwarded-For each time: ignored, so every guess counts against the real address
        assert login_from(spoofer, f"192.0.2.{n}", f"victim{n}", "wrong").status_code == 422
    assert login_from(spoofer, "192.0.2.250", "victim99", "wrong").status_code == 429
    assert seen_as(direct, "198.51.100.7") == "10.0.0.1 http"


def test_guesses_by_username_and_by_email_count_as_one_account(app, client, auth):
    create_user()
    for n in range(limits.LOGIN_PER_ACCOUNT.count):
        login = "FernFan" if n % 2 else "fern@example.com"
        assert auth.login(login, "wrong").status_code == 422
    assert auth.login("fernfan", "wrong").status_code == 429
    assert auth.login("fern@EXAMPLE.com", "Gr33n-Fingers").status_code == 429  # the right one waits too


def test_long_logins_are_limited_too(app, client, auth):
    long_email = "x" * 180 + "@example.com"
    for _ in range(limits.LOGIN_PER_ACCOUNT.count):
        auth.login(long_email, "wrong")
    assert auth.login(long_email, "wrong").status_code == 429
    with database.connection_context():
        assert {len(bucket) for (bucket,) in RateLimitHit.select(RateLimitHit.bucket).tuples()} <= {54, 53}


def test_parallel_guesses_cannot_pass_the_limit(app, live_server):
    create_user()
    sessions = []
    for _ in range(16):
        session = requests.Session()
        html = session.get(live_server.url + "/login").text
        sessions.append((session, re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)))
    start, statuses = threading.Barrier(16), []

    def guess(n):
        session, token = sessions[n]
        start.wait()
        statuses.append(session.post(live_server.url + "/login", allow_redirects=False,
                                     data={"login": "fernfan", "password": f"guess-{n}", "csrf_token": token})
                        .status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [422] * limits.LOGIN_PER_ACCOUNT.count + [429] * (16 - limits.LOGIN_PER_ACCOUNT.count)


def register(client, username, email):
    """POST the registration form."""
    return client.post("/register", data={**GOOD, "username": username, "email": email,
                                          "csrf_token": csrf_token(client, "/register")})


def test_a_squatter_is_replaced_by_the_owner_of_the_address(app):
    squatter, carol = app.test_client(), app.test_client()
    assert register(squatter, "squatter", "carol@example.com").status_code == 303
    with database.connection_context():
        squatter_link = EmailOutbox.get().body_text
    assert register(carol, "carol", "carol@example.com").status_code == 303  # not "already uses this email"
    with database.connection_context():
        [user] = list(User.select())
        assert user.username == "carol"
        assert [row.user_id for row in BalanceLedger.select()] == [user.id]  # the squatter's row went too
        [mail] = list(EmailOutbox.select())
        assert mail.recipient == "carol@example.com" and "carol" in mail.body_text
    old_link = re.search(r"http://shop\.test(/verify/\S+)", squatter_link).group(1)
    assert carol.get(old_link).status_code == 400  # the squatter's link died with the squatter
    new_link = re.search(r"http://shop\.test(/verify/\S+)", mail.body_text).group(1)
    assert carol.get(new_link).status_code == 200
    assert AuthActions(carol).login("carol@example.com", GOOD["password"]).status_code == 303


def test_a_verified_account_keeps_its_name_and_address(app, client):
    create_user(username="carol", email="carol@example.com")
    response = register(client, "carol", "carol@example.com")
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "is taken" in text and "already uses this email" in text


def test_verification_links_carry_no_address(app, client):
    register(client, "newfern", "new.fern@example.com")
    with database.connection_context():
        link = re.search(r"/verify/(\S+)", EmailOutbox.get().body_text).group(1)
    payload = link.split(".")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    assert "new.fern" not in decoded and "example.com" not in decoded


def test_registrations_are_limited_per_client(app):
    client = app.test_client()
    for n in range(limits.REGISTER_PER_CLIENT.count):
        assert register(client, f"gardener{n}", f"g{n}@example.com").status_code == 303
    refused = register(client, "gardener99", "g99@example.com")
    assert refused.status_code == 429 and "Too many new accounts from here" in refused.get_data(as_text=True)
    with database.connection_context():
        assert User.select().count() == limits.REGISTER_PER_CLIENT.count


def test_purge_unverified_removes_accounts_past_the_links_life(app):
    old = create_user(username="oldsquat", email="old@example.com", verified=False)
    create_user(username="newcomer", email="new@example.com", verified=False)
    create_user(username="verified", email="v@example.com")
    with database.connection_context():
        User.update(created_at=utcnow() - timedelta(hours=49)).where(User.id == old.id).execute()
    result = app.test_cli_runner().invoke(args=["purge-unverified"])
    assert result.exit_code == 0 and "Removed 1 account never verified" in result.output
    with database.connection_context():
        assert sorted(u.username for u in User.select()) == ["newcomer", "verified"]
        assert purge_unverified() == 0


@pytest.mark.parametrize("name", ["admin", "Admin", "staff", "fernhouse", "Fern_House", "support-team", "Administrator"])
def test_reserved_usernames_are_refused(app, client, name):
    response = register(client, name, "someone@example.com")
    assert response.status_code == 422 and "is kept for the shop itself" in response.get_data(as_text=True)
    check = client.get(f"/register/check-username?username={name}").get_data(as_text=True)
    assert "is kept for the shop itself" in check


def test_addresses_that_collations_confuse_are_different_accounts(app, client):
    """straße@ and strasse@ are two mailboxes: one does not block the other, on either engine."""
    create_user(username="ganzgross", email="straße@example.com")
    assert register(client, "ganzklein", "strasse@example.com").status_code == 303
    with database.connection_context():
        assert sorted(u.email for u in User.select()) == ["strasse@example.com", "straße@example.com"]


def test_a_big_body_is_refused_before_it_is_read(app, client):
    response = client.post("/login", data={"login": "x" * (5 * 1024 * 1024), "password": "y"})
    assert response.status_code == 413 and "That was too much to send" in response.get_data(as_text=True)


def test_private_pages_are_not_stored_by_any_cache(seeded, app, client, auth):
    create_user()
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")  # anonymous: cacheable
    auth.login()
    for path in ("/account", "/cart", "/orders", "/jungle", "/", "/products?q=fern", "/account/data"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    assert "no-store" not in client.get("/static/css/shop.css").headers.get("Cache-Control", "")


def test_a_session_ends_after_thirty_days_however_active(app, client, auth):
    create_user()
    auth.login()
    with database.connection_context():
        UserSession.update(created_at=utcnow() - timedelta(days=31), last_seen_at=utcnow()).execute()
    assert client.get("/account").status_code == 303


def test_trusted_proxy_hops_must_be_a_small_whole_number(monkeypatch):
    from shop.config import check_config, load_config

    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "one")
    with pytest.raises(RuntimeError, match="TRUSTED_PROXY_HOPS must be a whole number"):
        load_config(".", "testing")
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "9")
    with pytest.raises(RuntimeError, match="0 to 5"):
        check_config({**load_config(".", "testing"), "SECRET_KEY": TEST_SECRET})
