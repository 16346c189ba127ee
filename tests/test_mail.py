"""The outbox: queued in the caller's transaction, delivered once through a real SMTP server."""
import threading
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from shop.db import database
from shop.mail import MAX_ATTEMPTS, deliver_due, queue_email
from shop.models import EmailOutbox, utcnow

from .conftest import AuthActions, create_user


def use_smtp(app, server, **extra):
    """Point the app's mail settings at the loopback SMTP server."""
    settings = dict(MAIL_BACKEND="smtp", MAIL_HOST="127.0.0.1", MAIL_PORT=server.port, MAIL_SECURITY="none",
                    MAIL_USERNAME="", MAIL_PASSWORD="", MAIL_SENDER="shop@fernhouse.test")
    app.config.update({**settings, **extra})


def queue(app, count=1, recipient="fern@example.com"):
    """Queue `count` test messages in one transaction; return their ids."""
    with app.test_request_context(), database.atomic():
        return [queue_email(recipient, f"Test {n}", "test", message=f"Message number {n}").id
                for n in range(count)]


def test_a_queued_message_arrives_once_with_both_bodies(app, smtp_server):
    use_smtp(app, smtp_server)
    [row_id] = queue(app)
    with app.app_context():
        assert deliver_due() == (1, 0)
        assert deliver_due() == (0, 0)
        row = EmailOutbox.get_by_id(row_id)
    assert row.sent_at is not None and row.attempts == 1 and row.last_error is None
    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    message = received["message"]
    assert received["to"] == ["fern@example.com"] and received["from"] == "shop@fernhouse.test"
    assert message["Subject"] == "Test 0" and "Fernhouse" in message["From"]
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Message number 0" in text and "<" not in text.replace("<http", "")
    assert "Message number 0" in html and 'href="http://shop.test/"' in html


def test_server_down_keeps_the_message_and_it_arrives_later(app, smtp_server):
    use_smtp(app, smtp_server)
    [row_id] = queue(app)
    port = smtp_server.port
    smtp_server.stop()
    with app.app_context():
        assert deliver_due() == (0, 1)
        row = EmailOutbox.get_by_id(row_id)
        assert row.sent_at is None and row.attempts == 1
        assert "refused" in row.last_error.lower() or "connect" in row.last_error.lower()
        assert row.next_attempt_at > utcnow()
        assert deliver_due() == (0, 0)  # backing off: not due yet
    handler_messages = smtp_server.messages
    restarted = Controller(smtp_server.handler, hostname="127.0.0.1", port=port)
    restarted.start()
    try:
        with app.app_context():
            assert deliver_due(now=utcnow() + timedelta(hours=2)) == (1, 0)
            row = EmailOutbox.get_by_id(row_id)
        assert row.sent_at is not None and row.attempts == 2 and row.last_error is None
        assert len(handler_messages) == 1
    finally:
        restarted.stop()


def test_two_workers_at_once_deliver_each_message_exactly_once(app, smtp_server):
    use_smtp(app, smtp_server)
    ids = queue(app, count=30)
    results, start = [], threading.Barrier(3)

    def worker():
        with app.app_context():
            start.wait()
            try:
                for _ in range(5):
                    results.append(deliver_due(limit=7))
            finally:
                database.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    subjects = [m["message"]["Subject"] for m in smtp_server.messages]
    assert sorted(subjects) == sorted(f"Test {n}" for n in range(30))
    assert sum(sent for sent, _ in results) == 30
    with app.app_context():
        assert EmailOutbox.select().where(EmailOutbox.id.in_(ids), EmailOutbox.sent_at.is_null()).count() == 0
        assert {row.attempts for row in EmailOutbox.select()} == {1}


def test_a_rolled_back_transaction_leaves_no_email(app):
    with app.test_request_context():
        with pytest.raises(RuntimeError):
            with database.atomic():
                queue_email("fern@example.com", "Order confirmed", "test", message="never")
                raise RuntimeError("the order failed after the email was queued")
        assert EmailOutbox.select().count() == 0


def test_gmail_without_a_password_keeps_the_message_queued(app, smtp_server, caplog):
    use_smtp(app, smtp_server, MAIL_USERNAME="nursery@gmail.com")
    [row_id] = queue(app)
    with app.app_context():
        assert deliver_due() == (0, 1)
        row = EmailOutbox.get_by_id(row_id)
    assert "MAIL_PASSWORD is empty" in row.last_error and row.sent_at is None
    assert "MAIL_PASSWORD is empty" in caplog.text
    assert smtp_server.messages == []


def test_retries_stop_after_the_limit(app, smtp_server):
    use_smtp(app, smtp_server)
    [row_id] = queue(app)
    with app.app_context():
        EmailOutbox.update(attempts=MAX_ATTEMPTS).where(EmailOutbox.id == row_id).execute()
        assert deliver_due(now=utcnow() + timedelta(days=1)) == (0, 0)
    assert smtp_server.messages == []


def test_send_mail_command_delivers_once(app, smtp_server):
    use_smtp(app, smtp_server)
    queue(app, count=2)
    result = app.test_cli_runner().invoke(args=["send-mail", "--once"])
    assert result.exit_code == 0 and "2 sent, 0 failed" in result.output
    assert len(smtp_server.messages) == 2


def test_send_mail_with_the_outbox_backend_sends_nothing(app):
    queue(app)
    result = app.test_cli_runner().invoke(args=["send-mail", "--once"])
    assert result.exit_code == 0 and "nothing to send" in result.output
    with app.app_context():
        assert EmailOutbox.get().sent_at is None


def test_send_test_mail_command_queues_a_message(app):
    result = app.test_cli_runner().invoke(args=["send-test-mail", "me@example.com"])
    assert result.exit_code == 0
    with app.app_context():
        row = EmailOutbox.get()
    assert row.recipient == "me@example.com" and "settings work" in row.body_text


def test_dev_mailbox_is_404_outside_development(app, client):
    queue(app)
    assert client.get("/dev/mailbox").status_code == 404
    assert client.get("/dev/mailbox/1/html").status_code == 404


def test_dev_mailbox_shows_messages_newest_first_with_links(app, client):
    app.config["SHOP_ENV"] = "development"
    first, second = queue(app, count=2)
    html = client.get("/dev/mailbox").get_data(as_text=True)
    assert html.index("Test 1") < html.index("Test 0")
    assert '<a href="http://shop.test/">http://shop.test/</a>' in html
    assert f'/dev/mailbox/{second}/html' in html
    chosen = client.get(f"/dev/mailbox?id={first}").get_data(as_text=True)
    assert f'/dev/mailbox/{first}/html' in chosen
    frame = client.get(f"/dev/mailbox/{first}/html")
    assert frame.status_code == 200 and b"Message number 0" in frame.data
    assert "sandbox" in frame.headers["Content-Security-Policy"]
    assert client.get("/dev/mailbox/999999/html").status_code == 404
    assert client.get("/dev/mailbox?id=abc").status_code == 200


def test_dev_mailbox_empty_state(app, client):
    app.config["SHOP_ENV"] = "development"
    assert "No email yet" in client.get("/dev/mailbox").get_data(as_text=True)


def poison(app, subject="Booked: Kokedama\r\nBcc: everyone@example.com"):
    """An outbox row whose subject no email header can carry (as a workshop title with CR/LF made one)."""
    with app.app_context():
        return EmailOutbox.create(recipient="fern@example.com", subject=subject, body_text="t", body_html="<p>h</p>").id


def test_a_poisoned_message_never_holds_the_others(app, smtp_server, client):
    use_smtp(app, smtp_server)
    first = queue(app, count=2)
    bad = poison(app)
    later = queue(app, count=2, recipient="later@example.com")
    with app.app_context():
        assert deliver_due() == (4, 1)
        row = EmailOutbox.get_by_id(bad)
        assert row.sent_at is None and row.attempts == 1 and row.claimed_by is None
        assert "linefeed" in row.last_error or "carriage" in row.last_error
        assert all(EmailOutbox.get_by_id(i).sent_at is not None for i in first + later)
    assert sorted(m["message"]["Subject"] for m in smtp_server.messages) == ["Test 0", "Test 0", "Test 1", "Test 1"]
    assert not any("everyone@example.com" in str(m["to"]) for m in smtp_server.messages)
    when = utcnow()
    for attempt in range(2, MAX_ATTEMPTS + 1):  # retried with back-off, then given up
        when += timedelta(hours=2)
        with app.app_context():
            assert deliver_due(now=when) == (0, 1)
            assert EmailOutbox.get_by_id(bad).attempts == attempt
    with app.app_context():
        assert deliver_due(now=when + timedelta(days=1)) == (0, 0)
    assert len(smtp_server.messages) == 4
    create_user(username="nurserymaid", email="staff@fernhouse.test")
    app.test_cli_runner().invoke(args=["staff", "grant", "nurserymaid"])
    AuthActions(client).login("nurserymaid")
    page = client.get("/staff/mail?state=failing").get_data(as_text=True)
    assert f'id="message-{bad}"' in page and "Given up" in page and "linefeed" in page


def test_any_error_while_sending_one_message_is_that_messages_failure(app, smtp_server, monkeypatch):
    use_smtp(app, smtp_server)
    ids = queue(app, count=3)
    import shop.mail

    real = shop.mail.build_message

    def fragile(row, sender):
        if row.subject == "Test 1":
            raise RuntimeError("a bug in one message")
        return real(row, sender)

    monkeypatch.setattr(shop.mail, "build_message", fragile)
    with app.app_context():
        assert deliver_due() == (2, 1)
        broken = EmailOutbox.get_by_id(ids[1])
    assert broken.attempts == 1 and broken.claimed_by is None and "a bug in one message" in broken.last_error
    assert sorted(m["message"]["Subject"] for m in smtp_server.messages) == ["Test 0", "Test 2"]


def test_subjects_and_recipients_are_one_line_where_they_are_made(app, smtp_server):
    use_smtp(app, smtp_server)
    with app.test_request_context(), database.atomic():
        row = queue_email("fern@example.com\n", "Booked: Kokedama\r\nBcc: everyone@example.com\x00\t!",
                          "test", message="hello")
    assert row.subject == "Booked: Kokedama Bcc: everyone@example.com !" and row.recipient == "fern@example.com"
    with app.app_context():
        assert deliver_due() == (1, 0)
    [received] = smtp_server.messages
    assert received["to"] == ["fern@example.com"]
    assert received["message"]["Subject"] == "Booked: Kokedama Bcc: everyone@example.com !"
