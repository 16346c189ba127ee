"""Explain mode (development only): the live page tells which route, Python view and template made each part.

Everything is set here, in one place, and never by a view:
- note_template() hears every render_template() (Flask's before_render_template signal) and, when explain
  mode is on, puts `explain` in the template's context (base.html then adds the overlay's script and
  stylesheet and labels the page with its view and template) and remembers the template's name;
- add_explain_headers() adds X-Fernhouse-Route, -View and -Template to each response, so the overlay's panel
  can say what answered each htmx request;
- routes() tells the overlay's script the URL map: for each route its view and, for fragment endpoints,
  the partial (from the fragment explorer's list).
Explain mode is on only when SHOP_ENV is development and the browser asked (?explain=1, remembered in a
cookie; ?explain=0 or the dev bar's switch turns it off). In production every hook returns at once, so pages
and responses are byte-for-byte what they would be without this module (tests/test_explain.py compares).
"""
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import Blueprint, current_app, g, jsonify, redirect, request, url_for
from flask.signals import before_render_template

from .devtools import FRAGMENTS, development_only
from .security import safe_next

bp = Blueprint("explain", __name__, url_prefix="/dev/explain")

COOKIE = "fh_explain"
ONE_YEAR = 365 * 24 * 3600


def explaining():
    """True when this request is in development and its browser turned explain mode on."""
    if current_app.config["SHOP_ENV"] != "development":
        return False
    asked = request.args.get("explain")
    if asked in ("0", "1"):
        return asked == "1"
    return request.cookies.get(COOKIE) == "1"


def view_name(endpoint):
    """The Python function behind an endpoint, as the docs write it: "catalog.views.products"."""
    function = current_app.view_functions.get(endpoint)
    if function is None:
        return ""
    return f"{function.__module__.removeprefix('shop.')}.{function.__name__}"


def route_of_request():
    """"GET /products/<sku>": the method and the rule that answered (empty for a 404)."""
    rule = request.url_rule.rule if request.url_rule is not None else request.path
    return f"{request.method} {rule}"


def note_template(sender, template, context, **extra):
    """Before each page or partial renders: remember its name and hand the page its labels."""
    name = template.name or ""
    if not name.startswith(("templates/", "partials/")) or name.startswith("templates/email/") or not explaining():
        return
    g.explain_templates = g.get("explain_templates", []) + [name]
    context["explain"] = {"route": route_of_request(), "view": view_name(request.endpoint), "template": name}


def init_app(app):
    """Listen for renders and label responses; both do nothing unless explain mode is on."""
    before_render_template.connect(note_template, app)

    @app.after_request
    def add_explain_headers(response):
        """X-Fernhouse-* headers naming the route, view and templates, and the switch's cookie."""
        if request.endpoint == "static" or not explaining():
            if current_app.config["SHOP_ENV"] == "development" and request.args.get("explain") == "0":
                response.delete_cookie(COOKIE)
            return response
        response.headers["X-Fernhouse-Route"] = route_of_request()
        response.headers["X-Fernhouse-View"] = view_name(request.endpoint)
        response.headers["X-Fernhouse-Template"] = ", ".join(dict.fromkeys(g.get("explain_templates", [])))
        if request.args.get("explain") == "1":
            response.set_cookie(COOKIE, "1", max_age=ONE_YEAR, samesite="Lax", httponly=True)
        return response


bp.before_request(development_only)  # the switch and the route map exist only in development


@bp.post("")
def switch():
    """The dev bar's switch (a plain form, so it works without JavaScript): turn explain mode on or off."""
    turn_on = request.form.get("on") == "1"
    back = urlsplit(safe_next(request.form.get("next")) or url_for("catalog.index"))
    query = urlencode([(key, value) for key, value in parse_qsl(back.query) if key != "explain"])
    response = redirect(back.path + ("?" + query if query else ""), code=303)
    if turn_on:
        response.set_cookie(COOKIE, "1", max_age=ONE_YEAR, samesite="Lax", httponly=True)
    else:
        response.delete_cookie(COOKIE)
    return response


@bp.get("/routes")
def routes():
    """The URL map for the overlay: each route's methods, rule, a pattern to match paths, view and partial."""
    partials = {endpoint: partial for endpoint, _method, _path, _fields, partial, _about in FRAGMENTS}
    answer = []
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        pattern = "^" + "".join("[^/]+" if part.startswith("<") else re.escape(part)
                                for part in re.split(r"(<[^>]+>)", rule.rule)) + "$"
        answer.append({"methods": sorted(rule.methods - {"HEAD", "OPTIONS"}), "rule": rule.rule,
                       "pattern": pattern, "endpoint": rule.endpoint, "view": view_name(rule.endpoint),
                       "partial": partials.get(rule.endpoint, "")})
    return jsonify(routes=answer)
