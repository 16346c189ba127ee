"""The htmx boundary: the one place that reads htmx's HX-* request headers (is_fragment_request(),
hx_target()) and sets its response headers (set_triggers(), set_push_url(), retarget(), reswap(),
redirect_via_htmx()), and the helpers every view answers with: respond() for mutations, login_required.
No other module of shop/ names an HX- header (tests/test_structure.py)."""
import functools
from urllib.parse import urlsplit

from flask import flash, g, make_response, redirect, render_template, request, url_for


def is_fragment_request():
    """True only for a real htmx partial request: not boosted, not a history restore."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def hx_target():
    """The id of the element htmx will swap this response into (HX-Target), or None."""
    return request.headers.get("HX-Target")


def retarget(response, selector):
    """Swap this response into another element than the one that asked (HX-Retarget)."""
    response.headers["HX-Retarget"] = selector
    return response


def reswap(response, how):
    """Swap this response in another way than the element asked for, e.g. innerHTML (HX-Reswap)."""
    response.headers["HX-Reswap"] = how
    return response


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


def login_required(view):
    """Send anonymous visitors to /login?next=<where they were going>; an htmx request is sent there
    with HX-Redirect (a full page load), a plain one with a 303."""
    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.get("user") is None:
            return redirect_via_htmx(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(**kwargs)
    return wrapped


def set_triggers(response, *events, after_settle=False):
    """Add htmx events to fire in the browser after this response (HX-Trigger or -After-Settle)."""
    header = "HX-Trigger-After-Settle" if after_settle else "HX-Trigger"
    names = [name for name in (response.headers.get(header, "").split(",") + list(events)) if name.strip()]
    response.headers[header] = ", ".join(dict.fromkeys(name.strip() for name in names))
    return response


def respond(fragment, back_to, message=None, category="success", status=200, triggers=()):
    """The answer to a form that changed something: for htmx the fragment (rendered HTML with
    `status`, or a function that makes the whole response, called only then) and its triggers;
    without JavaScript the message as a flash and a 303 to back_to, so a reload never posts twice."""
    if is_fragment_request():
        response = make_response(fragment() if callable(fragment) else fragment)
        if not callable(fragment):
            response.status_code = status
        return set_triggers(response, *triggers) if triggers else response
    if message:
        flash(message, category)
    return redirect(back_to, code=303)
