"""The account rules in Python, against the shared vectors (the browser runs the same file in JS)."""
import json
from pathlib import Path

import pytest

from shop.accounts.validation import (
    PASSWORD_MAX,
    is_common_password,
    password_checks,
    validate_email,
    validate_password,
    validate_registration,
    validate_username,
)

VECTORS = json.loads((Path(__file__).parent / "validation_vectors.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("vector", VECTORS["usernames"], ids=lambda v: repr(v["value"]))
def test_username_vectors(vector):
    _, error = validate_username(vector["value"])
    assert (error is None) == vector["ok"], error


@pytest.mark.parametrize("vector", VECTORS["passwords"], ids=lambda v: repr(v["password"][:20]))
def test_password_vectors(vector):
    assert password_checks(vector["password"], vector["username"], vector["email"]) == vector["checks"]


@pytest.mark.parametrize("vector", VECTORS["common_passwords"], ids=lambda v: v["password"])
def test_common_password_vectors(vector):
    assert is_common_password(vector["password"]) == vector["common"]


@pytest.mark.parametrize("raw, normalised", [
    ("Fern@Example.COM", "fern@example.com"),
    ("  fern.fan+shop@example.co.uk ", "fern.fan+shop@example.co.uk"),
    ("FERN@EXAMPLE.COM", "fern@example.com"),
])
def test_emails_are_normalised_and_lower_cased(raw, normalised):
    assert validate_email(raw) == (normalised, None)


@pytest.mark.parametrize("raw", ["", "fern", "fern@", "@example.com", "fern@@example.com", "fern example@x.com",
                                 "fern@example", "a" * 250 + "@example.com", "fern@exa mple.com"])
def test_bad_emails_are_refused_with_a_reason(raw):
    _, error = validate_email(raw)
    assert error


def test_password_rules_never_truncate_and_allow_long_phrases():
    phrase = "Watering-can " * 9  # 117 characters
    assert validate_password(phrase.strip() + "X")[1] is None
    too_long = "Aa!" + "a" * PASSWORD_MAX
    assert "at most 128 characters" in validate_password(too_long)[1]


def test_password_equal_to_username_or_email_is_refused():
    assert "not your username or email" in validate_password("Fern.Fan-1", "fern.fan-1")[1]
    assert "not your username or email" in validate_password("Fern@Example.com", "x", "fern@example.com")[1]


def test_common_password_is_refused_even_when_it_meets_the_rules():
    assert "most common" in validate_password("Password1!")[1]


def test_registration_collects_every_error():
    clean, errors = validate_registration({"username": "ab", "email": "nope", "password": "weak",
                                           "password_confirm": "other"})
    assert set(errors) == {"username", "email", "password"}
    clean, errors = validate_registration({"username": "fernfan", "email": "fern@example.com",
                                           "password": "Gr33n-Fingers", "password_confirm": "Gr33n-Fingerz"})
    assert errors == {"password_confirm": "The two passwords do not match."}
    clean, errors = validate_registration({"username": " fernfan ", "email": "Fern@Example.com",
                                           "password": "Gr33n-Fingers", "password_confirm": "Gr33n-Fingers"})
    assert errors == {} and clean == {"username": "fernfan", "email": "fern@example.com", "password": "Gr33n-Fingers"}
