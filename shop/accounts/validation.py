"""The account rules, once, in Python: pure functions used by the full POST and the live checks.

The same rules are written once in JavaScript (static/js/rules.js) for instant feedback;
tests/validation_vectors.json is checked against both, so the two cannot drift apart.
"""
import re
import unicodedata
from pathlib import Path

from email_validator import EmailNotValidError
from email_validator import validate_email as check_email_syntax

USERNAME_MIN, USERNAME_MAX = 5, 32
PASSWORD_MIN, PASSWORD_MAX = 8, 128
EMAIL_MAX = 254
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]+$")

# The order the checklist shows; each key has a sentence for people.
PASSWORD_RULES = {
    "length": f"At least {PASSWORD_MIN} characters",
    "upper": "An uppercase letter",
    "lower": "A lowercase letter",
    "symbol": "A symbol, like ! ? # or %",
    "not_personal": "Not your username or email",
    "max_length": f"At most {PASSWORD_MAX} characters",
}
COMMON_RULE = "Not a commonly used password"


def _load_common_passwords():
    """The shipped list of breached passwords (lower-case), without comments."""
    path = Path(__file__).parent.parent / "data" / "common-passwords.txt"
    return {line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")}


COMMON_PASSWORDS = _load_common_passwords()


def validate_username(raw):
    """Check a username: (clean value, error or None). Uniqueness is checked by the caller."""
    value = (raw or "").strip()
    if not value:
        return value, "Choose a username."
    if len(value) < USERNAME_MIN:
        return value, f"Usernames have at least {USERNAME_MIN} characters."
    if len(value) > USERNAME_MAX:
        return value, f"Usernames have at most {USERNAME_MAX} characters."
    if not USERNAME_PATTERN.match(value):
        return value, "Use only letters, digits, and _ . - in a username."
    if is_reserved_username(value):
        return value, f"“{value}” is kept for the shop itself. Try another name."
    return value, None


# Names a customer could use to pass as the shop in reviews, emails or a support chat.
RESERVED_USERNAMES = frozenset({
    "admin", "administrator", "staff", "support", "fernhouse", "moderator", "security", "postmaster",
    "webmaster", "hostmaster", "noreply", "no-reply", "system", "official", "helpdesk", "billing", "owner",
})
RESERVED_PREFIXES = ("fernhouse", "admin", "staff", "support")


def is_reserved_username(value):
    """True for a name kept for the shop (in any letter case, with or without . _ -)."""
    lowered = value.lower()
    bare = re.sub(r"[._-]", "", lowered)
    return lowered in RESERVED_USERNAMES or bare in RESERVED_USERNAMES or bare.startswith(RESERVED_PREFIXES)


def validate_email(raw):
    """Check and normalise an email address: (normalised lower-case value, error or None). No DNS look-up."""
    value = (raw or "").strip()
    if not value:
        return value, "Enter your email address."
    if len(value) > EMAIL_MAX:
        return value, "That email address is too long."
    try:
        result = check_email_syntax(value, check_deliverability=False)
    except EmailNotValidError as error:
        return value, f"That email address is not valid: {error}"
    # Lower-cased in full so the unique index treats Fern@Example.com and fern@example.com as one.
    return result.normalized.lower(), None


def _has(password, categories):
    """True when a character of the password belongs to one of the Unicode categories."""
    return any(unicodedata.category(ch).startswith(categories) for ch in password)


def password_checks(password, username="", email=""):
    """Each rule of PASSWORD_RULES with True (met) or False, in checklist order."""
    password = password or ""
    # lower(), not casefold(): JavaScript's toLowerCase() has no casefold, and the two must agree.
    lowered = password.lower()
    personal = {value.lower() for value in (username or "", email or "") if value}
    return {
        "length": len(password) >= PASSWORD_MIN,
        "upper": any(unicodedata.category(ch) == "Lu" for ch in password),
        "lower": any(unicodedata.category(ch) == "Ll" for ch in password),
        "symbol": _has(password, ("P", "S")),
        "not_personal": bool(password) and lowered not in personal,
        "max_length": len(password) <= PASSWORD_MAX,
    }


def is_common_password(password):
    """True when the password, lower-cased and without trailing digits or symbols, is a known common one."""
    lowered = (password or "").lower()
    stripped = re.sub(r"[\d\W_]+$", "", lowered)
    return lowered in COMMON_PASSWORDS or stripped in COMMON_PASSWORDS


def validate_password(password, username="", email=""):
    """Check a password: (checks dict, error or None). The password itself is never changed."""
    checks = password_checks(password, username, email)
    if not password:
        return checks, "Choose a password."
    failed = [PASSWORD_RULES[rule] for rule, met in checks.items() if not met]
    if failed:
        return checks, "Your password needs: " + "; ".join(rule[0].lower() + rule[1:] for rule in failed) + "."
    if is_common_password(password):
        return checks, "That password is one of the most common ones; choose something less guessable."
    return checks, None


def validate_registration(form):
    """Check the whole registration form: (clean values, {field: error})."""
    username, username_error = validate_username(form.get("username"))
    email, email_error = validate_email(form.get("email"))
    password = form.get("password") or ""
    _, password_error = validate_password(password, username, email)
    errors = {"username": username_error, "email": email_error, "password": password_error}
    if not password_error and password != (form.get("password_confirm") or ""):
        errors["password_confirm"] = "The two passwords do not match."
    clean = {"username": username, "email": email, "password": password}
    return clean, {field: error for field, error in errors.items() if error}


def validate_new_password(form, username="", email=""):
    """Check a new password and its repetition (reset and change forms): (password, {field: error})."""
    password = form.get("password") or ""
    _, error = validate_password(password, username, email)
    errors = {"password": error} if error else {}
    if not error and password != (form.get("password_confirm") or ""):
        errors["password_confirm"] = "The two passwords do not match."
    return password, errors


def password_state(password, username="", email=""):
    """The checklist the server confirms: each rule met or not, and the common-password rule."""
    checks = password_checks(password, username, validate_email(email)[0] if email else "")
    common = bool(password) and is_common_password(password)
    return {"checks": checks, "rules": PASSWORD_RULES, "common": common, "common_rule": COMMON_RULE,
            "confirmed": bool(password)}
