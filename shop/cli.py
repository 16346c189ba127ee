"""Command-line tools: flask --app wsgi init-db | migrate | seed | send-mail | send-test-mail."""
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from .accounts.registration import purge_unverified
from .db import database, transaction_with_retry
from .mail import queue_email, run_worker
from .migrations import migrate
from .seeding import generate_products, seed_catalogue


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create or upgrade the tables: the same as migrate (safe to run twice: rows are kept)."""
    migrate()
    click.echo(f"Tables ready in {current_app.config['DATABASE_URL']}")


@click.command("migrate")
@with_appcontext
def migrate_command():
    """Apply the versioned migrations this database lacks, in order (safe to run twice)."""
    applied = migrate()
    click.echo(f"Applied {', '.join(applied)}" if applied else "Nothing to apply: the database is up to date")


@click.command("seed")
@with_appcontext
@click.option("--products", "count", type=click.IntRange(min=0), default=0,
              help="Also generate this many products for benchmarks.")
def seed_command(count):
    """Load the hand-written seed catalogue, and optionally N generated products."""
    migrate()
    with database.connection_context():
        added = seed_catalogue()
        click.echo(f"Seed catalogue: {added} products added")
        if count:
            started = time.perf_counter()
            made = generate_products(count)
            click.echo(f"Generated {made} products in {time.perf_counter() - started:.1f} s")


@click.command("send-mail")
@click.option("--once", is_flag=True, help="Deliver what is due now and exit.")
@click.option("--interval", type=click.FloatRange(min=0.5), default=5.0, show_default=True,
              help="Seconds between delivery rounds.")
@with_appcontext
def send_mail_command(once, interval):
    """The outbox worker: deliver queued email through SMTP, retrying failures with back-off."""
    if current_app.config["MAIL_BACKEND"] != "smtp":
        click.echo("MAIL_BACKEND is 'outbox': messages stay in the outbox (see /dev/mailbox); nothing to send.")
        return
    app = current_app._get_current_object()
    if once:
        sent, failed = run_worker(app, once=True)
        click.echo(f"{sent} sent, {failed} failed")
        return
    click.echo(f"Delivering queued email every {interval:g} s through "
               f"{current_app.config['MAIL_HOST']}:{current_app.config['MAIL_PORT']} (Ctrl+C stops)")
    try:
        run_worker(app, interval=interval)
    except KeyboardInterrupt:
        click.echo("stopped")


@click.command("send-test-mail")
@click.argument("recipient")
@with_appcontext
def send_test_mail_command(recipient):
    """Queue a test message to RECIPIENT (then `flask send-mail --once` delivers it)."""
    with database.connection_context():
        row = transaction_with_retry(lambda: queue_email(recipient, "Fernhouse test message", "test",
                                                         message="Your Fernhouse mail settings work."))
    click.echo(f"Queued message {row.id} to {recipient}")


@click.command("purge-unverified")
@with_appcontext
def purge_unverified_command():
    """Remove accounts never verified within the verification link's life (48 hours); run it hourly."""
    with database.connection_context():
        removed = purge_unverified()
    click.echo(f"Removed {removed} account{'s' if removed != 1 else ''} never verified")


def init_app(app):
    """Register the commands with the app's CLI."""
    app.cli.add_command(init_db_command)
    app.cli.add_command(migrate_command)
    app.cli.add_command(seed_command)
    app.cli.add_command(send_mail_command)
    app.cli.add_command(send_test_mail_command)
    app.cli.add_command(purge_unverified_command)
