"""Loading the hand-written seed catalogue, and generating many products for benchmarks."""
import random
import tomllib
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from peewee import fn

from .db import database, is_mysql
from .models import Category, Guide, Product, Workshop, utcnow

CATALOGUE_FILE = Path(__file__).parent / "data" / "catalogue.toml"
GUIDES_FILE = Path(__file__).parent / "data" / "guides.toml"
WORKSHOPS_FILE = Path(__file__).parent / "data" / "workshops.toml"
GUIDE_SECTIONS = [("light", "Light"), ("water", "Watering"), ("humidity", "Humidity"), ("soil", "Soil"),
                  ("repotting", "Repotting"), ("problems", "Common problems"), ("pets", "Pet safety")]
FIRST_SKU = 10001


def load_catalogue(path=CATALOGUE_FILE):
    """Read a TOML data file (the catalogue by default): a dict of lists."""
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def guide_body(entry):
    """A guide's sections as text: '## Light' headings, each followed by its paragraph."""
    return "\n\n".join(f"## {title}\n{entry[key]}" for key, title in GUIDE_SECTIONS)


def seed_guides():
    """Create the care guides that do not exist yet, and link products to them by genus."""
    guides = load_catalogue(GUIDES_FILE)["guide"]
    for entry in guides:
        guide, _ = Guide.get_or_create(slug=entry["slug"], defaults={
            "title": entry["title"], "family": entry["family"], "summary": entry["summary"],
            "body": guide_body(entry)})
        for genus in entry["genera"]:
            (Product.update(guide=guide)
             .where(Product.guide.is_null(), Product.latin_name.startswith(genus + " ")).execute())


def guide_ids_by_genus():
    """{genus: guide id} for linking generated products without one UPDATE per genus."""
    ids = {guide.slug: guide.id for guide in Guide.select()}
    return {genus: ids[entry["slug"]] for entry in load_catalogue(GUIDES_FILE)["guide"]
            for genus in entry["genera"] if entry["slug"] in ids}


def seed_workshops(today=None):
    """Create the workshops that do not exist yet, dated from today."""
    today = today or date.today()
    for entry in load_catalogue(WORKSHOPS_FILE)["workshop"]:
        starts = datetime.combine(today + timedelta(days=entry["in_days"]), time(entry["hour"], 0))
        Workshop.get_or_create(slug=entry["slug"], defaults={
            "title": entry["title"], "description": entry["description"], "starts_at": starts,
            "duration_minutes": entry["duration_minutes"], "price_cents": dollars_to_cents(entry["price"]),
            "seats_total": entry["seats"], "seats_left": entry["seats"], "host": entry["host"]})


def dollars_to_cents(dollars):
    """Turn a price written in dollars into integer cents without float rounding surprises."""
    return int((Decimal(str(dollars)) * 100).to_integral_value())


def seed_categories(catalogue):
    """Create the catalogue's categories that do not exist yet; return them by slug."""
    for position, entry in enumerate(catalogue["category"]):
        Category.get_or_create(
            slug=entry["slug"],
            defaults={"name": entry["name"], "description": entry["description"], "position": position,
                      "holds_plants": entry.get("plants", True)},
        )
    return {category.slug: category for category in Category.select()}


def product_row(entry, sku, category):
    """The column values of one seed product."""
    return {
        "sku": sku,
        "name": entry["name"],
        "latin_name": entry.get("latin", ""),
        "category": category.id,
        "price_cents": dollars_to_cents(entry["price"]),
        "rating": Decimal(str(entry["rating"])),
        "rating_count": entry["reviews"],
        "stock": entry["stock"],
        "light": entry.get("light"),
        "pet_safe": entry.get("pet_safe"),
        "difficulty": entry.get("difficulty"),
        "size": entry.get("size"),
        "water_every_days": entry.get("water"),
        "description": entry["description"],
        "care_summary": entry["care"],
        "keywords": entry.get("tags", "").strip()[:255],
        "created_at": utcnow(),
    }


def seed_catalogue(catalogue=None):
    """Load the hand-written catalogue; products already present (same SKU) are left alone.

    SKUs follow the file's order (FH-10001, FH-10002...), so they are stable across machines.
    Returns the number of products added.
    """
    catalogue = catalogue or load_catalogue()
    with database.atomic():
        categories = seed_categories(catalogue)
        existing = {sku for (sku,) in Product.select(Product.sku).tuples()}
        rows = []
        for offset, entry in enumerate(catalogue["product"]):
            sku = f"FH-{FIRST_SKU + offset}"
            if sku not in existing:
                rows.append(product_row(entry, sku, categories[entry["category"]]))
        for start in range(0, len(rows), 500):
            Product.insert_many(rows[start:start + 500]).execute()
        seed_guides()
        seed_workshops()
    return len(rows)


# Word lists for generated products: real genera and cultivar-style names, so that searches
# over 100,000 generated products behave like searches over a real catalogue.
GENERA = [
    ("Monstera", "tropicals"), ("Philodendron", "tropicals"), ("Alocasia", "tropicals"), ("Anthurium", "tropicals"),
    ("Calathea", "tropicals"), ("Ficus", "trees-shrubs"), ("Dracaena", "tropicals"), ("Aglaonema", "tropicals"),
    ("Epipremnum", "trailing"), ("Hoya", "trailing"), ("Scindapsus", "trailing"), ("Peperomia", "trailing"),
    ("Echeveria", "succulents-cacti"), ("Haworthia", "succulents-cacti"), ("Crassula", "succulents-cacti"),
    ("Mammillaria", "succulents-cacti"), ("Opuntia", "succulents-cacti"), ("Aloe", "succulents-cacti"),
    ("Nephrolepis", "ferns"), ("Asplenium", "ferns"), ("Adiantum", "ferns"), ("Pteris", "ferns"),
    ("Chamaedorea", "palms"), ("Howea", "palms"), ("Rhapis", "palms"), ("Livistona", "palms"),
    ("Phalaenopsis", "flowering"), ("Begonia", "flowering"), ("Spathiphyllum", "flowering"), ("Kalanchoe", "flowering"),
    ("Ocimum", "herbs"), ("Thymus", "herbs"), ("Mentha", "herbs"), ("Salvia", "herbs"), ("Lavandula", "herbs"),
    ("Olea", "trees-shrubs"), ("Citrus", "trees-shrubs"), ("Acer", "trees-shrubs"), ("Camellia", "trees-shrubs"),
]
EPITHETS = ["variegata", "aurea", "minor", "gigantea", "rubra", "argentea", "compacta", "elegans", "nana",
            "splendens", "marmorata", "pendula", "crispa", "lutea", "nobilis", "velutina", "tricolor", "alba"]
CULTIVARS = ["Emerald", "Silver Queen", "Pink Princess", "Jade Star", "Moonlight", "Red Velvet", "Golden Dragon",
             "Snow White", "Black Velvet", "Green Wave", "Thai Constellation", "Albo", "Marble King", "Lemon Lime",
             "Brasil", "Neon", "Midnight", "Ruby", "Sunrise", "Frosty", "Kilimanjaro", "Verona", "Paloma", "Cobalt"]
SUPPLY_NAMES = {
    "pots-planters": ["Terracotta Pot", "Glazed Pot", "Self-Watering Planter", "Stone Bowl", "Hanging Pot"],
    "tools": ["Watering Can", "Trowel", "Pruning Snips", "Mister", "Root Rake"],
    "soil-care": ["Houseplant Compost", "Orchid Bark", "Grit Mix", "Liquid Feed", "Worm Castings"],
}
LIGHTS = ["low", "medium", "bright", "direct"]
DIFFICULTIES = ["easy", "moderate", "expert"]
SIZES = ["small", "medium", "large"]


def _generated_plant(rng, category):
    """Name, latin name, tags and texts of one generated plant."""
    genus, _ = rng.choice([g for g in GENERA if g[1] == category.slug] or GENERA)
    epithet, cultivar = rng.choice(EPITHETS), rng.choice(CULTIVARS)
    light, difficulty = rng.choice(LIGHTS), rng.choice(DIFFICULTIES)
    name = f"{genus} '{cultivar}'"
    description = (f"A {difficulty} {category.name.lower()} selection of {genus} {epithet}, "
                   f"grown in our glasshouses and happiest in {light} light.")
    care = f"Give it {light} light and water when the top of the compost is dry."
    return name, f"{genus} {epithet} '{cultivar}'", f"{genus.lower()} {epithet}", description, care, light, difficulty


def next_sku_number():
    """The number after the highest SKU in use (SKUs are FH- and digits, so longer is higher)."""
    last = (Product.select(Product.sku)
            .order_by(fn.LENGTH(Product.sku).desc(), Product.sku.desc()).limit(1).scalar())
    return int(last.split("-")[1]) + 1 if last else FIRST_SKU


def generate_products(count, seed=42, batch_size=2000):
    """Insert `count` generated products in batches, after the highest existing SKU; return the count."""
    rng = random.Random(seed)
    with database.atomic():
        categories = list(seed_categories(load_catalogue()).values())
    next_number = next_sku_number()
    guides = guide_ids_by_genus()
    now = utcnow()
    made = 0
    while made < count:
        rows = []
        for _ in range(min(batch_size, count - made)):
            category = rng.choice(categories)
            if category.slug in SUPPLY_NAMES:
                base = rng.choice(SUPPLY_NAMES[category.slug])
                name = f"{base} {rng.choice(CULTIVARS)}"
                latin, tags, light, difficulty = "", base.lower(), None, None
                description = f"{name}: a {base.lower()} chosen and used by our own growers."
                care = "Keep clean and dry when not in use."
            else:
                name, latin, tags, description, care, light, difficulty = _generated_plant(rng, category)
            guide_id = guides.get(latin.split(" ", 1)[0]) if latin else None
            rows.append({
                "sku": f"FH-{next_number + made + len(rows)}",
                "name": name, "latin_name": latin, "category": category.id, "guide": guide_id,
                "price_cents": rng.randrange(300, 15000, 50),
                "rating": Decimal(rng.randint(25, 50)) / 10, "rating_count": rng.randint(0, 400),
                "stock": 0 if rng.random() < 0.08 else rng.randint(1, 120),
                "light": light, "pet_safe": None if light is None else rng.random() < 0.5,
                "difficulty": difficulty, "size": None if light is None else rng.choice(SIZES),
                "water_every_days": None if light is None else rng.choice([3, 5, 7, 10, 14, 21]),
                "description": description, "care_summary": care,
                "keywords": tags[:255], "created_at": now,
            })
        with database.atomic():
            Product.insert_many(rows).execute()
        made += len(rows)
    if is_mysql():
        # InnoDB's row estimates lag behind a bulk insert; stale ones send the planner astray.
        database.execute_sql("ANALYZE TABLE products")
    return made
