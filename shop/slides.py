"""/dev/slides (development only): docs/PRESENTATION.md as slides, one at a time.

The Markdown is rendered on the server by markdown-it-py in its CommonMark preset with raw HTML turned off
(any <tag> in the file is shown as text, and javascript: links are refused), plus tables. Slides are
separated by a line holding only `---` (outside code blocks). Each slide has its own URL, so the viewer is
links (previous, next) that work without JavaScript; static/js/slides.js adds the arrow keys.

A slide shows few words in large type; a line holding only `Notes:` starts its speaker notes (the names of
the functions, the figures, what to say), shown below the slide only in the notes view, `?notes=1`.
"""
import functools
import os

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from markdown_it import MarkdownIt
from markupsafe import Markup

from .devtools import development_only

bp = Blueprint("slides", __name__, url_prefix="/dev/slides")
bp.before_request(development_only)

markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


def split_slides(text):
    """The Markdown of each slide: the text cut at lines that are exactly `---`, except inside ``` blocks."""
    slides, current, in_code = [], [], False
    for line in text.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        if line.strip() == "---" and not in_code:
            slides.append("\n".join(current))
            current = []
        else:
            current.append(line)
    slides.append("\n".join(current))
    return [slide.strip() for slide in slides if slide.strip()]


def split_notes(slide):
    """(what the slide shows, its speaker notes): the Markdown before and after a line `Notes:`."""
    shown, _, notes = slide.partition("\nNotes:\n")
    return shown.strip(), notes.strip()


@functools.lru_cache(maxsize=4)
def rendered(path, modified):
    """Every slide as (HTML shown, HTML of its notes), rendered again only when the file changes
    (`modified` is its mtime)."""
    with open(path, encoding="utf-8") as file:
        return [tuple(Markup(markdown.render(part)) for part in split_notes(slide))
                for slide in split_slides(file.read())]


def slides():
    """The presentation's slides as (HTML shown, HTML of the notes)."""
    path = os.path.join(current_app.config["PROJECT_ROOT"], "docs", "PRESENTATION.md")
    return rendered(path, os.stat(path).st_mtime_ns)


@bp.get("")
def first():
    """The first slide."""
    return redirect(url_for("slides.show", number=1))


@bp.get("/<int(min=1, max=999):number>")
def show(number):
    """One slide, with links to the previous and the next one; its speaker notes too with ?notes=1."""
    every = slides()
    if number > len(every):
        abort(404)
    slide, notes = every[number - 1]
    with_notes = request.args.get("notes") == "1"
    return render_template("templates/devtools/slides.html", slide=slide, notes=notes if with_notes else None,
                           number=number, total=len(every), link_args={"notes": 1} if with_notes else {})
