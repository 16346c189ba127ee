"""The shape of the code: one-way imports, thin views, small modules (docs/ARCHITECTURE.md)."""
import ast
from pathlib import Path

SHOP = Path(__file__).parent.parent / "shop"
MAX_LINES = 250


def module_name(path):
    """shop/orders/cart.py -> shop.orders.cart; shop/models/__init__.py -> shop.models."""
    parts = path.relative_to(SHOP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules():
    """{module name: path} for every Python file of the shop (migrations by number left out)."""
    return {module_name(path): path for path in SHOP.rglob("*.py") if not path.name[:1].isdigit()}


def imports_of(name, path, known):
    """The shop modules a module imports, wherever in the file (function-level imports count too)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:  # `from . import cli` imports the module shop.cli
                if f"{target}.{alias.name}" in known:
                    found.add(f"{target}.{alias.name}")
            if target in known and node.module:  # `from .. import x` imports x, not the package
                found.add(target)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in known}
    found.discard(name)
    return found


def is_view(name):
    """A module of routes: one that makes a Blueprint (views.py, cart_views.py, the theme pages...)."""
    path = modules().get(name)
    return path is not None and "Blueprint(" in path.read_text()


def import_graph():
    """{module: set of shop modules it imports}."""
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def find_cycle(graph):
    """One import cycle as a list of modules, or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for child in sorted(graph.get(node, ())):
            if state.get(child) == "open":
                return stack[stack.index(child):] + [child]
            if child not in state:
                cycle = visit(child)
                if cycle:
                    return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_the_import_graph_is_built_from_the_real_files():
    graph = import_graph()
    assert "shop.orders.checkout" in graph["shop.orders.cart_views"]
    assert "shop.orders.ledger" in graph["shop.orders.checkout"]
    assert "shop.db" in graph["shop.models.base"]
    assert len(graph) > 40


def test_there_is_no_import_cycle():
    assert find_cycle(import_graph()) is None


def test_the_cycle_finder_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_domain_module_imports_a_view_module():
    """Arrows run one way: views call the domain, never the other way round."""
    graph = import_graph()
    views = {name for name in graph if is_view(name)}
    core = {"shop", "shop.cli"}  # the app factory and the commands wire everything together
    wrong = {name: sorted(graph[name] & views) for name in graph
             if name not in views | core and graph[name] & views}
    assert wrong == {}


def test_no_view_module_talks_sql():
    """Views choose the response; queries live in the domain modules (no peewee in a view module)."""
    offenders = [name for name, path in modules().items() if is_view(name)
                 and any(isinstance(node, (ast.Import, ast.ImportFrom))
                         and "peewee" in ((getattr(node, "module", None) or "")
                                          + " ".join(alias.name for alias in node.names))
                         for node in ast.walk(ast.parse(path.read_text())))]
    assert offenders == []


def test_view_modules_are_found():
    views = {name for name in modules() if is_view(name)}
    assert {"shop.orders.cart_views", "shop.catalog.views", "shop.theme.guides"} <= views
    assert "shop.catalog.reviews" not in views and "shop.orders.checkout" not in views


def test_no_module_is_over_250_lines():
    long = {name: count for name, path in modules().items()
            if (count := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def header_strings(path):
    """The string constants of a module that name an htmx header (HX-...), docstrings left out."""
    tree = ast.parse(path.read_text())
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                  and node.body and isinstance(node.body[0], ast.Expr)}
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and "HX-" in node.value and id(node) not in docstrings]


def test_only_the_htmx_module_names_htmx_headers():
    """shop/htmx.py is the whole htmx boundary: a view reads hx_target(), an error sets retarget(), never
    request.headers["HX-..."] or response.headers["HX-..."] by hand."""
    assert "HX-Retarget" in header_strings(SHOP / "htmx.py")  # the check sees header names in code
    outside = {name: found for name, path in modules().items()
               if name != "shop.htmx" and (found := header_strings(path))}
    assert outside == {}


QUERY_METHODS = {"select", "get", "get_or_none", "get_by_id", "create", "update", "delete", "insert", "insert_many",
                 "delete_by_id", "get_or_create", "replace", "raw"}
# View modules that still query models themselves (issue 27), with how many calls: none left. Keep it so:
# a view's query goes into a named domain function (as accounts.sessions.user_by_id() took the three
# `User.get_by_id` of the views); never add a module here.
QUERIES_LEFT_IN_VIEWS = {}


def model_queries(path):
    """The calls like `Order.select(...)` or `User.get_by_id(...)` in a module: a model class of shop.models
    asked for rows directly."""
    import peewee

    import shop.models

    models = {name for name, value in vars(shop.models).items()
              if isinstance(value, type) and issubclass(value, peewee.Model)}
    return [f"{node.func.value.id}.{node.func.attr}" for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id in models
            and node.func.attr in QUERY_METHODS]


def test_views_leave_queries_to_the_domain():
    """A module that defines a Blueprint reads the request and answers; the rows come from domain functions.
    The modules not there yet are listed with their count, and may only get better."""
    assert "User.get_by_id" in model_queries(SHOP / "accounts" / "sessions.py")  # the check sees a query
    found = {name: len(calls) for name, path in modules().items() if is_view(name) and (calls := model_queries(path))}
    worse = {name: count for name, count in found.items() if count > QUERIES_LEFT_IN_VIEWS.get(name, 0)}
    assert worse == {}, "a view queries a model: call a domain function instead"
    assert found == QUERIES_LEFT_IN_VIEWS, "fewer queries left in views: lower QUERIES_LEFT_IN_VIEWS to match"
