"""Versioned migrations: shop/migrations/NNNN_name.py, applied in order, recorded in schema_migrations.

Each migration module has `up(db, mysql)`, which changes the schema (and data) one step; the runner
applies the ones this database has not had yet, in version order, and records each in
schema_migrations as it finishes. `flask --app wsgi migrate` and `init-db` both call migrate().
A database made before migrations existed (by the old "init-db creates what is missing") is
brought up by 0001, which creates only what is missing, exactly as init-db used to.
"""
import importlib
import os
import re

from ..db import database, is_mysql
from ..models import SchemaMigration, utcnow

HERE = os.path.dirname(os.path.abspath(__file__))
MIGRATION_FILE = re.compile(r"^(\d{4})_(\w+)\.py$")
LOCK_NAME = "fernhouse_migrate"

CREATE_TABLE = {
    True: """CREATE TABLE IF NOT EXISTS schema_migrations (
               version    VARCHAR(4)   NOT NULL PRIMARY KEY,
               name       VARCHAR(100) NOT NULL,
               applied_at DATETIME     NOT NULL
             ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci""",
    False: """CREATE TABLE IF NOT EXISTS "schema_migrations" ("version" VARCHAR(4) NOT NULL PRIMARY KEY,
               "name" VARCHAR(100) NOT NULL, "applied_at" DATETIME NOT NULL)""",
}


def available():
    """Every migration in this folder: [(version, name)], oldest first."""
    found = [MIGRATION_FILE.match(name) for name in sorted(os.listdir(HERE))]
    return [(match.group(1), match.group(2)) for match in found if match]


def load(version, name):
    """The module of one migration."""
    return importlib.import_module(f"{__name__}.{version}_{name}")


def applied_versions():
    """The versions recorded in schema_migrations (the table is created if missing)."""
    database.execute_sql(CREATE_TABLE[is_mysql()])
    return {version for (version,) in SchemaMigration.select(SchemaMigration.version).tuples()}


def schema_statements(path):
    """The statements of an SQL file, comments removed, one string each (triggers kept whole)."""
    lines = [line.split("--", 1)[0] for line in open(path, encoding="utf-8")]
    statements, current = [], []
    for line in lines:
        current.append(line)
        text = "\n".join(current).strip()
        # a CREATE TRIGGER ... BEGIN ... END; has semicolons inside: it ends only at "END;"
        inside_trigger = text.upper().startswith("CREATE TRIGGER") and not text.upper().endswith("END;")
        if text.endswith(";") and not inside_trigger:
            statements.append(text[:-1].strip())
            current = []
    tail = "\n".join(current).strip()
    return [stmt for stmt in statements + ([tail] if tail else []) if stmt]


def columns_of(db, mysql, table):
    """The column names a table has now (for migrations that add a column only if it is missing)."""
    if mysql:
        rows = db.execute_sql("SELECT column_name FROM information_schema.columns "
                              "WHERE table_schema = DATABASE() AND table_name = %s", (table,))
        return {row[0] for row in rows}
    return {row[1] for row in db.execute_sql(f'PRAGMA table_info("{table}")')}


def add_index(db, mysql, table, name, columns):
    """Create an index on `table` unless one of that name is there already (both engines)."""
    if mysql:
        found = db.execute_sql("SELECT 1 FROM information_schema.statistics WHERE table_schema = DATABASE() "
                               "AND table_name = %s AND index_name = %s", (table, name)).fetchall()
        if not found:
            db.execute_sql(f"ALTER TABLE {table} ADD INDEX {name} ({', '.join(columns)})")
    else:
        quoted = ", ".join(f'"{column}"' for column in columns)
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({quoted})')


def sql_file(name):
    """The statements of an .sql file beside the migrations (for the frozen first schema)."""
    return schema_statements(os.path.join(HERE, name))


def migrate():
    """Apply every migration this database lacks, in order; return the versions applied now.

    Two processes migrating at once (two app hosts starting) wait for each other: a named lock
    on MySQL, the write lock of BEGIN IMMEDIATE on SQLite.
    """
    mysql = is_mysql()
    done = []
    with database.connection_context():
        if mysql:
            database.execute_sql("SELECT GET_LOCK(%s, 120)", (LOCK_NAME,))
        try:
            for version, name in available():
                if mysql:
                    # MySQL commits DDL at once, so a migration is not one transaction there: each
                    # is written to be safe to run again (IF NOT EXISTS) should it stop half-way.
                    if version in applied_versions():
                        continue
                    load(version, name).up(database, mysql)
                    SchemaMigration.create(version=version, name=name, applied_at=utcnow())
                else:
                    with database.atomic("IMMEDIATE"):
                        if version in applied_versions():
                            continue
                        load(version, name).up(database, mysql)
                        SchemaMigration.create(version=version, name=name, applied_at=utcnow())
                done.append(version)
        finally:
            if mysql:
                database.execute_sql("SELECT RELEASE_LOCK(%s)", (LOCK_NAME,))
    return done
