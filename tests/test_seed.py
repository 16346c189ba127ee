"""The seed catalogue and the generated benchmark products."""
import re

import pytest
from peewee import IntegrityError, OperationalError

from shop.db import database, is_check_violation
from shop.models import Category, Product
from shop.seeding import generate_products, load_catalogue, seed_catalogue

SKU = re.compile(r"^FH-\d{5,7}$")


def test_seed_catalogue_is_a_real_nursery(seeded):
    with database.connection_context():
        products = list(Product.select().join(Category))
        assert len(products) >= 60
        assert Category.select().count() >= 8
        assert {p.category.slug for p in products} == {c["slug"] for c in load_catalogue()["category"]}
        assert sum(1 for p in products if p.stock == 0) >= 3
        for product in products:
            assert SKU.match(product.sku)
            assert len(product.description) > 60 and len(product.care_summary) > 30
            assert 0 < product.price_cents < 200_00
            assert 0 <= float(product.rating) <= 5
        plants = [p for p in products if p.light]
        assert len(plants) >= 50
        assert all(p.water_every_days and p.difficulty and p.size and p.pet_safe is not None for p in plants)
        monstera = Product.get(Product.name == "Monstera Deliciosa")
        assert (monstera.sku, monstera.price_cents, monstera.pet_safe) == ("FH-10001", 3400, False)


def test_seeding_twice_adds_nothing(seeded):
    with database.connection_context():
        before = Product.select().count()
        assert seed_catalogue() == 0
        assert Product.select().count() == before


def test_generated_products_follow_the_catalogue(seeded):
    with database.connection_context():
        before = Product.select().count()
        assert generate_products(1200, batch_size=500) == 1200
        assert Product.select().count() == before + 1200
        skus = [sku for (sku,) in Product.select(Product.sku).tuples()]
        assert len(set(skus)) == len(skus) and all(SKU.match(s) for s in skus)
        numbers = sorted(int(s[3:]) for s in skus)
        assert numbers == list(range(10001, 10001 + before + 1200))
        generated = Product.select().where(Product.sku == f"FH-{10001 + before}").get()
        assert generated.name and generated.description and generated.keywords


def test_stock_can_never_go_negative(seeded):
    with database.connection_context():
        product = Product.get(Product.sku == "FH-10001")
        with pytest.raises((IntegrityError, OperationalError)) as refused:
            with database.atomic():
                Product.update(stock=-1).where(Product.id == product.id).execute()
        assert is_check_violation(refused.value)
        assert Product.get_by_id(product.id).stock == product.stock


def test_cli_init_db_twice_and_seed(app):
    for _ in range(2):
        result = app.test_cli_runner().invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
    result = app.test_cli_runner().invoke(args=["seed", "--products", "50"])
    assert result.exit_code == 0, result.output
    assert "Generated 50 products" in result.output
    with database.connection_context():
        assert Product.select().count() == len(load_catalogue()["product"]) + 50
    bad = app.test_cli_runner().invoke(args=["seed", "--products", "-3"])
    assert bad.exit_code != 0 and "-3" in bad.output
