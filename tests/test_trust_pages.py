"""The nursery's trust pages (shop/pages/): about, contact, delivery & returns, privacy, terms, the footer
that links them from every page, the icons, and the back office's list of contact messages."""
import re
from datetime import timedelta

import pytest

from shop import limits
from shop.db import database
from shop.models import ContactMessage, EmailOutbox, utcnow
from shop.pages.nursery import NURSERY

from .conftest import AuthActions, create_user, csrf_token
from .helpers import HX

TRUST_PAGES = ["/about", "/contact", "/delivery", "/privacy", "/terms"]
GOOD = {"name": "Ada Greenleaf", "email": "ada@example.com", "message": "Do you ship a fiddle leaf fig in winter?"}


def send(client, headers=None, **fields):
    """POST the contact form with its CSRF token."""
    return client.post("/contact", data={**fields, "csrf_token": csrf_token(client, "/contact")},
                       headers=headers or {})


def messages():
    """The stored contact messages, oldest first."""
    with database.connection_context():
        return list(ContactMessage.select().order_by(ContactMessage.id))


def outbox():
    """The outbox's rows, oldest first."""
    with database.connection_context():
        return list(EmailOutbox.select().order_by(EmailOutbox.id))


def footer_links(html):
    """The hrefs of the footer's links."""
    footer = re.search(r'<footer class="site-footer".*?</footer>', html, re.S).group(0)
    return re.findall(r'href="([^"]+)"', footer)


@pytest.mark.parametrize("path", TRUST_PAGES)
def test_each_trust_page_answers_with_the_footer(seeded, client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert NURSERY["street"] in html and NURSERY["hours"][0][1] in html  # the footer names address and hours
    assert set(TRUST_PAGES) <= set(footer_links(html))


def test_every_footer_link_resolves_on_every_kind_of_page(seeded, client):
    create_user()
    AuthActions(client).login()
    seen = set()
    for page in ["/", "/products?q=fern", "/products/FH-10001", "/cart", "/account", "/guides", "/finder",
                 "/workshops", "/nowhere-at-all", *TRUST_PAGES]:
        html = client.get(page).get_data(as_text=True)
        links = footer_links(html)
        assert set(TRUST_PAGES) <= set(links), page
        seen |= set(links)
    for link in seen:
        assert client.get(link).status_code == 200, link


def test_the_icons_are_real_and_linked(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
    assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO header
    html = client.get("/about").get_data(as_text=True)
    for rel in ("icon", "apple-touch-icon"):
        for href in re.findall(rf'<link rel="{rel}" href="([^"]+)"', html):
            assert client.get(href).status_code == 200, href
    touch = re.search(r'<link rel="apple-touch-icon" href="([^"]+)"', html).group(1)
    assert client.get(touch).data[:8] == b"\x89PNG\r\n\x1a\n"
    assert 'type="image/svg+xml"' in html


def test_about_and_contact_name_the_address_and_hours_from_one_place(client, monkeypatch):
    monkeypatch.setitem(NURSERY, "street", "7 Moss Row")
    for path in ("/about", "/contact"):
        html = client.get(path).get_data(as_text=True)
        main = html.split('<main', 1)[1].split("</main>", 1)[0]
        assert "7 Moss Row" in main and NURSERY["hours"][0][0] in main, path


def test_the_delivery_page_follows_the_constants(client, monkeypatch):
    from shop.orders import bookings, delivery

    html = client.get("/delivery").get_data(as_text=True)
    assert "$4.95" in html and "$9.95" in html and "$50.00" in html and "48 hours" in html
    monkeypatch.setattr(delivery, "FREE_STANDARD_FROM", 75_00)
    monkeypatch.setitem(delivery.METHODS, "next_day", {**delivery.METHODS["next_day"], "cents": 12_50})
    monkeypatch.setattr(bookings, "CANCEL_NOTICE", timedelta(hours=72))
    html = client.get("/delivery").get_data(as_text=True)
    assert "$75.00" in html and "$12.50" in html and "72 hours" in html
    assert "$50.00" not in html and "$9.95" not in html and "48 hours" not in html


def test_the_privacy_page_follows_the_code(client, monkeypatch):
    from shop.accounts import registration, sessions

    html = client.get("/privacy").get_data(as_text=True)
    assert "30 days" in html and "14 days" in html and "48 hours" in html
    assert 'href="/account/data"' in html and "/account/delete" in html
    monkeypatch.setattr(sessions, "ABSOLUTE_LIFETIME", timedelta(days=45))
    monkeypatch.setattr(registration, "VERIFY_MAX_AGE", 36 * 3600)
    html = client.get("/privacy").get_data(as_text=True)
    assert "45 days" in html and "36 hours" in html


def test_the_privacy_page_says_when_an_account_cannot_be_deleted_as_leaving_decides(client, monkeypatch):
    from shop.accounts import leaving

    html = client.get("/privacy").get_data(as_text=True)
    assert "(placed, packed or shipped)" in html and "address book" in html
    monkeypatch.setattr(leaving, "UNFINISHED", ("placed", "packed"))
    assert "(placed or packed)" in client.get("/privacy").get_data(as_text=True)


def test_a_contact_message_reaches_the_outbox_and_the_back_office(app, client):
    app.config["SHOP_CONTACT_EMAIL"] = "hello@fernhouse.test"
    response = send(client, **GOOD)
    assert response.status_code == 303 and response.headers["Location"] == "/contact"
    assert "Thank you" in client.get("/contact").get_data(as_text=True)
    [stored] = messages()
    assert (stored.name, stored.email, stored.message) == (GOOD["name"], GOOD["email"], GOOD["message"])
    [mail] = outbox()
    assert mail.recipient == "hello@fernhouse.test"
    assert "Ada Greenleaf" in mail.subject and GOOD["message"] in mail.body_text and "ada@example.com" in mail.body_text


def test_with_htmx_the_form_answers_in_place(app, client):
    response = send(client, HX, **GOOD)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="contact-form"') and "Thank you" in html
    assert len(messages()) == 1 and outbox()[0].recipient == app.config["MAIL_SENDER"]


@pytest.mark.parametrize("field, value, says", [
    ("name", "", "your name"),
    ("name", "x" * 101, "at most 100"),
    ("name", "Ada\r\nBcc: all@example.com", "cannot contain"),
    ("name", "Ada\u202eevil", "cannot contain"),
    ("email", "", "email address"),
    ("email", "not-an-address", "not valid"),
    ("email", "a" * 250 + "@example.com", "too long"),
    ("message", "", "Write your message"),
    ("message", "hi", "at least 10"),
    ("message", "x" * 5001, "at most 5,000"),
    ("message", "A message with a \x00 in it", "cannot contain"),
])
def test_bad_input_is_refused_per_field_keeping_what_was_typed(client, field, value, says):
    typed = {**GOOD, field: value}
    for headers in ({}, HX):
        response = send(client, headers, **typed)
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        error = re.search(rf'<p class="field-status error" id="contact-{field}-error">([^<]*)</p>', html)
        assert error and says in error.group(1).replace("&#39;", "'")
        kept = "Ada Greenleaf" if field != "name" else GOOD["message"]
        assert kept in html
    assert messages() == [] and outbox() == []


def test_the_form_needs_its_csrf_token(client):
    assert client.post("/contact", data=GOOD).status_code == 400
    assert messages() == []


def test_one_client_is_limited(client):
    for _ in range(limits.CONTACT_PER_CLIENT.count):
        assert send(client, **GOOD).status_code == 303
    response = send(client, **GOOD)
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Try again in" in html and GOOD["message"] in html
    assert len(messages()) == limits.CONTACT_PER_CLIENT.count == len(outbox())


def test_old_messages_are_forgotten_when_a_new_one_arrives(client):
    from shop.pages.contact import KEEP_DAYS

    with database.connection_context():
        ContactMessage.create(name="Old", email="old@example.com", message="From long ago, about ferns.",
                              created_at=utcnow() - timedelta(days=KEEP_DAYS + 1))
    send(client, **GOOD)
    assert [row.name for row in messages()] == ["Ada Greenleaf"]


def test_staff_read_the_messages_newest_first(seeded, app, client):
    send(client, **GOOD)
    send(client, **{**GOOD, "name": "Bo <b>Fern</b>", "message": "Second message, with <script>x</script>."})
    assert client.get("/staff/messages").status_code == 404
    create_user()
    AuthActions(client).login()
    assert client.get("/staff/messages").status_code == 404  # a customer
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    create_user(username="nurserymaid", email="staff@fernhouse.test")
    assert app.test_cli_runner().invoke(args=["staff", "grant", "nurserymaid"]).exit_code == 0
    AuthActions(client).login("nurserymaid")
    response = client.get("/staff/messages")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.index("Bo &lt;b&gt;Fern&lt;/b&gt;") < html.index("Ada Greenleaf")
    assert "&lt;script&gt;" in html and "<script>x" not in html
    assert 'href="mailto:ada@example.com"' in html
