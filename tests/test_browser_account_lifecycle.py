"""An account's life in a real browser: forgot and reset through the dev mailbox, change the password
with the live checklist, delete with the confirmation."""
import re

import pytest
from playwright.sync_api import expect

from shop.db import database
from shop.models import User, UserSession

from .conftest import create_user, log_in_browser, screenshot

pytestmark = pytest.mark.browser
NEW = "Fresh-Leaves-42"


def test_forgot_then_reset_from_the_dev_mailbox_then_log_in(app, live_server, page):
    create_user()
    app.config.update(SHOP_ENV="development", BASE_URL=live_server.url)  # the dev mailbox, and links to this server
    page.goto(live_server.url + "/login")
    page.click("text=Forgot your password?")
    page.fill("#forgot-email", "fern@example.com")
    page.click("button:has-text('Send me a link')")
    expect(page.locator("h1")).to_have_text("Check your inbox")
    page.click("text=Open the dev mailbox")
    page.click("text=Reset your Fernhouse password")
    link = page.locator("a[href*='/password/reset/']").first.get_attribute("href")
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Choose a new password")
    page.fill("#password-rules-password", "FernFan")  # the username itself
    expect(page.locator('#password-rules li[data-rule="not_personal"]')).to_have_class(re.compile(r"\bunmet\b"))
    page.fill("#password-rules-password", NEW)
    expect(page.locator("#password-rules.confirmed li.met")).to_have_count(7)
    page.fill("#password-rules-confirm", NEW)
    expect(page.locator("#password-rules-confirm-status")).to_have_text("The passwords match.")
    screenshot(page, "reset-password.png")
    page.click("button:has-text('Save the new password')")
    page.wait_for_url("**/login")
    expect(page.locator(".flash")).to_contain_text("Your password is changed")
    page.fill("#login", "fernfan")
    page.fill("#password", NEW)
    page.click("button:has-text('Log in')")
    page.wait_for_url("**/account")
    assert page.errors == []


def test_change_the_password_in_place_with_the_live_checklist(app, live_server, page):
    create_user()
    log_in_browser(page, live_server.url)
    page.evaluate("window.notReloaded = true")
    section = page.locator("#password-section")
    section.locator("#current-password").fill("Gr33n-Fingers")
    section.locator("#change-rules-password").fill("short")
    expect(section.locator('#change-rules li[data-rule="length"]')).to_have_class(re.compile(r"\bunmet\b"))
    section.locator("#change-rules-password").fill(NEW)
    expect(section.locator("#change-rules.confirmed li.met")).to_have_count(7)
    section.locator("#change-rules-confirm").fill(NEW)
    section.locator("button:has-text('Change the password')").click()
    expect(page.locator("#password-section [role=status]")).to_contain_text("Your password is changed.")
    assert page.evaluate("window.notReloaded") is True  # swapped in place, no page load
    with database.connection_context():
        assert UserSession.select().count() == 1  # this browser stays signed in
    screenshot(page, "account-security.png")
    assert page.errors == []


def test_delete_the_account_with_the_confirmation(app, live_server, page):
    create_user(balance_cents=75_00)
    log_in_browser(page, live_server.url)
    section = page.locator("#delete-section")
    expect(section).to_contain_text("The $75.00 on your balance is given up.")
    section.locator("#delete-confirm").fill("someone-else")
    section.locator("#delete-password").fill("Gr33n-Fingers")
    section.locator("button:has-text('Delete my account')").click()
    expect(page.locator("#delete-confirm-error")).to_contain_text("Type your username, fernfan, exactly")
    page.locator("#delete-confirm").fill("fernfan")
    page.locator("#delete-password").fill("Gr33n-Fingers")
    page.locator("#delete-section button:has-text('Delete my account')").click()
    page.wait_for_url(live_server.url + "/")
    expect(page.locator(".flash")).to_contain_text("Your account is deleted.")
    expect(page.locator("text=Log in").first).to_be_visible()
    with database.connection_context():
        assert User.get().deleted_at is not None
    # the refused attempt answered 422 (swapped in by htmx), which Chromium logs once
    assert len(page.errors) == 1 and "status of 422" in page.errors[0], page.errors
