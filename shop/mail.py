"""Email through a transactional outbox: queue inside the caller's transaction, deliver later.

queue_email() only writes a row to email_outbox, so an order and its confirmation commit together
or not at all. deliver_due() (run by `flask send-mail`) claims due rows one by one with a
conditional UPDATE, so two workers never send the same message, and sends them through yagmail.
"""
import logging
import re
import secrets
import smtplib
import socket
import threading
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import yagmail
from flask import current_app, render_template

from .db import database, transaction_with_retry
from .models import EmailOutbox, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
CLAIM_TIMEOUT = timedelta(minutes=10)  # a worker that died mid-send gives its claim back after this
SMTP_TIMEOUT_SECONDS = 20


class MailConfigError(Exception):
    """The SMTP settings cannot work (for example a Gmail username without a password)."""


CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def is_one_line(text):
    """True when text can go into an email header as it is (typed titles are refused otherwise)."""
    return CONTROL.search(text) is None


def one_line(text):
    """A header value as it may be sent: control characters (CR, LF, NUL, tab...) become spaces, runs of
    spaces one. A subject made from a title or a name can never carry a second header."""
    return " ".join(CONTROL.sub(" ", str(text)).split())


def queue_email(recipient, subject, template, erase_after_send=False, **context):
    """Render templates/email/<template>.txt and .html and add the message to the outbox.

    Call it inside the caller's transaction (transaction_with_retry): the email is written in that
    transaction. erase_after_send: the row is deleted once delivered (a deleted account's goodbye).
    """
    context.setdefault("base_url", current_app.config["BASE_URL"])
    subject = one_line(subject)
    context.setdefault("subject", subject)
    return EmailOutbox.create(
        recipient=one_line(recipient),
        subject=subject,
        body_text=render_template(f"templates/email/{template}.txt", **context),
        body_html=render_template(f"templates/email/{template}.html", **context),
        erase_after_send=erase_after_send,
    )


def email_by_id(message_id):
    """One outbox message, sent or not, or None."""
    return EmailOutbox.get_or_none(EmailOutbox.id == message_id)


def newest_emails(limit=100):
    """The outbox's latest messages, newest first, whatever their state: the dev mailbox."""
    return list(EmailOutbox.select().order_by(EmailOutbox.id.desc()).limit(limit))


def retry_delay(attempts):
    """How long to wait before the next try: 30 s, 1 min, 2 min... at most an hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def build_message(row, sender):
    """The MIME message of one outbox row: a plain-text body with an HTML alternative."""
    message = EmailMessage()
    message["From"] = formataddr(("Fernhouse", sender))
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Message-ID"] = make_msgid(idstring=f"outbox-{row.id}", domain=sender.rpartition("@")[2] or None)
    message.set_content(row.body_text)
    message.add_alternative(row.body_html, subtype="html")
    return message


def smtp_client(config):
    """A yagmail client for the configured server (Gmail over SSL unless told otherwise)."""
    username, password = config["MAIL_USERNAME"], config["MAIL_PASSWORD"]
    if username and not password:
        raise MailConfigError("MAIL_USERNAME is set but MAIL_PASSWORD is empty (for Gmail, create an app password)")
    security = config["MAIL_SECURITY"]
    return yagmail.SMTP(
        user=username or None, password=password or None,
        host=config["MAIL_HOST"], port=config["MAIL_PORT"],
        smtp_ssl=security == "ssl", smtp_starttls=security == "starttls",
        smtp_skip_login=not username, soft_email_validation=False, timeout=SMTP_TIMEOUT_SECONDS,
    )


def claim_due(worker, now, limit):
    """Claim up to `limit` due messages for this worker; a row is ours only if our UPDATE changed it."""
    stale = now - CLAIM_TIMEOUT
    free = EmailOutbox.claimed_by.is_null() | (EmailOutbox.claimed_at < stale)
    candidates = (EmailOutbox.select(EmailOutbox.id)
                  .where(EmailOutbox.sent_at.is_null(), EmailOutbox.next_attempt_at <= now,
                         EmailOutbox.attempts < MAX_ATTEMPTS, free)
                  .order_by(EmailOutbox.id).limit(limit))
    claimed = []
    # Read the whole candidate list first: an open SELECT would pin SQLite's read snapshot
    # and make the UPDATEs below fail with "database is locked" when another worker writes.
    for (row_id,) in list(candidates.tuples()):
        changed = transaction_with_retry(
            lambda row_id=row_id: EmailOutbox.update(claimed_by=worker, claimed_at=now)
            .where(EmailOutbox.id == row_id, EmailOutbox.sent_at.is_null(), free).execute())
        if changed == 1:
            claimed.append(row_id)
    return claimed


def record_failure(row, now, error):
    """Keep the message queued with the error and the time of the next try."""
    attempts = row.attempts + 1
    text = f"{type(error).__name__}: {error}"[:2000]
    transaction_with_retry(
        lambda: EmailOutbox.update(attempts=attempts, last_error=text, claimed_by=None,
                                   claimed_at=None, next_attempt_at=now + retry_delay(attempts))
        .where(EmailOutbox.id == row.id).execute())
    log.log(logging.ERROR if attempts >= MAX_ATTEMPTS else logging.WARNING,
            "email %s to %s not delivered (attempt %s of %s%s): %s", row.id, row.recipient, attempts, MAX_ATTEMPTS,
            ", given up" if attempts >= MAX_ATTEMPTS else "", text)


def record_sent(row):
    """The message was accepted: mark it sent (or erase it, for a deleted account's goodbye)."""
    if row.erase_after_send:  # nothing of a deleted account stays behind once it is delivered
        transaction_with_retry(lambda: EmailOutbox.delete().where(EmailOutbox.id == row.id).execute())
    else:
        transaction_with_retry(
            lambda: EmailOutbox.update(sent_at=utcnow(), attempts=row.attempts + 1, last_error=None,
                                       claimed_by=None, claimed_at=None)
            .where(EmailOutbox.id == row.id).execute())


def deliver_due(limit=50, now=None, worker=None):
    """Send every due message once; return (sent, failed). Needs an app context.

    Whatever goes wrong with one message (a header that cannot be sent, a refusal, a bug) is that
    message's failure: recorded, retried later, never holding the messages claimed with it.
    """
    config = current_app.config
    now = now or utcnow()
    worker = worker or f"{socket.gethostname()}:{threading.get_ident()}:{secrets.token_hex(4)}"
    claimed = claim_due(worker, now, limit)
    if not claimed:
        return 0, 0
    sent = failed = 0
    client = None
    try:
        client = smtp_client(config)
        client.login()
    except (MailConfigError, OSError, smtplib.SMTPException) as error:
        log.error("cannot reach the mail server %s:%s: %s", config["MAIL_HOST"], config["MAIL_PORT"], error)
        for row in list(EmailOutbox.select().where(EmailOutbox.id.in_(claimed))):
            record_failure(row, now, error)
        return 0, len(claimed)
    try:
        for row in list(EmailOutbox.select().where(EmailOutbox.id.in_(claimed)).order_by(EmailOutbox.id)):
            try:
                message = build_message(row, config["MAIL_SENDER"])
                client.smtp.sendmail(config["MAIL_SENDER"], [row.recipient], message.as_string())
            except Exception as error:  # one message's problem, whatever it is, is that message's alone
                record_failure(row, now, error)
                failed += 1
                continue
            record_sent(row)
            sent += 1
    finally:
        client.close()
    return sent, failed


def run_worker(app, interval=5.0, once=False, stop=None):
    """Deliver due messages now, and every `interval` seconds unless `once`; stop when `stop` is set."""
    stop = stop or threading.Event()
    while True:
        with app.app_context(), database.connection_context():
            try:
                sent, failed = deliver_due()
            except Exception:  # the worker must outlive a bad moment (database restart, bug in one message)
                log.exception("outbox delivery round failed")
                sent, failed = 0, 0
        if sent or failed:
            log.info("outbox: %s sent, %s failed", sent, failed)
        if once or stop.wait(interval):
            return sent, failed

