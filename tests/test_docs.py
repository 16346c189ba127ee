"""The docs stay true: every route is in ENDPOINTS.md, and every function the walkthrough names exists."""
import importlib
import re
from pathlib import Path

from shop import create_app

from .conftest import TEST_SECRET

DOCS = Path(__file__).parent.parent / "docs"


def flask_routes():
    """{(method, rule as written in the docs): endpoint} from the app's URL map."""
    app = create_app({"SHOP_ENV": "testing", "SECRET_KEY": TEST_SECRET, "DATABASE_URL": "sqlite:///:memory:"})
    routes = {}
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes[(method, path)] = rule.endpoint
    return routes


def documented_routes():
    """{(method, path): endpoint} from the table in docs/ENDPOINTS.md."""
    routes = {}
    for line in (DOCS / "ENDPOINTS.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[1].startswith("`/"):
            for method in cells[0].split(","):
                routes[(method.strip(), cells[1].strip("`"))] = cells[2].strip("`")
    return routes


def test_endpoints_md_matches_the_url_map():
    assert documented_routes() == flask_routes()


def test_every_function_the_docs_name_exists():
    names = set()
    for doc in ("WALKTHROUGH.md", "ARCHITECTURE.md", "SEARCH.md", "EMAIL.md"):
        text = (DOCS / doc).read_text()
        names |= set(re.findall(r"`(?:shop/)?(\w+)\.py: (\w+)\(\)`", text))
        names |= set(re.findall(r"`(\w+)\.(\w+)\(\)`", text))
    assert len(names) > 40
    missing = []
    for module, function in sorted(names):
        if module in {"db", "htmx", "mail", "search", "seeding", "validation", "accounts", "auth", "cart", "orders",
                      "catalog", "security", "pictures", "reviews", "guides", "finder", "jungle", "workshops",
                      "errors", "devtools", "cli", "money", "config", "models"}:
            if not hasattr(importlib.import_module(f"shop.{module}"), function):
                missing.append(f"{module}.{function}")
    assert missing == []


def test_every_template_and_partial_the_docs_name_exists():
    root = DOCS.parent
    text = " ".join((DOCS / doc).read_text() for doc in ("WALKTHROUGH.md", "SEARCH.md", "ENDPOINTS.md", "EMAIL.md"))
    paths = set(re.findall(r"`((?:templates|partials|static)/[\w/.-]+\.(?:html|js|css))`", text))
    assert len(paths) > 15
    assert [path for path in sorted(paths) if not (root / path).exists()] == []
