"""Money is integer cents everywhere; this is the one place it becomes dollars for people."""


def format_cents(cents):
    """Integer cents as dollars: 123456 -> $1,234.56 (the `money` filter in templates)."""
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(int(cents)), 100)
    return f"{sign}${dollars:,}.{rest:02d}"


def init_app(app):
    """Register the `money` template filter."""
    app.add_template_filter(format_cents, "money")
