"""Money is integer cents everywhere; this is the one place it becomes dollars for people."""


def format_cents(cents):
    """Integer cents as dollars: 123456 -> $1,234.56 (the `money` filter in templates)."""
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(int(cents)), 100)
    return f"{sign}${dollars:,}.{rest:02d}"


def format_signed_cents(cents):
    """A change of money with its sign, as a statement shows it: +$200.00, −$68.00 (a true minus)."""
    return ("+" if cents > 0 else "\u2212" if cents < 0 else "") + format_cents(abs(cents))


def init_app(app):
    """Register the `money` and `signed_money` template filters."""
    app.add_template_filter(format_cents, "money")
    app.add_template_filter(format_signed_cents, "signed_money")
