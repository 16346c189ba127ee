"""Which in-stock plants fit the plant finder's answers, best rated first, and why each one fits."""
from ..models import Category, Product

ROOM_LIGHT = {"low": ["low"], "medium": ["low", "medium"], "bright": ["medium", "bright"], "direct": ["bright", "direct"]}
SKILL = {"beginner": ["easy"], "some": ["easy", "moderate"], "expert": ["easy", "moderate", "expert"]}
SPACE = {"small": ["small"], "medium": ["small", "medium"], "large": ["medium", "large"]}


def recommend(answers, skip=()):
    """In-stock plants that fit every answer (except those in `skip`), best rated first."""
    query = (Product.select(Product, Category).join(Category)
             .where(Product.stock > 0, Product.hidden == False,  # noqa: E712 (peewee builds SQL from ==)
                    Product.light.in_(ROOM_LIGHT[answers["light"]])))
    water = answers["water"]
    if water == "rarely":
        query = query.where(Product.water_every_days >= 10)
    elif water == "weekly":  # about once a week: not the fortnightly plants (they are "rarely")
        query = query.where(Product.water_every_days.between(5, 9))
    else:
        query = query.where(Product.water_every_days <= 7)
    if answers["pets"] == "yes":
        query = query.where(Product.pet_safe == True)  # noqa: E712 (peewee builds SQL from ==)
    if "experience" not in skip:
        query = query.where(Product.difficulty.in_(SKILL[answers["experience"]]))
    if "space" not in skip:
        query = query.where(Product.size.in_(SPACE[answers["space"]]))
    return list(query.order_by(Product.rating.desc(), Product.rating_count.desc(), Product.id.desc()).limit(12))


def reasons(product, answers):
    """Why a plant fits, in the person's own terms."""
    light = {"low": "copes with low light", "medium": "likes medium light", "bright": "loves bright light",
             "direct": "wants sun"}[product.light]
    days = product.water_every_days
    water = ("Water about once a week" if 5 <= days <= 9 else "Water every few days" if days < 5
             else "Water only every couple of weeks")
    why = [f"It {light}", f"{water} (every {days} days)"]
    if answers["pets"] == "yes":
        why.append("Safe for cats and dogs")
    why.append({"easy": "Easy to care for", "moderate": "Needs a little attention",
                "expert": "A rewarding challenge"}[product.difficulty])
    why.append({"small": "Small", "medium": "Medium-sized", "large": "Large"}[product.size])
    return why
