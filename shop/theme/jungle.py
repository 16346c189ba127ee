"""My Jungle: the plants a customer bought, when each was watered, and when it is due again."""
from datetime import date, timedelta

from flask import Blueprint, abort, g, render_template, url_for

from ..db import transaction_with_retry
from ..htmx import login_required, respond
from ..models import JunglePlant, OrderItem, Product

bp = Blueprint("jungle", __name__)

CALENDAR_DAYS = 14


def watering_status(plant, today):
    """Last watered, next due, days until due (negative when overdue) for one plant."""
    last = plant.last_watered_on or plant.acquired_on
    due = last + timedelta(days=plant.product.water_every_days or 7)
    return {"plant": plant, "last": last, "due": due, "days": (due - today).days,
            "watered_today": plant.last_watered_on == today}


def jungle_context(user, today=None):
    """The customer's plants (overdue first) and the calendar of the coming two weeks."""
    today = today or date.today()
    plants = list(JunglePlant.select(JunglePlant, Product, OrderItem)
                  .join(Product).switch(JunglePlant).join(OrderItem)
                  .where(JunglePlant.user == user).order_by(JunglePlant.id))
    rows = sorted((watering_status(plant, today) for plant in plants), key=lambda row: (row["due"], row["plant"].id))
    calendar = []
    for offset in range(CALENDAR_DAYS):
        day = today + timedelta(days=offset)
        due = [row for row in rows if row["due"] == day or (offset == 0 and row["due"] < today)]
        calendar.append({"date": day, "today": offset == 0, "due": due})
    return {"rows": rows, "calendar": calendar, "today": today,
            "overdue": sum(1 for row in rows if row["days"] < 0)}


@bp.get("/jungle")
@login_required
def index():
    """My Jungle: every plant bought, its watering rhythm, and a two-week calendar."""
    return render_template("templates/jungle/index.html", **jungle_context(g.user))


@bp.post("/jungle/<int(max=2147483647):plant_id>/water")  # an INT column: larger ids are a 404
@login_required
def water(plant_id):
    """Mark a plant watered today; htmx gets the refreshed jungle, a plain form goes back to the page."""
    plant = JunglePlant.get_or_none(JunglePlant.id == plant_id, JunglePlant.user == g.user)
    if plant is None:
        abort(404)
    today = date.today()
    transaction_with_retry(
        lambda: JunglePlant.update(last_watered_on=today).where(JunglePlant.id == plant.id).execute())
    return respond(lambda: render_template("partials/jungle/jungle.html", **jungle_context(g.user)),
                   url_for("jungle.index"))
