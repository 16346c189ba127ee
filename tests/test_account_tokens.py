"""Links bound to what they change: a pending email change cannot outlive a new password, a reset link
cannot outlive a new address, and confirmation links cannot be sent without limit (issue 25)."""
import re

import requests

from shop import limits
from shop.accounts import lifecycle
from shop.db import database
from shop.models import EmailOutbox, RateLimitHit, User

from .conftest import AuthActions, create_user, csrf_token
from .test_account_lifecycle import NEW, ask_email_change, ask_reset, link_in, outbox, reset, user_row
from .test_money import run_together

EVIL = "mallory@example.com"


def change_password(client, current="Gr33n-Fingers", new=NEW):
    """POST the change-password form without JavaScript."""
    return client.post("/account/password", data={"current_password": current, "password": new,
                                                   "password_confirm": new, "csrf_token": csrf_token(client, "/account")})


def attacker_asks_for_the_address(app):
    """The attacker, who knows the password, signs in on their own browser and asks for their address:
    the confirmation link that reaches their inbox."""
    attacker = app.test_client()
    assert AuthActions(attacker).login().status_code == 303
    assert ask_email_change(attacker, EVIL).status_code == 200
    return attacker, link_in(outbox("Confirm your new email"), "/account/email/confirm/")


def resets_sent_to(address):
    """How many reset links the outbox holds for an address."""
    with database.connection_context():
        return EmailOutbox.select().where(EmailOutbox.recipient == address,
                                          EmailOutbox.subject.startswith("Reset your")).count()


def test_a_password_change_kills_a_pending_email_change(app, client, auth):
    user = create_user()
    attacker, link = attacker_asks_for_the_address(app)
    auth.login()
    assert change_password(client).status_code == 303  # the owner notices and changes the password
    assert user_row(user.id).pending_email is None
    assert attacker.get("/account").status_code == 303  # signed out
    confirmed = attacker.get(link)
    assert confirmed.status_code == 400 and "This link no longer works" in confirmed.get_data(as_text=True)
    assert (user_row(user.id).email, user_row(user.id).pending_email) == ("fern@example.com", None)
    ask_reset(app.test_client(), EVIL)
    assert resets_sent_to(EVIL) == 0  # the forgotten-password form hands the attacker nothing


def test_a_password_reset_kills_a_pending_email_change(app, client):
    user = create_user()
    attacker, link = attacker_asks_for_the_address(app)
    ask_reset(client)
    assert reset(client, link_in(outbox("Reset your Fernhouse password"), "/password/reset/")).status_code == 303
    assert user_row(user.id).pending_email is None
    assert attacker.get(link).status_code == 400
    assert user_row(user.id).email == "fern@example.com"
    ask_reset(app.test_client(), EVIL)
    assert resets_sent_to(EVIL) == 0


def test_an_email_change_link_is_bound_to_the_password(app):
    """Even with the pending address still there (say, set again by another path), a link made before the
    password changed does not confirm: it carries a digest of the password hash."""
    user = create_user()
    attacker, link = attacker_asks_for_the_address(app)
    with database.connection_context():
        User.update(password_hash=User.password_hash.concat("x"), pending_email=EVIL).where(User.id == user.id).execute()
    assert attacker.get(link).status_code == 400
    assert user_row(user.id).email == "fern@example.com"


def test_an_email_change_kills_old_reset_links(app, client, auth):
    user = create_user()
    ask_reset(client)
    old_link = link_in(outbox("Reset your Fernhouse password"), "/password/reset/")
    auth.login()
    ask_email_change(client, "fern.new@example.com")
    assert client.get(link_in(outbox("Confirm your new email"), "/account/email/confirm/")).status_code == 200
    assert user_row(user.id).email == "fern.new@example.com"
    page = app.test_client().get(old_link)
    assert page.status_code == 400 and "This link no longer works" in page.get_data(as_text=True)
    stranger = app.test_client()
    assert reset(stranger, old_link).status_code == 400
    assert AuthActions(stranger).login("fern.new@example.com").status_code == 303  # the password is unchanged


def owner_signed_in(live_server):
    """The owner's browser signed in over HTTP, and a CSRF token of its session."""
    owner = requests.Session()
    token = lambda: re.search(r'name="csrf-token" content="([^"]+)"',  # noqa: E731
                              owner.get(live_server.url + "/login").text).group(1)
    assert owner.post(live_server.url + "/login", allow_redirects=False,
                      data={"login": "fernfan", "password": "Gr33n-Fingers", "csrf_token": token()}).status_code == 303
    return owner, token()


def post_password_change(live_server, owner, token, current, new):
    """The owner's password change over HTTP: its status."""
    return owner.post(live_server.url + "/account/password", allow_redirects=False, data={
        "current_password": current, "password": new, "password_confirm": new, "csrf_token": token}).status_code


def pending_link(app, user_id, password, address):
    """Ask for an email change as the attacker would (the domain function the form calls) and return
    the link from the outbox."""
    with app.test_request_context(), database.connection_context():
        RateLimitHit.delete().execute()  # the limits have their own tests
        lifecycle.request_email_change(User.get_by_id(user_id), password, address)
    return link_in(outbox("Confirm your new email"), "/account/email/confirm/")


def test_a_confirmation_read_before_a_password_change_cannot_write_after_it(app, live_server, monkeypatch):
    """The worst interleaving, forced: the confirmation has read the account (pending address and all),
    then the owner's password change commits, then the confirmation goes on to write."""
    user = create_user()
    owner, token = owner_signed_in(live_server)
    link = pending_link(app, user.id, "Gr33n-Fingers", EVIL)
    read_account, changed = lifecycle.active_user, []

    def read_then_wait_for_the_owner(user_id):
        account = read_account(user_id)
        changed.append(post_password_change(live_server, owner, token, "Gr33n-Fingers", NEW))
        return account

    monkeypatch.setattr(lifecycle, "active_user", read_then_wait_for_the_owner)
    confirmed = requests.get(live_server.url + link, allow_redirects=False)
    assert changed == [303] and confirmed.status_code == 400
    row = user_row(user.id)
    assert (row.email, row.pending_email) == ("fern@example.com", None)


def test_confirmation_and_password_change_at_one_moment(app, live_server):
    """The attacker opens the link as the owner changes the password, at one moment, 20 rounds: either
    the confirmation committed first (and the owner's change came after it), or the attacker's address
    never lands. Never the attacker's address written after the password change committed."""
    user = create_user()
    owner, token = owner_signed_in(live_server)
    passwords, outcomes = ["Gr33n-Fingers", NEW], []
    for round_number in range(20):
        current, new = passwords[round_number % 2], passwords[(round_number + 1) % 2]
        with database.connection_context():
            User.update(email="fern@example.com").where(User.id == user.id).execute()
            EmailOutbox.delete().execute()
        address = f"mallory{round_number}@example.com"
        link = pending_link(app, user.id, current, address)
        answers = {}

        def act(n):
            if n == 0:
                answers["confirm"] = requests.get(live_server.url + link, allow_redirects=False).status_code
            else:
                answers["password"] = post_password_change(live_server, owner, token, current, new)

        assert run_together(2, act) == []
        assert answers["password"] == 303, (round_number, answers)
        row = user_row(user.id)
        assert row.pending_email is None, round_number
        if row.email == address:
            with database.connection_context():
                notices = {mail.subject: mail.id for mail in
                           EmailOutbox.select().where(EmailOutbox.subject.contains("was changed"))}
            assert answers["confirm"] == 200, round_number
            assert notices["Your Fernhouse email address was changed"] < notices["Your Fernhouse password was changed"], \
                (round_number, "the address was written after the password change")
            outcomes.append("confirmed first")
        else:
            assert (row.email, answers["confirm"]) == ("fern@example.com", 400), (round_number, answers)
            outcomes.append("refused")
    assert len(outcomes) == 20


# ---------------------------------------------------------------------------------- limits
def test_email_change_requests_are_limited_per_account(app, client, auth):
    user = create_user()
    auth.login()
    for n in range(limits.EMAIL_CHANGE_PER_ACCOUNT.count):
        assert ask_email_change(client, f"new{n}@example.com").status_code == 200
    refused = ask_email_change(client, "one-more@example.com")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Too many address changes asked for. Try again in" in page and page.strip().startswith('<section id="email-section"')
    with database.connection_context():
        assert EmailOutbox.select().where(EmailOutbox.subject.startswith("Confirm your new email")).count() == \
            limits.EMAIL_CHANGE_PER_ACCOUNT.count
    assert user_row(user.id).pending_email == f"new{limits.EMAIL_CHANGE_PER_ACCOUNT.count - 1}@example.com"


def test_wrong_passwords_on_the_email_form_count_too(app, client, auth):
    """A stolen session cannot use the form to guess the password without limit."""
    create_user()
    auth.login()
    for _ in range(limits.EMAIL_CHANGE_PER_ACCOUNT.count):
        assert ask_email_change(client, "new@example.com", password="guess").status_code == 422
    refused = ask_email_change(client, "new@example.com")
    assert refused.status_code == 429
    with database.connection_context():
        assert EmailOutbox.select().count() == 0


def test_email_change_requests_are_limited_per_target_address(app, client, auth):
    create_user()
    create_user(username="second", email="second@example.com")
    target = "Flooded@Example.com"
    auth.login()
    for _ in range(2):
        assert ask_email_change(client, target).status_code == 200
    other = app.test_client()
    AuthActions(other).login("second")
    assert ask_email_change(other, target).status_code == 200
    refused = ask_email_change(other, target)  # a fourth link to one mailbox within the hour
    assert refused.status_code == 429
    assert "Too many links were sent to this address. Try again in" in refused.get_data(as_text=True)
    with database.connection_context():
        assert EmailOutbox.select().where(EmailOutbox.recipient == "flooded@example.com").count() == \
            limits.EMAIL_CHANGE_PER_ADDRESS.count
    without_js = other.post("/account/email", data={"email": target, "password": "Gr33n-Fingers",
                                                    "csrf_token": csrf_token(other, "/account")})
    assert without_js.status_code == 429 and "<h1>Hello, second</h1>" in without_js.get_data(as_text=True)
    assert ask_email_change(other, "elsewhere@example.com").status_code == 200  # another address is fine
