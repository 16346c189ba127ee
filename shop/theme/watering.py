"""My Jungle as data: a customer's plants with their watering rhythm and calendar, and watering one."""
from datetime import date, timedelta

from ..db import transaction_with_retry
from ..models import JunglePlant, OrderItem, Product

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


def jungle_plant_of(user_id, plant_id):
    """The customer's plant with this id, or None when there is none or it is someone else's."""
    return JunglePlant.get_or_none(JunglePlant.id == plant_id, JunglePlant.user == user_id)


def water_plant(plant):
    """Mark a plant watered today."""
    today = date.today()
    transaction_with_retry(
        lambda: JunglePlant.update(last_watered_on=today).where(JunglePlant.id == plant.id).execute())
