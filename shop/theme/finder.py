"""The plant finder: five questions, one at a time, then in-stock plants that fit every answer."""
from flask import Blueprint, make_response, request, url_for

from ..htmx import render_page_or_fragment, set_push_url
from .fitting_plants import reasons, recommend

bp = Blueprint("finder", __name__)

QUESTIONS = [
    ("light", "How much light does the spot get?", [
        ("low", "Low", "A north window or the back of a room"),
        ("medium", "Medium", "Bright, but no direct sun"),
        ("bright", "Bright", "Near an east or west window"),
        ("direct", "Sunny", "Hours of direct sun")]),
    ("water", "How often do you remember to water?", [
        ("rarely", "Rarely", "Every few weeks, if I am honest"),
        ("weekly", "Weekly", "About once a week"),
        ("often", "Often", "Every few days: I love watering")]),
    ("pets", "Do pets or small children share the room?", [
        ("yes", "Yes", "Only plants that are safe if nibbled"),
        ("no", "No", "Anything goes")]),
    ("experience", "How much have you grown before?", [
        ("beginner", "Beginner", "I would like something forgiving"),
        ("some", "Some", "I have kept a few plants alive"),
        ("expert", "Expert", "Bring on the divas")]),
    ("space", "How much space is there?", [
        ("small", "A shelf or sill", "Up to about 30 cm"),
        ("medium", "A table or a corner", "Up to about 80 cm"),
        ("large", "Room for a statement", "A floor-standing plant")]),
]
RELAXABLE = ["space", "experience"]  # dropped, in this order, when nothing fits every answer


def read_answers(args):
    """The valid answers in the query string, in question order (anything else is ignored)."""
    answers = {}
    for key, _, options in QUESTIONS:
        value = args.get(key)
        if value not in {option[0] for option in options}:
            break  # a question is answered only after the ones before it
        answers[key] = value
    return answers


def finder_url(answers):
    """The finder's URL for a set of answers (one URL per step)."""
    return url_for("finder.index", **answers)


def finder_context(answers):
    """The step to show: the next question, or the recommendations with their reasons."""
    step = len(answers)
    context = {"answers": answers, "questions": QUESTIONS, "step": step, "total": len(QUESTIONS),
               "back_url": finder_url(dict(list(answers.items())[:-1])) if answers else None}
    if step < len(QUESTIONS):
        key, text, options = QUESTIONS[step]
        context["question"] = {"key": key, "text": text,
                               "options": [(value, label, hint, finder_url({**answers, key: value}))
                                           for value, label, hint in options]}
        return context
    relaxed, plants = [], recommend(answers)
    for key in RELAXABLE:
        if plants:
            break
        relaxed.append(key)
        plants = recommend(answers, skip=relaxed)
    context.update(plants=[(plant, reasons(plant, answers)) for plant in plants], relaxed=relaxed)
    return context


@bp.get("/finder")
def index():
    """The finder: one question at a time (a URL per step), then plants that fit."""
    answers = read_answers(request.args)
    response = make_response(render_page_or_fragment("templates/finder/index.html", "partials/finder/step.html",
                                                     **finder_context(answers)))
    return set_push_url(response, finder_url(answers))
