"""Registration in a real browser: the JS rules agree with Python, live checks, verify, log in."""
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from shop.db import database
from shop.models import EmailOutbox, User

from .conftest import create_user, screenshot

pytestmark = pytest.mark.browser
VECTORS = json.loads((Path(__file__).parent / "validation_vectors.json").read_text(encoding="utf-8"))


def test_javascript_rules_agree_with_the_shared_vectors(app, live_server, page):
    page.goto(live_server.url + "/register")
    for vector in VECTORS["passwords"]:
        checks = page.evaluate("v => FernhouseRules.passwordChecks(v.password, v.username, v.email)", vector)
        assert checks == vector["checks"], vector["password"]
    for vector in VECTORS["usernames"]:
        problem = page.evaluate("value => FernhouseRules.usernameProblem(value)", vector["value"])
        assert (problem is None) == vector["ok"], vector["value"]


def test_register_with_live_checks_then_verify_and_log_in(app, live_server, page):
    create_user(username="takenname", email="taken@example.com")
    page.goto(live_server.url + "/register")
    page.evaluate("window.notReloaded = true")
    status = page.locator("#username-status")

    page.fill("#username", "abc")
    expect(status).to_have_text("Usernames have at least 5 characters.")  # at once, from rules.js
    page.fill("#username", "TakenName")
    expect(status).to_have_text("“TakenName” is taken. Try another name.")  # from the server
    expect(page.locator("#username")).to_have_attribute("aria-invalid", "true")
    page.fill("#username", "newgardener")
    expect(status).to_have_text("“newgardener” is available.")
    expect(page.locator("#username")).to_have_attribute("aria-invalid", "false")

    page.fill("#email", "taken@EXAMPLE.com")
    expect(page.locator("#email-status")).to_contain_text("already uses this email")
    page.fill("#email", "new@example.com")
    expect(page.locator("#email-status")).to_have_text("Looks good.")

    page.fill("#password", "password1!")
    expect(page.locator('#password-rules li[data-rule="upper"]')).to_have_class(re.compile(r"\bunmet\b"))
    page.fill("#password", "Password1!")
    expect(page.locator('#password-rules li[data-rule="upper"]')).to_have_class(re.compile(r"\bmet\b"))
    expect(page.locator('#password-rules li[data-rule="common"]')).to_have_class(re.compile(r"\bunmet\b"))
    page.fill("#password", "Tea&Cactus-Morning")
    expect(page.locator("#password-rules.confirmed li.met")).to_have_count(7)
    page.fill("#password_confirm", "Tea&Cactus")
    expect(page.locator("#confirm-status")).to_have_text("The two passwords do not match yet.")
    page.fill("#password_confirm", "Tea&Cactus-Morning")
    expect(page.locator("#confirm-status")).to_have_text("The passwords match.")
    assert page.evaluate("window.notReloaded") is True
    screenshot(page, "register-live-checks.png")

    page.click("button:has-text('Create account')")
    page.wait_for_url("**/register/sent")
    expect(page.locator("h1")).to_have_text("Check your inbox")
    with database.connection_context():
        body = EmailOutbox.get(EmailOutbox.recipient == "new@example.com").body_text
    link = re.search(r"http://shop\.test(/verify/\S+)", body).group(1)
    page.goto(live_server.url + link)
    expect(page.locator("h1")).to_have_text("Your email is confirmed")
    page.click("text=Log in >> nth=-1")
    page.fill("#login", "newgardener")
    page.fill("#password", "Tea&Cactus-Morning")
    page.click("button:has-text('Log in')")
    page.wait_for_url("**/account")
    with database.connection_context():
        user = User.get(User.username == "newgardener")
    expect(page.locator(".member-id")).to_have_text(user.member_id)
    expect(page.locator("#header-balance")).to_be_visible()
    screenshot(page, "account.png")
    assert page.errors == []


def test_unverified_login_is_told_to_verify(app, live_server, page):
    create_user(verified=False)
    page.goto(live_server.url + "/login")
    page.fill("#login", "fernfan")
    page.fill("#password", "Gr33n-Fingers")
    page.click("button:has-text('Log in')")
    expect(page.locator(".notice")).to_contain_text("Please confirm your email first")
    page.click("button:has-text('Send the link again')")
    expect(page.locator("h1")).to_have_text("Link sent")
    with database.connection_context():
        assert EmailOutbox.select().where(EmailOutbox.recipient == "fern@example.com").count() == 1


def test_registration_works_without_javascript(app, live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(live_server.url + "/register")
    tab.fill("#username", "ab")
    tab.fill("#email", "nope")
    tab.fill("#password", "weak")
    tab.click("button:has-text('Create account')")
    assert "Usernames have at least 5 characters." in tab.content()
    assert tab.input_value("#email") == "nope" and tab.input_value("#password") == ""
    tab.fill("#username", "plainform")
    tab.fill("#email", "plain@example.com")
    tab.fill("#password", "Tea&Cactus-Morning")
    tab.fill("#password_confirm", "Tea&Cactus-Morning")
    tab.click("button:has-text('Create account')")
    tab.wait_for_url("**/register/sent")
    context.close()
