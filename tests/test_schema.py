"""schema.sql and the Peewee models describe the same tables; the database enforces the backstops."""
import pytest
from peewee import IntegrityError, OperationalError

from shop import create_app
from shop.db import database, is_check_violation
from shop.migrations import migrate as create_schema
from shop.migrations import schema_statements
from shop.models import ALL_MODELS, Category, Product, User, utcnow

from .conftest import SCHEMA, TEST_SECRET, close_pool, mysql_connect

pytestmark = pytest.mark.mysql


def describe(server_url, name):
    """Columns and indexes of every table in one database, from information_schema."""
    with mysql_connect(server_url, name) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type, is_nullable, character_maximum_length, "
            "numeric_precision, numeric_scale, collation_name FROM information_schema.columns WHERE table_schema = %s",
            (name,))
        columns = {(row[0], row[1]): row[2:] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT table_name, index_name, non_unique, index_type, "
            "GROUP_CONCAT(column_name ORDER BY seq_in_index) FROM information_schema.statistics "
            "WHERE table_schema = %s GROUP BY table_name, index_name, non_unique, index_type", (name,))
        indexes = {(row[0], row[4], row[2], row[3]) for row in cursor.fetchall()}
        cursor.execute("SELECT table_name, engine, table_collation FROM information_schema.tables "
                       "WHERE table_schema = %s", (name,))
        tables = {row[0]: row[1:] for row in cursor.fetchall()}
        cursor.execute("SELECT trigger_name, event_manipulation, event_object_table, action_timing, "
                       "action_statement FROM information_schema.triggers WHERE trigger_schema = %s", (name,))
        indexes |= {("trigger",) + row for row in cursor.fetchall()}
    return columns, indexes, tables


def build(url, how):
    """Create the tables in an empty database: from the models, from schema.sql, or by the migrations."""
    app = create_app({"DATABASE_URL": url, "SHOP_ENV": "testing", "SECRET_KEY": TEST_SECRET})
    with app.app_context(), database.connection_context():
        if how == "models":
            database.create_tables(ALL_MODELS)
        elif how == "schema.sql":
            for statement in schema_statements(SCHEMA):
                database.execute_sql(statement)
        else:
            create_schema()
            create_schema()  # twice: init-db and migrate must be safe to repeat
    close_pool(app)


def test_schema_sql_matches_the_migrated_database(make_mysql_database, mysql_server_url):
    from_sql, migrated = make_mysql_database("fh_sql"), make_mysql_database("fh_migrated")
    build(from_sql, "schema.sql")
    build(migrated, "migrations")
    assert describe(mysql_server_url, from_sql.rsplit("/", 1)[1]) == \
        describe(mysql_server_url, migrated.rsplit("/", 1)[1])


def test_schema_sql_matches_the_models(make_mysql_database, mysql_server_url):
    from_sql, from_models = make_mysql_database("fh_sql"), make_mysql_database("fh_models")
    build(from_sql, "schema.sql")
    build(from_models, "models")
    sql_columns, sql_indexes, sql_tables = describe(mysql_server_url, from_sql.rsplit("/", 1)[1])
    model_columns, model_indexes, _ = describe(mysql_server_url, from_models.rsplit("/", 1)[1])

    assert set(sql_tables) == {model._meta.table_name for model in ALL_MODELS}
    # a column's collation is schema.sql's and the migrations' to say (a model cannot name one SQLite knows)
    assert {key: value[:-1] for key, value in sql_columns.items()} == \
        {key: value[:-1] for key, value in model_columns.items()}
    # schema.sql adds the full-text indexes (and names foreign keys); every other index is the same.
    btree = {index for index in sql_indexes if index[3] != "FULLTEXT" and index[0] != "trigger"}  # models make no triggers
    assert btree == model_indexes
    fulltext = {(index[0], index[1]) for index in sql_indexes if index[3] == "FULLTEXT"}
    assert ("products", "name,latin_name,keywords") in fulltext
    assert ("products", "name") in fulltext
    assert ("products", "description") not in fulltext  # no query used it (dropped by migration 0003)
    for engine, collation in sql_tables.values():
        assert engine == "InnoDB" and collation.startswith("utf8mb4")


def test_contract_columns_exist(make_mysql_database, mysql_server_url):
    url = make_mysql_database()
    build(url, "migrations")
    columns, indexes, _ = describe(mysql_server_url, url.rsplit("/", 1)[1])
    contract = {
        "users": "id member_id username email password_hash verified_at balance_cents created_at",
        "categories": "id slug name",
        "products": "id sku name category_id price_cents rating rating_count stock created_at",
        "orders": "id number user_id total_cents created_at",
        "order_items": "id order_id product_id quantity unit_price_cents",
        "email_outbox": "id recipient subject body_html body_text created_at sent_at attempts last_error",
        "balance_ledger": "id user_id delta_cents reason reference created_at",
        "schema_migrations": "version applied_at",
    }
    for table, names in contract.items():
        for column in names.split():
            assert (table, column) in columns, f"{table}.{column} missing"
    unique = {(index[0], index[1]) for index in indexes if index[2] == 0}
    for table, column in [("users", "member_id"), ("users", "username_lower"), ("users", "email"),
                          ("categories", "slug"), ("products", "sku"), ("orders", "number")]:
        assert (table, column) in unique


def test_check_constraints_hold_on_mariadb(make_mysql_database):
    url = make_mysql_database()
    build(url, "migrations")
    app = create_app({"DATABASE_URL": url, "SHOP_ENV": "testing", "SECRET_KEY": TEST_SECRET})
    with app.app_context(), database.connection_context():
        category = Category.create(slug="ferns", name="Ferns")
        product = Product.create(sku="FH-10001", name="Fern", category=category, price_cents=100, stock=1,
                                 description="d")
        with pytest.raises((IntegrityError, OperationalError)) as refused:
            with database.atomic():
                Product.update(stock=Product.stock - 2).where(Product.id == product.id).execute()
        assert is_check_violation(refused.value)
        user = User.create(member_id="FH-AAAA-BBBB", username="Alice", username_lower="alice",
                           email="a@example.com", password_hash="x", balance_cents=100, created_at=utcnow())
        with pytest.raises((IntegrityError, OperationalError)) as refused:
            with database.atomic():
                User.update(balance_cents=User.balance_cents - 101).where(User.id == user.id).execute()
        assert is_check_violation(refused.value)
        assert User.get_by_id(user.id).balance_cents == 100
        assert Product.get_by_id(product.id).stock == 1
    close_pool(app)


def test_schema_statements_are_all_safe_to_run_twice():
    statements = schema_statements(SCHEMA)
    tables = [statement for statement in statements if statement.startswith("CREATE TABLE IF NOT EXISTS")]
    triggers = [statement for statement in statements if statement.startswith("CREATE TRIGGER IF NOT EXISTS")]
    rows = [statement for statement in statements if statement.startswith("INSERT IGNORE INTO")]
    assert len(tables) == len(ALL_MODELS)
    assert len(triggers) == 6 and len(rows) == 1  # the catalogue's version: its row and its triggers
    assert len(statements) == len(tables) + len(triggers) + len(rows)
