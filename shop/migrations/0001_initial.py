"""The schema as the first two releases left it (frozen copies in 0001_initial.*.sql).

Every statement is CREATE ... IF NOT EXISTS, so on a database made before migrations existed it
adds only what is missing, which is what init-db used to do.
"""
from . import sql_file


def up(db, mysql):
    """Create the tables, indexes (and on SQLite the FTS5 index and its triggers)."""
    for statement in sql_file("0001_initial.mysql.sql" if mysql else "0001_initial.sqlite.sql"):
        db.execute_sql(statement)
