"""Registration, verification, login, logout and the account page, on both databases."""
import re
import threading
import time
from datetime import timedelta

import pytest
import requests
from argon2 import PasswordHasher

from shop import create_app, limits
from shop.accounts.passwords import ARGON2_PROFILES
from shop.db import database
from shop.mail import deliver_due
from shop.models import EmailOutbox, RateLimitHit, User, UserSession, utcnow

from .conftest import TEST_SECRET, create_user, csrf_token

GOOD = {"username": "fernfan", "email": "Fern@Example.com", "password": "Gr33n-Fingers",
        "password_confirm": "Gr33n-Fingers"}
LINK = re.compile(r"http://shop\.test/verify/\S+")


def register(client, **changes):
    """POST the registration form with a valid CSRF token."""
    data = {**GOOD, **changes, "csrf_token": csrf_token(client, "/register")}
    return client.post("/register", data=data)


def verification_link(email="fern@example.com"):
    """The link in the newest verification email to this address."""
    with database.connection_context():
        row = (EmailOutbox.select().where(EmailOutbox.recipient == email)
               .order_by(EmailOutbox.id.desc()).get())
    return LINK.search(row.body_text).group(0)


def test_register_creates_an_unverified_customer_and_queues_the_link(app, client):
    response = register(client)
    assert response.status_code == 303 and response.headers["Location"] == "/register/sent"
    with database.connection_context():
        user = User.get()
        mail = EmailOutbox.get()
    assert (user.username, user.username_lower, user.email) == ("fernfan", "fernfan", "fern@example.com")
    assert user.password_hash.startswith("$argon2id$") and "Gr33n" not in user.password_hash
    assert re.fullmatch(r"FH-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", user.member_id)
    assert 50_00 <= user.balance_cents <= 1500_00
    assert user.verified_at is None
    assert mail.recipient == "fern@example.com" and user.member_id in mail.body_text
    assert LINK.search(mail.body_text) and LINK.search(mail.body_html)
    page = client.get("/register/sent").get_data(as_text=True)
    assert "fern@example.com" in page and "Check your inbox" in page


def test_production_hash_meets_owasp_minimum(app):
    app.config["ARGON2_PROFILE"] = "owasp"
    params = ARGON2_PROFILES["owasp"]
    assert params["memory_cost"] >= 19 * 1024 and params["time_cost"] >= 2 and params["parallelism"] == 1
    with app.app_context():
        from shop.accounts.passwords import password_hasher
        assert "$argon2id$v=19$m=19456,t=2,p=1$" in password_hasher().hash("x")


@pytest.mark.parametrize("changes, field_message", [
    ({"username": "abc"}, "Usernames have at least 5 characters."),
    ({"username": "has space"}, "Use only letters, digits, and _ . - in a username."),
    ({"email": "not-an-email"}, "That email address is not valid"),
    ({"password": "short", "password_confirm": "short"}, "Your password needs: at least 8 characters"),
    ({"password": "nouppercase!", "password_confirm": "nouppercase!"}, "an uppercase letter"),
    ({"password": "NOLOWERCASE!", "password_confirm": "NOLOWERCASE!"}, "a lowercase letter"),
    ({"password": "NoSymbols123", "password_confirm": "NoSymbols123"}, "a symbol"),
    ({"password": "Password1!", "password_confirm": "Password1!"}, "most common"),
    ({"password_confirm": "Gr33n-Fingerz"}, "The two passwords do not match."),
    ({"username": ""}, "Choose a username."),
])
def test_register_refuses_bad_input_and_keeps_what_was_typed(app, client, changes, field_message):
    response = register(client, **changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_message in html
    assert 'value="Fern@Example.com"' in html or "email" in changes
    assert "Gr33n-Fingers" not in html and 'value="short"' not in html  # never the password
    with database.connection_context():
        assert User.select().count() == 0 and EmailOutbox.select().count() == 0


def test_username_and_email_are_unique_in_any_letter_case(app, client):
    create_user(username="FernFan", email="fern@example.com")
    html = register(client, username="fernFAN", email="other@example.com").get_data(as_text=True)
    assert "“fernFAN” is taken" in html
    html = register(client, username="another", email="FERN@example.COM").get_data(as_text=True)
    assert "already uses this email" in html
    with database.connection_context():
        assert User.select().count() == 1


def test_register_without_csrf_is_refused_and_changes_nothing(app, client):
    response = client.post("/register", data=GOOD)
    assert response.status_code == 400 and "This form has expired" in response.get_data(as_text=True)
    with database.connection_context():
        assert User.select().count() == 0


@pytest.mark.parametrize("username, state, message", [
    ("fernfan", "ok", "“fernfan” is available."),
    ("FERNFAN2", "error", "“FERNFAN2” is taken."),
    ("abc", "error", "at least 5 characters"),
    ("bad name!", "error", "Use only letters"),
    ("x" * 500, "error", "at most 32 characters"),
])
def test_live_username_check(app, client, username, state, message):
    create_user(username="fernfan2", email="two@example.com")
    response = client.get("/register/check-username", query_string={"username": username},
                          headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.strip().startswith('<span id="username-status" class="field-status ' + state)
    assert message in html and "<html" not in html


@pytest.mark.parametrize("email, state, message", [
    ("new@example.com", "ok", "Looks good."),
    ("TWO@Example.com", "error", "already uses this email"),
    ("two@", "error", "not valid"),
    ("", "error", "Enter your email address."),
])
def test_live_email_check(app, client, email, state, message):
    create_user(username="fernfan2", email="two@example.com")
    html = client.get("/register/check-email", query_string={"email": email}).get_data(as_text=True)
    assert f'class="field-status {state}"' in html and message in html


def test_live_password_check_is_confirmed_by_the_server(app, client):
    token = csrf_token(client, "/register")
    html = client.post("/register/check-password", data={"password": "Password1!", "username": "fernfan"},
                       headers={"X-CSRFToken": token, "HX-Request": "true"}).get_data(as_text=True)
    assert html.strip().startswith('<ul id="password-rules"')
    assert re.search(r'data-rule="length" class="met"', html) and re.search(r'data-rule="common" class="unmet"', html)
    html = client.post("/register/check-password", data={"password": "fernfan", "username": "fernfan"},
                       headers={"X-CSRFToken": token}).get_data(as_text=True)
    assert re.search(r'data-rule="not_personal" class="unmet"', html)
    assert re.search(r'data-rule="upper" class="unmet"', html)
    assert client.post("/register/check-password", data={"password": "x"}).status_code == 400  # no CSRF token


def test_live_checks_are_rate_limited_per_address(app, client):
    with database.connection_context():
        RateLimitHit.insert_many([{"bucket": limits.bucket(limits.LIVE_CHECKS, "127.0.0.1")}] * 120).execute()
    response = client.get("/register/check-username?username=fernfan")
    assert response.status_code == 429 and "Too many checks" in response.get_data(as_text=True)


def test_verification_link_confirms_once(app, client):
    register(client)
    link = verification_link()
    response = client.get(link.replace("http://shop.test", ""))
    assert response.status_code == 200 and "Your email is confirmed" in response.get_data(as_text=True)
    with database.connection_context():
        assert User.get().verified_at is not None
    again = client.get(link.replace("http://shop.test", ""))
    assert again.status_code == 200 and "already used" in again.get_data(as_text=True)


@pytest.mark.parametrize("mangle", [lambda t: t[:-3] + "abc", lambda t: t[:10], lambda t: "nonsense", lambda t: "x" * 3000])
def test_tampered_verification_links_offer_a_new_one(app, client, mangle):
    register(client)
    token = verification_link().rsplit("/", 1)[1]
    response = client.get("/verify/" + mangle(token))
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "This link does not work" in html and "Send a new link" in html
    with database.connection_context():
        assert User.get().verified_at is None


def test_expired_verification_link(app, client, monkeypatch):
    register(client)
    path = verification_link().replace("http://shop.test", "")
    real_time = time.time
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: real_time() + 49 * 3600)
    response = client.get(path)
    assert response.status_code == 400 and "This link has expired" in response.get_data(as_text=True)


def test_link_stops_working_when_the_address_changes(app, client):
    register(client)
    path = verification_link().replace("http://shop.test", "")
    with database.connection_context():
        User.update(email="moved@example.com").execute()
    assert "This link does not work" in client.get(path).get_data(as_text=True)


def test_unverified_account_cannot_log_in_and_is_told_to_verify(app, client, auth):
    create_user(verified=False)
    response = auth.login()
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Please confirm your email first" in html and "Send the link again" in html
    assert client.get("/account").status_code == 303


def test_login_by_username_or_email_reaches_the_account(app, client, auth):
    user = create_user(balance_cents=123_45)
    response = auth.login("FERNFAN")
    assert response.status_code == 303 and response.headers["Location"] == "/account"
    html = client.get("/account").get_data(as_text=True)
    assert user.member_id in html and "$123.45" in html and "Verified" in html and "No orders yet" in html
    auth.logout()
    assert auth.login("Fern@Example.com").headers["Location"] == "/account"


@pytest.mark.parametrize("login, password", [("fernfan", "Wrong-pass1"), ("nobody", "Gr33n-Fingers"), ("", ""),
                                             ("fernfan", ""), ("x" * 5000, "y" * 5000)])
def test_wrong_credentials_get_one_generic_message(app, client, auth, login, password):
    create_user()
    response = auth.login(login, password)
    assert response.status_code == 422
    assert "That username or email and password do not match." in response.get_data(as_text=True)
    assert client.get("/account").status_code == 303


def test_unknown_login_still_runs_a_hash_verification(app, client, auth, monkeypatch):
    calls = []
    real_verify = PasswordHasher.verify
    monkeypatch.setattr(PasswordHasher, "verify", lambda self, h, p: calls.append(h) or real_verify(self, h, p))
    auth.login("nobody-here", "Gr33n-Fingers")
    assert len(calls) == 1 and calls[0].startswith("$argon2id$")


def test_failed_logins_are_throttled_across_workers(app, client, auth, database_url):
    create_user()
    for _ in range(5):
        assert auth.login(password="Wrong-pass1").status_code == 422
    refused = auth.login()  # even the right password waits now
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Too many failed attempts. Try again in 15 minutes." in refused.get_data(as_text=True)
    # A second app (another gunicorn worker) shares the count through the database.
    other = create_app({"TESTING": True, "SHOP_ENV": "testing", "SECRET_KEY": TEST_SECRET,
                        "DATABASE_URL": database_url, "ARGON2_PROFILE": "fast"})
    other_client = other.test_client()
    token = csrf_token(other_client)
    response = other_client.post("/login", data={"login": "fernfan", "password": "Gr33n-Fingers",
                                                 "csrf_token": token})
    assert response.status_code == 429


def signed_in_with(app, cookie):
    """Whether a fresh browser holding a copy of this session cookie can open /account."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/account").status_code == 200


def test_logout_makes_a_copied_cookie_useless(app, client, auth):
    create_user()
    auth.login()
    stolen = client.get_cookie("session").value
    assert client.get("/account").status_code == 200
    auth.logout()
    assert not signed_in_with(app, stolen)


def test_login_rotates_the_session(app, client, auth):
    create_user()
    auth.login()
    first = client.get_cookie("session").value
    auth.login()
    assert client.get_cookie("session").value != first
    assert not signed_in_with(app, first)


def test_each_browser_has_its_own_session_and_can_sign_out_everywhere(app, client, auth):
    create_user()
    auth.login()
    laptop, phone = client, app.test_client()
    phone_auth = type(auth)(phone)
    phone_auth.login()
    assert laptop.get("/account").status_code == phone.get("/account").status_code == 200  # both signed in
    with database.connection_context():
        rows = list(UserSession.select())
    assert len(rows) == 2 and all(len(row.token_hash) == 64 for row in rows)
    token = phone.get_cookie("session").value
    assert all(row.token_hash not in token for row in rows)  # the cookie's token is never stored as it is
    assert "signed in on 2 browsers" in laptop.get("/account").get_data(as_text=True)
    phone_auth.logout()  # one browser signs out; the other stays
    assert phone.get("/account").status_code == 303 and laptop.get("/account").status_code == 200
    phone_auth.login()
    laptop.post("/logout", data={"everywhere": "1", "csrf_token": csrf_token(laptop, "/account")})
    assert phone.get("/account").status_code == laptop.get("/account").status_code == 303
    with database.connection_context():
        assert UserSession.select().count() == 0


def test_a_session_unused_for_its_lifetime_ends(app, client, auth):
    user = create_user()
    auth.login()
    with database.connection_context():
        UserSession.update(last_seen_at=utcnow() - timedelta(hours=2)).execute()
    assert client.get("/account").status_code == 200  # used: last_seen_at moves on (at most once an hour)
    with database.connection_context():
        assert UserSession.get(UserSession.user == user.id).last_seen_at > utcnow() - timedelta(minutes=5)
        UserSession.update(last_seen_at=utcnow() - timedelta(days=15)).execute()
    assert client.get("/account").status_code == 303


def test_login_required_returns_to_the_page_asked_for(app, client, auth):
    create_user()
    response = client.get("/account")
    assert response.status_code == 303 and response.headers["Location"] == "/login?next=/account"
    assert 'name="next" value="/account"' in client.get("/login?next=/account").get_data(as_text=True)
    assert auth.login(next_url="/products?q=fern").headers["Location"] == "/products?q=fern"


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"])
def test_no_open_redirect_after_login(app, client, auth, target):
    create_user()
    assert auth.login(next_url=target).headers["Location"] == "/account"


def test_login_rehashes_when_parameters_change(app, client, auth):
    user = create_user()
    with database.connection_context():
        weak = PasswordHasher(time_cost=2, memory_cost=16, parallelism=2).hash("Gr33n-Fingers")
        User.update(password_hash=weak).where(User.id == user.id).execute()
    auth.login()
    with database.connection_context():
        assert User.get_by_id(user.id).password_hash.startswith("$argon2id$v=19$m=8,t=1,p=1$")


def test_resend_answers_the_same_and_queues_only_for_unverified(app, client):
    create_user(username="waiting", email="waiting@example.com", verified=False)
    create_user(username="already", email="done@example.com")
    answers = []
    for email in ("waiting@example.com", "done@example.com", "nobody@example.com"):
        response = client.post("/verify/resend", data={"email": email, "csrf_token": csrf_token(client)})
        html = response.get_data(as_text=True).replace(email, "EMAIL")
        # the signed CSRF token carries a timestamp, so it differs when a second passes between answers
        token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
        answers.append((response.status_code, html.replace(token, "TOKEN")))
    assert len(set(answers)) == 1 and answers[0][0] == 200
    with database.connection_context():
        assert [row.recipient for row in EmailOutbox.select()] == ["waiting@example.com"]


def test_resend_is_rate_limited(app, client):
    for _ in range(5):
        client.post("/verify/resend", data={"email": "x@example.com", "csrf_token": csrf_token(client)})
    response = client.post("/verify/resend", data={"email": "x@example.com", "csrf_token": csrf_token(client)})
    assert response.status_code == 429 and "Try again in" in response.get_data(as_text=True)


def test_the_real_verification_email_arrives_and_its_link_works(app, client, smtp_server):
    app.config.update(MAIL_BACKEND="smtp", MAIL_HOST="127.0.0.1", MAIL_PORT=smtp_server.port,
                      MAIL_SECURITY="none", MAIL_SENDER="shop@fernhouse.test")
    register(client)
    with app.app_context():
        assert deliver_due() == (1, 0)
    [received] = smtp_server.messages
    text = received["message"].get_body(("plain",)).get_content()
    assert received["to"] == ["fern@example.com"] and "Confirm your email" in received["message"]["Subject"]
    link = LINK.search(text).group(0)
    assert "Your email is confirmed" in client.get(link.replace("http://shop.test", "")).get_data(as_text=True)
    with database.connection_context():
        member_id = User.get().member_id
    assert member_id in text
    assert client.post("/login", data={"login": "fernfan", "password": "Gr33n-Fingers",
                                       "csrf_token": csrf_token(client)}).status_code == 303


def race_registrations(live_server, username, count=8):
    """`count` people submit the registration form with one username at the same moment."""
    sessions = []
    for n in range(count):
        session = requests.Session()
        html = session.get(live_server.url + "/register").text
        token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
        sessions.append((session, token, n))
    start, results = threading.Barrier(count), []

    def submit(session, token, n):
        start.wait()
        response = session.post(live_server.url + "/register", allow_redirects=False, data={
            **GOOD, "username": username, "email": f"person{n}@example.com", "csrf_token": token})
        results.append((response.status_code, response.text))

    threads = [threading.Thread(target=submit, args=args) for args in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_simultaneous_registrations_of_a_verified_name(app, live_server):
    """The name belongs to a verified account: eight people racing for it get eight clear refusals."""
    create_user(username="SameName", email="owner@example.com")
    results = race_registrations(live_server, "SameName")
    assert sorted(status for status, _ in results) == [422] * 8
    assert all("“SameName” is taken" in text for _, text in results)
    with database.connection_context():
        assert User.select().where(User.username_lower == "samename").count() == 1
        assert EmailOutbox.select().count() == 0


def test_simultaneous_registrations_of_a_free_name(app, live_server):
    """Nobody verified the name yet: each registration replaces the unverified one before it (no
    squatting), so all eight are accepted one after another and exactly one account holds the name,
    with one verification email: the last one's."""
    results = race_registrations(live_server, "SameName")
    assert sorted(status for status, _ in results) == [303] * 8
    with database.connection_context():
        [user] = list(User.select().where(User.username_lower == "samename"))
        assert [mail.recipient for mail in EmailOutbox.select()] == [user.email]


def test_the_unique_index_decides_when_the_lookup_misses(app):
    from shop.accounts.registration import UsernameTaken, register_user

    create_user(username="FernFan", email="first@example.com")
    with app.test_request_context(), pytest.raises(UsernameTaken):
        register_user("fernfan", "second@example.com", "Gr33n-Fingers")  # no look-up first: the INSERT fails
    with database.connection_context():
        assert User.select().count() == 1 and EmailOutbox.select().count() == 0
