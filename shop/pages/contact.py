"""The contact form: its rules, and a message kept for the back office and emailed to the nursery together.

The name travels into an email's subject, so it may hold no control or formatting characters (a line break
there would start a new header); the message may hold line breaks and tabs, nothing else of the kind.
"""
import unicodedata
from datetime import timedelta

from flask import current_app

from ..accounts.validation import validate_email
from ..db import transaction_with_retry
from ..mail import queue_email
from ..models import ContactMessage, utcnow

NAME_MAX = 100
MESSAGE_MIN, MESSAGE_MAX = 10, 5000
KEEP_DAYS = 365  # a message older than this is deleted when the next one arrives
FIELDS = ("name", "email", "message")


def has_control_characters(text, allowed=""):
    """True when the text holds a control, format or line-separator character not in `allowed`."""
    return any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") and char not in allowed for char in text)


def validate_contact(form):
    """(clean values, {field: message}) for the contact form: a name, a valid email, a message."""
    values = {field: str(form.get(field) or "") for field in FIELDS}
    values["name"] = values["name"].strip()
    values["message"] = values["message"].strip().replace("\r\n", "\n")
    errors = {}
    if not values["name"]:
        errors["name"] = "Tell us your name, so we know whom to answer."
    elif len(values["name"]) > NAME_MAX:
        errors["name"] = f"Your name can be at most {NAME_MAX} characters."
    elif has_control_characters(values["name"]):
        errors["name"] = "Your name cannot contain line breaks or invisible control characters."
    email, problem = validate_email(values["email"])
    values["email"] = email
    if problem:
        errors["email"] = problem
    if not values["message"]:
        errors["message"] = "Write your message: what can we help with?"
    elif len(values["message"]) < MESSAGE_MIN:
        errors["message"] = f"Your message needs at least {MESSAGE_MIN} characters."
    elif len(values["message"]) > MESSAGE_MAX:
        errors["message"] = f"Your message can be at most {MESSAGE_MAX:,} characters."
    elif has_control_characters(values["message"], allowed="\n\t"):
        errors["message"] = "Your message cannot contain invisible control characters."
    return values, errors


def send_contact_message(values):
    """Keep the message for the back office and queue its email to the nursery, in one transaction (old
    messages past KEEP_DAYS are forgotten at the same time). Returns the stored message."""
    recipient = current_app.config["SHOP_CONTACT_EMAIL"]

    def write():
        ContactMessage.delete().where(ContactMessage.created_at < utcnow() - timedelta(days=KEEP_DAYS)).execute()
        stored = ContactMessage.create(name=values["name"], email=values["email"], message=values["message"],
                                       created_at=utcnow())
        queue_email(recipient, f"Contact form: {values['name']}", "contact_message", contact=stored)
        return stored

    return transaction_with_retry(write)


def recent_messages(limit=200):
    """The contact messages, newest first, for the back office."""
    return list(ContactMessage.select().order_by(ContactMessage.id.desc()).limit(limit))
