"""Command-line tools: flask --app wsgi init-db | seed | send-mail."""
import os
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from .db import database
from .models import create_schema
from .seeding import generate_products, seed_catalogue


def schema_path():
    """Where schema.sql lives: the project root."""
    return os.path.join(current_app.config["PROJECT_ROOT"], "schema.sql")


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the tables (safe to run twice: existing tables and rows are kept)."""
    create_schema(schema_path())
    click.echo(f"Tables ready in {current_app.config['DATABASE_URL']}")


@click.command("seed")
@with_appcontext
@click.option("--products", "count", type=click.IntRange(min=0), default=0,
              help="Also generate this many products for benchmarks.")
def seed_command(count):
    """Load the hand-written seed catalogue, and optionally N generated products."""
    create_schema(schema_path())
    with database.connection_context():
        added = seed_catalogue()
        click.echo(f"Seed catalogue: {added} products added")
        if count:
            started = time.perf_counter()
            made = generate_products(count)
            click.echo(f"Generated {made} products in {time.perf_counter() - started:.1f} s")


def init_app(app):
    """Register the commands with the app's CLI."""
    app.cli.add_command(init_db_command)
    app.cli.add_command(seed_command)
