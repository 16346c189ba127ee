"""The one place that reads htmx's HX-* request headers and decides page or fragment."""
from urllib.parse import urlsplit

from flask import make_response, redirect, render_template, request


def is_fragment_request():
    """True only for a real htmx partial request: not boosted, not a history restore."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def render_page_or_fragment(page_template, fragment_template, **context):
    """Render the whole page, or only its fragment for an htmx partial request.

    The page includes the same fragment template where htmx swaps it, so both renders are
    the same markup.
    """
    return render_template(fragment_template if is_fragment_request() else page_template, **context)


def set_push_url(response, url):
    """Tell htmx which URL to show in the address bar for a fragment response (not when the
    fragment explorer of /dev/fragments asked: it stays on its own page)."""
    asked_from = urlsplit(request.headers.get("HX-Current-URL", "")).path
    if is_fragment_request() and not asked_from.startswith("/dev/"):
        response.headers["HX-Push-Url"] = url
    return response


def redirect_via_htmx(url):
    """Go to another page: HX-Redirect for htmx (a full navigation), a 303 for a plain form."""
    if request.headers.get("HX-Request") == "true":
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)


def init_app(app):
    """Mark every response as varying on HX-Request, so caches never mix pages and fragments."""

    @app.after_request
    def add_vary_header(response):
        """Add Vary: HX-Request to every response."""
        response.vary.add("HX-Request")
        return response
