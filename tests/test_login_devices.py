"""Login throttling attackers cannot turn against owners: OWASP's device cookies (issue 25, item 5).

A browser that signed in to an account before carries a signed device cookie bound to that account;
it has its own failure budget, so failures from elsewhere do not lock it out. Unknown browsers share
the account's budget; every client keeps its per-address limit."""
import re
import time

import pytest
from itsdangerous import URLSafeTimedSerializer, timed

from shop import limits
from shop.accounts.devices import DEVICE_COOKIE, DEVICE_SALT
from shop.db import database
from shop.models import User

from .conftest import TEST_SECRET, create_user

OWNER, ATTACKER, STRANGER = "198.51.100.7", "203.0.113.5", "192.0.2.44"


def sign_in(client, address, login="fernfan", password="Gr33n-Fingers"):
    """POST the login form from a client address: the response."""
    html = client.get("/login", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    return client.post("/login", environ_base={"REMOTE_ADDR": address},
                       data={"login": login, "password": password, "csrf_token": token})


def device_cookie(client):
    """The device cookie a browser holds, or None."""
    cookie = client.get_cookie(DEVICE_COOKIE, path="/login")
    return cookie.value if cookie else None


def owners_browser(app, login="fernfan"):
    """A browser that signed in to the account once and signed out again: it keeps its device cookie."""
    browser = app.test_client()
    assert sign_in(browser, OWNER, login).status_code == 303
    sign_out(browser)
    assert browser.get("/account").status_code == 303 and device_cookie(browser)
    return browser


def sign_out(browser):
    """POST the logout form."""
    html = browser.get("/").get_data(as_text=True)
    browser.post("/logout", data={"csrf_token": re.search(r'csrf-token" content="([^"]+)"', html).group(1)})


def lock_the_account(app, failures=limits.LOGIN_PER_ACCOUNT.count + 1):
    """An attacker elsewhere guesses until the account's budget for unknown browsers is spent."""
    attacker = app.test_client()
    statuses = [sign_in(attacker, ATTACKER, password=f"guess-{n}").status_code for n in range(failures)]
    assert statuses == [422] * limits.LOGIN_PER_ACCOUNT.count + [429] * (failures - limits.LOGIN_PER_ACCOUNT.count)
    return attacker


def with_device_cookie(app, value):
    """A fresh browser holding this device cookie."""
    browser = app.test_client()
    browser.set_cookie(DEVICE_COOKIE, value, path="/login")
    return browser


def test_the_owners_browser_gets_in_after_failures_from_elsewhere(app):
    """Staff included: five requests every fifteen minutes no longer keep an owner out."""
    user = create_user()
    with database.connection_context():
        User.update(is_staff=True).where(User.id == user.id).execute()
    owner = owners_browser(app)
    attacker = lock_the_account(app, 8)
    assert sign_in(app.test_client(), STRANGER).status_code == 429  # a new browser waits, right password or not
    assert sign_in(owner, OWNER).status_code == 303
    assert owner.get("/account").status_code == 200
    # the owner's sign-in forgives only its own browser's failures: the attacker is still waiting
    assert sign_in(attacker, ATTACKER).status_code == 429


def test_the_device_cookie_is_signed_bound_and_kept_from_scripts(app):
    user = create_user()
    response = sign_in(app.test_client(), OWNER)
    header = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith(DEVICE_COOKIE + "="))
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Path=/login" in header
    assert int(re.search(r"Max-Age=(\d+)", header).group(1)) >= 180 * 24 * 3600
    value = header.split(";")[0].split("=", 1)[1]
    data = URLSafeTimedSerializer(TEST_SECRET, salt=DEVICE_SALT).loads(value)
    assert data["m"] == user.member_id and len(data["n"]) >= 16
    assert "fernfan" not in value and "fern@" not in value
    app.config["SESSION_COOKIE_SECURE"] = True  # production
    secure = sign_in(app.test_client(), OWNER)
    assert any(value.startswith(DEVICE_COOKIE + "=") and "Secure" in value for value in secure.headers.getlist("Set-Cookie"))


def forged_cookies(app):
    """Device cookies that must give no exemption, by kind."""
    create_user(username="mallory", email="mallory@example.com")
    genuine = device_cookie(owners_browser(app))
    theirs = device_cookie(owners_browser(app, "mallory"))  # the attacker's own account's, genuine
    with database.connection_context():
        fernfan = User.get(User.username == "fernfan")
    other_key = URLSafeTimedSerializer("another-secret-" + "y" * 32, salt=DEVICE_SALT).dumps(
        {"m": fernfan.member_id, "n": "n" * 22})
    other_salt = URLSafeTimedSerializer(TEST_SECRET, salt="fernhouse-reset-password").dumps(
        {"m": fernfan.member_id, "n": "n" * 22})
    return {"garbage": "not-a-cookie", "tampered": genuine[:-3] + ("AAA" if not genuine.endswith("AAA") else "BBB"),
            "another key": other_key, "another purpose": other_salt, "another account": theirs,
            "not a dict": URLSafeTimedSerializer(TEST_SECRET, salt=DEVICE_SALT).dumps(["m", fernfan.member_id])}


@pytest.mark.parametrize("kind", ["garbage", "tampered", "another key", "another purpose", "another account",
                                  "not a dict"])
def test_forged_or_borrowed_device_cookies_give_no_exemption(app, kind):
    create_user()
    cookie = forged_cookies(app)[kind]
    lock_the_account(app)
    assert sign_in(with_device_cookie(app, cookie), STRANGER).status_code == 429


def test_an_expired_device_cookie_gives_no_exemption(app, monkeypatch):
    create_user()
    long_ago = time.time() - 400 * 24 * 3600
    monkeypatch.setattr(timed.time, "time", lambda: long_ago)
    old = owners_browser(app)
    monkeypatch.undo()
    lock_the_account(app)
    assert sign_in(old, OWNER).status_code == 429


def test_a_device_cookies_own_failures_are_limited(app):
    """A copy of the owner's cookie (stolen) gets that browser's own budget and no more."""
    create_user()
    thief = with_device_cookie(app, device_cookie(owners_browser(app)))
    lock_the_account(app)
    statuses = [sign_in(thief, STRANGER, password=f"guess-{n}").status_code
                for n in range(limits.LOGIN_PER_DEVICE.count)]
    assert statuses == [422] * limits.LOGIN_PER_DEVICE.count
    refused = sign_in(thief, STRANGER)  # the right password, with both budgets spent
    assert refused.status_code == 429 and "Too many failed attempts" in refused.get_data(as_text=True)


def test_a_known_browser_still_counts_against_its_client_address(app):
    create_user()
    owner = owners_browser(app)
    for n in range(limits.LOGIN_PER_CLIENT.count):
        sign_in(app.test_client(), OWNER, f"someone{n}", "guess")
    assert sign_in(owner, OWNER).status_code == 429


def test_signing_in_to_another_account_rebinds_the_browser(app):
    create_user()
    create_user(username="second", email="second@example.com")
    browser = owners_browser(app)
    first = device_cookie(browser)
    assert sign_in(browser, OWNER, "second").status_code == 303
    assert device_cookie(browser) != first
    sign_out(browser)
    lock_the_account(app)
    assert sign_in(browser, OWNER).status_code == 429  # bound to "second" now


def test_a_new_password_ends_every_old_device_cookie(app):
    """A browser that signed in with a password someone else also knew (a thief's) loses its exemption when the
    owner changes the password; the owner's own browser, where the change was made, keeps one."""
    user = create_user()
    thief = owners_browser(app)  # signed in once with the password, then out: it keeps a device cookie
    owner = app.test_client()
    assert sign_in(owner, OWNER).status_code == 303
    html = owner.get("/account").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    changed = owner.post("/account/password", data={"current_password": "Gr33n-Fingers", "password": "N3w-Leaves!x",
                                                    "password_confirm": "N3w-Leaves!x", "csrf_token": token})
    assert changed.status_code in (200, 303)
    with database.connection_context():
        assert User.get_by_id(user.id).password_hash != user.password_hash
    sign_out(owner)
    lock_the_account(app)
    # the old cookie counts as an unknown browser now: refused like one, whatever password it tries
    assert sign_in(thief, ATTACKER, password="N3w-Leaves!x").status_code == 429
    assert sign_in(owner, OWNER, password="N3w-Leaves!x").status_code == 303
