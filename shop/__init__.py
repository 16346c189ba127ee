"""Fernhouse: an online plant nursery. This module only builds the Flask app."""
import os

from flask import Flask
from jinja2 import FileSystemLoader, PrefixLoader

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(test_config=None):
    """Build the app: defaults and environment (shop/config.py), then a test's overrides."""
    from . import (
        assets,
        cli,
        db,
        devtools,
        errors,
        explain,
        health,
        htmx,
        money,
        monitoring,
        request_log,
        security,
        slides,
    )
    from .accounts import address_views, lifecycle_views
    from .accounts import views as accounts_views
    from .catalog import review_views
    from .catalog import views as catalog_views
    from .config import check_config, load_config
    from .orders import cart_views
    from .orders import views as orders_views
    from .pages import views as pages_views
    from .staff import message_views, order_views, people_views, product_views
    from .staff import views as staff_views
    from .staff.access import close_to_outsiders
    from .theme import finder, guides, jungle, workshops

    app = Flask(__name__, root_path=PROJECT_ROOT, static_folder="static", template_folder=None)
    app.config.update(load_config(PROJECT_ROOT, (test_config or {}).get("SHOP_ENV")))
    if test_config:
        app.config.update(test_config)
    check_config(app.config)
    if app.config["TRUSTED_PROXY_HOPS"]:
        # the address, scheme and host as the client sent them, from the headers our proxies add
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.debug = app.config["SHOP_ENV"] == "development" and app.debug

    # Pages and fragments through one loader, so every template name starts with its folder.
    app.jinja_loader = PrefixLoader({
        "templates": FileSystemLoader(os.path.join(PROJECT_ROOT, "templates")),
        "partials": FileSystemLoader(os.path.join(PROJECT_ROOT, "partials")),
    })
    app.jinja_env.globals["htmx_script"] = "vendor/htmx-2.0.11.min.js"
    # Drop the blank lines and indentation that block tags leave behind (smaller fragments).
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    request_log.init_app(app)  # first: its id and clock start before anything else can fail
    db.init_app(app)
    # before the CSRF check and the routing's 405: the back office is a 404 to outsiders whatever they send
    app.before_request(close_to_outsiders)
    security.init_app(app)
    assets.init_app(app)
    htmx.init_app(app)
    errors.init_app(app)
    money.init_app(app)
    cli.init_app(app)
    explain.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(monitoring.bp)
    app.register_blueprint(catalog_views.bp)
    app.register_blueprint(accounts_views.bp)
    app.register_blueprint(lifecycle_views.bp)
    app.register_blueprint(address_views.bp)
    app.register_blueprint(cart_views.bp)
    app.register_blueprint(orders_views.bp)
    app.register_blueprint(review_views.bp)
    for theme_page in (guides, finder, jungle, workshops):
        app.register_blueprint(theme_page.bp)
    app.register_blueprint(pages_views.bp)
    for staff_area in (staff_views, product_views, order_views, people_views, message_views):
        app.register_blueprint(staff_area.bp)
    app.register_blueprint(devtools.bp)
    app.register_blueprint(explain.bp)
    app.register_blueprint(slides.bp)
    return app
