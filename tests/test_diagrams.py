"""Every Mermaid diagram in docs/ renders: Mermaid itself (vendored from npm) parses and draws each one
in Chromium, so a diagram GitHub or a slide viewer would show as an error fails the suite."""
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

DOCS = Path(__file__).parent.parent / "docs"
MERMAID = next((Path(__file__).parent / "vendor").glob("mermaid-*.min.js"))


def diagrams():
    """(file, number, source) of every ```mermaid block in docs/*.md."""
    found = []
    for doc in sorted(DOCS.glob("*.md")):
        for number, block in enumerate(re.findall(r"```mermaid\n(.*?)```", doc.read_text(), re.S), 1):
            found.append((doc.name, number, block))
    return found


def test_the_docs_have_diagrams():
    assert len(diagrams()) >= 8


def test_every_diagram_renders(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(path=str(MERMAID))
    page.evaluate("mermaid.initialize({startOnLoad: false, securityLevel: 'strict'})")
    failures = []
    for name, number, source in diagrams():
        outcome = page.evaluate("""async ([id, source]) => {
            try { const { svg } = await mermaid.render(id, source); return svg.includes('<svg') ? 'ok' : 'no svg'; }
            catch (error) { return String(error.message || error).split('\\n')[0]; }
        }""", [f"d{len(failures)}{number}{abs(hash(name)) % 1000}", source])
        if outcome != "ok":
            failures.append(f"{name} diagram {number}: {outcome}")
    context.close()
    assert failures == [], "\n".join(failures)
