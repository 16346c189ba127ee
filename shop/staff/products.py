"""The catalogue in the back office: find products, edit a price, stock or name in place, restock
several at once, add a product, hide or show one. Every change audited; the shop sees it at once."""
from decimal import Decimal, InvalidOperation

from peewee import IntegrityError

from ..catalog.search import search
from ..db import current_read, transaction_with_retry
from ..models import Category, Product, utcnow
from ..seeding import next_sku_number
from .access import StaffRefused, audit

MAX_PRICE_CENTS = 100_000_00
MAX_STOCK = 1_000_000
EDITABLE = ("name", "price", "stock")


LOW_STOCK = 5


def product_by_id(product_id):
    """One product by id, hidden or not, or None."""
    return Product.get_or_none(Product.id == product_id)


def find_products(text="", visibility="all", low_stock=False, limit=50):
    """Products for the staff table: the catalogue's own search, hidden ones included unless asked,
    or only those low on stock (the dashboard's link), fewest first."""
    query = Product.select(Product, Category).join(Category)
    if low_stock:
        query = query.where(Product.stock <= LOW_STOCK, Product.hidden == False)  # noqa: E712
    if visibility == "hidden":
        query = query.where(Product.hidden == True)  # noqa: E712
    elif visibility == "shown":
        query = query.where(Product.hidden == False)  # noqa: E712
    query, order = search(query, text, list(Category.select()))  # a shelf word finds its shelf
    default = [Product.stock.asc(), Product.id.desc()] if low_stock else [Product.id.desc()]
    return list(query.order_by(*(order or default)).limit(limit))


def parse_value(field, raw):
    """A typed value for one editable field, or StaffRefused with what is wrong."""
    text = (raw or "").strip()
    if field == "name":
        if not 2 <= len(text) <= 150:
            raise StaffRefused("A name has 2 to 150 characters.")
        return text
    if field == "price":
        try:
            dollars = Decimal(text.lstrip("$").replace(",", ""))
        except InvalidOperation:
            raise StaffRefused("Enter the price in dollars, like 24 or 24.50.") from None
        if (not dollars.is_finite() or dollars < 0 or dollars > MAX_PRICE_CENTS // 100
                or dollars != dollars.quantize(Decimal("0.01"))):
            raise StaffRefused(f"A price is from $0 to ${MAX_PRICE_CENTS // 100:,}, in whole cents.")
        return int(dollars * 100)
    if field == "stock":
        if not text.isascii() or not text.isdigit() or int(text) > MAX_STOCK:
            raise StaffRefused(f"Stock is a whole number from 0 to {MAX_STOCK:,}.")
        return int(text)
    raise StaffRefused("That cannot be edited here.")


COLUMNS = {"name": Product.name, "price": Product.price_cents, "stock": Product.stock}


def update_field(staff_id, product_id, field, raw):
    """Set one field of a product (the click-to-edit cell); returns the product as it is now."""
    value = parse_value(field, raw)
    column = COLUMNS[field]

    def apply():
        product = current_read(Product.select().where(Product.id == product_id)).get()
        before = getattr(product, column.name)
        Product.update({column: value}).where(Product.id == product_id).execute()
        audit(staff_id, f"product.{field}", "product", product.sku, {column.name: before}, {column.name: value})

    transaction_with_retry(apply)
    return Product.get_by_id(product_id)


def restock(staff_id, product_ids, amount_text):
    """Add the same number to the stock of every selected product; returns how many changed."""
    text = (amount_text or "").strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 10_000:
        raise StaffRefused("Restock by a whole number from 1 to 10,000.")
    if not product_ids:
        raise StaffRefused("Tick the products to restock first.")
    amount = int(text)

    def apply():
        products = list(current_read(Product.select().where(Product.id.in_(product_ids)).order_by(Product.id)))
        for product in products:
            if product.stock + amount > MAX_STOCK:
                raise StaffRefused(f"{product.name} would have {product.stock + amount:,}: stock is at most "
                                   f"{MAX_STOCK:,}. Nothing was restocked.")
        for product in products:
            Product.update(stock=Product.stock + amount).where(Product.id == product.id).execute()
            audit(staff_id, "product.restock", "product", product.sku, {"stock": product.stock},
                  {"stock": product.stock + amount})
        return len(products)

    return transaction_with_retry(apply)


def set_hidden(staff_id, product_id, hidden):
    """Take a product out of the shop (neither listed nor sold) or put it back."""
    def apply():
        product = current_read(Product.select().where(Product.id == product_id)).get()
        Product.update(hidden=hidden).where(Product.id == product_id).execute()
        audit(staff_id, "product.hide" if hidden else "product.show", "product", product.sku,
              {"hidden": product.hidden}, {"hidden": hidden})

    transaction_with_retry(apply)
    return Product.get_by_id(product_id)


PLANT_CHOICES = {"light": ("low", "medium", "bright", "direct"), "difficulty": ("easy", "moderate", "expert"),
                 "size": ("small", "medium", "large")}


def new_product_values(form):
    """The values of the add-a-product form: (values, {field: error})."""
    errors, values = {}, {}
    for field in ("name", "price", "stock"):
        try:
            values[field] = parse_value(field, form.get(field))
        except StaffRefused as refusal:
            errors[field] = str(refusal)
    category = Category.get_or_none(Category.slug == (form.get("category") or "")[:64])
    if category is None:
        errors["category"] = "Choose a category."
    values["category"] = category
    for field, choices in PLANT_CHOICES.items():
        value = form.get(field) or None
        if value is not None and value not in choices:
            errors[field] = f"Choose one of {', '.join(choices)}."
        values[field] = value
    water = (form.get("water_every_days") or "").strip()
    if water and (not (water.isascii() and water.isdigit()) or not 1 <= int(water) <= 90):
        errors["water_every_days"] = "Water every 1 to 90 days, or leave it empty."
    values["water_every_days"] = int(water) if water.isascii() and water.isdigit() else None
    values["pet_safe"] = {"yes": True, "no": False}.get(form.get("pet_safe"))
    for field, limit in (("latin_name", 150), ("description", 5000), ("care_summary", 2000)):
        values[field] = (form.get(field) or "").strip()[:limit]
    if not values["description"]:
        errors["description"] = "Describe the product in a sentence or two."
    return values, errors


def create_product(staff_id, values):
    """Add a product (its picture is the generated one); returns it."""
    category = values["category"]

    def apply():
        product = Product.create(
            sku=f"FH-{next_sku_number()}", name=values["name"], latin_name=values["latin_name"], category=category,
            price_cents=values["price"], stock=values["stock"], light=values["light"], pet_safe=values["pet_safe"],
            difficulty=values["difficulty"], size=values["size"], water_every_days=values["water_every_days"],
            description=values["description"], care_summary=values["care_summary"], keywords="",
            created_at=utcnow())
        audit(staff_id, "product.create", "product", product.sku, None,
              {"name": product.name, "price_cents": product.price_cents, "stock": product.stock,
               "category": category.slug})
        return product

    for attempt in range(3):  # two staff adding at once may pick the same next SKU: the second tries the next
        try:
            return transaction_with_retry(apply)
        except IntegrityError:
            if attempt == 2:
                raise StaffRefused("Another product was added at the same moment. Please save again.") from None
