"""The outbox as staff see it: queued, sent, failing or given up, with the last error; a message put
back at the front of the queue by hand."""
from ..db import current_read, transaction_with_retry
from ..mail import MAX_ATTEMPTS
from ..models import EmailOutbox, utcnow
from .access import StaffRefused, audit


def outbox(state="all", limit=100):
    """Outbox rows for the mail page: queued, sent, or failing (with the last error)."""
    query = EmailOutbox.select().order_by(EmailOutbox.id.desc())
    if state == "queued":
        query = query.where(EmailOutbox.sent_at.is_null(), EmailOutbox.last_error.is_null())
    elif state == "sent":
        query = query.where(EmailOutbox.sent_at.is_null(False))
    elif state == "failing":
        query = query.where(EmailOutbox.sent_at.is_null(), EmailOutbox.last_error.is_null(False))
    return list(query.limit(limit))


def retry_email(staff_id, message_id):
    """Put a failing (or given-up) message at the front of the queue: the worker tries it on its next round."""
    def apply():
        row = current_read(EmailOutbox.select().where(EmailOutbox.id == message_id)).get()
        if row.sent_at is not None:
            raise StaffRefused("That message was delivered already.")
        (EmailOutbox.update(next_attempt_at=utcnow(), claimed_by=None, claimed_at=None,
                            attempts=min(row.attempts, MAX_ATTEMPTS - 1))
         .where(EmailOutbox.id == message_id).execute())
        audit(staff_id, "mail.retry", "email", message_id, {"attempts": row.attempts}, None)

    transaction_with_retry(apply)
