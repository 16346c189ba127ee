"""My Jungle: the plants a customer bought, when each was watered, and when it is due again."""
from flask import Blueprint, abort, g, render_template, url_for

from ..htmx import login_required, respond
from .watering import jungle_context, jungle_plant_of, water_plant

bp = Blueprint("jungle", __name__)


@bp.get("/jungle")
@login_required
def index():
    """My Jungle: every plant bought, its watering rhythm, and a two-week calendar."""
    return render_template("templates/jungle/index.html", **jungle_context(g.user))


@bp.post("/jungle/<int(max=2147483647):plant_id>/water")  # an INT column: larger ids are a 404
@login_required
def water(plant_id):
    """Mark a plant watered today; htmx gets the refreshed jungle, a plain form goes back to the page."""
    plant = jungle_plant_of(g.user.id, plant_id)
    if plant is None:
        abort(404)
    water_plant(plant)
    return respond(lambda: render_template("partials/jungle/jungle.html", **jungle_context(g.user)),
                   url_for("jungle.index"))
