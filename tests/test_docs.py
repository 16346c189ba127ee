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
        path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"<\1>", rule.rule)
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


def shop_modules():
    """The names of shop's modules and packages, as the docs write them: {"db", "orders", "orders.cart", ...}."""
    import pkgutil

    import shop

    return {info.name[len("shop."):] for info in pkgutil.walk_packages(shop.__path__, "shop.")
            if not info.name.rsplit(".", 1)[-1][:1].isdigit()}


def test_every_function_the_docs_name_exists():
    modules = shop_modules()
    names = set()
    for doc in ("WALKTHROUGH.md", "ARCHITECTURE.md", "SEARCH.md", "EMAIL.md", "SCALING.md", "SECURITY.md"):
        text = (DOCS / doc).read_text()
        names |= {(path.replace("/", "."), function)
                  for path, function in re.findall(r"`shop/([\w/]+)\.py: (\w+)\(\)`", text)}
        names |= set(re.findall(r"`((?:\w+\.)*\w+)\.(\w+)\(\)`", text))
    assert len(names) > 40
    missing = []
    for module, function in sorted(names):
        if module.split(".")[0] in {name.split(".")[0] for name in modules} and not resolves(module, function, modules):
            missing.append(f"{module}.{function}")
    assert missing == []


def resolves(dotted, function, modules):
    """True when shop.<dotted>.<function> exists: a module's function, or a class's method."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        if ".".join(parts[:cut]) in modules:
            target = importlib.import_module("shop." + ".".join(parts[:cut]))
            for attribute in parts[cut:] + [function]:
                if not hasattr(target, attribute):
                    return False
                target = getattr(target, attribute)
            return True
    return False


def test_every_template_and_partial_the_docs_name_exists():
    root = DOCS.parent
    text = " ".join((DOCS / doc).read_text() for doc in ("WALKTHROUGH.md", "SEARCH.md", "ENDPOINTS.md", "EMAIL.md"))
    paths = set(re.findall(r"`((?:templates|partials|static)/[\w/.-]+\.(?:html|js|css))`", text))
    assert len(paths) > 15
    assert [path for path in sorted(paths) if not (root / path).exists()] == []


def test_every_test_the_docs_cite_exists():
    root = DOCS.parent
    cited = set()
    for doc in DOCS.glob("*.md"):
        cited |= set(re.findall(r"tests/(\w+\.py)::(\w+)", doc.read_text()))
        # "`tests/x.py::a`, `b`, `c`" cites a, b and c in the same file
        for match in re.finditer(r"`tests/(\w+\.py)::\w+`((?:,\s*`\w+`)+)", doc.read_text()):
            cited |= {(match.group(1), name) for name in re.findall(r"`(\w+)`", match.group(2))}
    assert len(cited) > 20
    missing = [f"{file}::{name}" for file, name in sorted(cited)
               if f"def {name}(" not in (root / "tests" / file).read_text()]
    assert missing == []


def test_the_fragment_explorer_lists_every_fragment_endpoint(app, client):
    from shop.devtools import FRAGMENTS

    documented = {row.split("|")[3].strip().strip("`") for row in (DOCS / "ENDPOINTS.md").read_text().splitlines()
                  if row.startswith("|") and "fragment `partials/" in row}
    listed = {endpoint for endpoint, *_ in FRAGMENTS}
    assert documented - {"catalog.index"} <= listed
    assert client.get("/dev/fragments").status_code == 404  # not in development
    app.config["SHOP_ENV"] = "development"
    html = client.get("/dev/fragments").get_data(as_text=True)
    for _endpoint, method, path, _fields, partial, _about in FRAGMENTS:
        assert f'{"hx-get" if method == "GET" else "hx-post"}="{path}"' in html and partial in html
        assert (Path(__file__).parent.parent / partial).exists()


def test_the_javascript_inventory_is_true():
    """The walkthrough's table of our own scripts names every file in static/js with its line count."""
    root = DOCS.parent
    text = (DOCS / "WALKTHROUGH.md").read_text()
    listed = dict(re.findall(r"\| `(static/js/[\w.]+\.js)` \| (\d+) \|", text))
    actual = {f"static/js/{path.name}": str(len(path.read_text().splitlines()))
              for path in (root / "static" / "js").glob("*.js")}
    assert listed == actual
