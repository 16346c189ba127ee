"""Command-line tools: flask --app wsgi init-db | migrate | seed | send-mail | send-test-mail | backup | restore."""
import secrets
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from .accounts.passwords import password_hasher
from .accounts.registration import new_member_id, purge_unverified
from .backup import BackupError, restore_backup, take_backup
from .db import database, transaction_with_retry
from .mail import queue_email, run_worker
from .migrations import migrate
from .models import User, utcnow
from .orders.ledger import open_balance
from .seeding import generate_products, seed_catalogue
from .staff.access import set_staff


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
@click.option("--staff", "with_staff", is_flag=True,
              help="Development only: also make a verified staff account and print its password once.")
def seed_command(count, with_staff):
    """Load the hand-written seed catalogue, and optionally N generated products."""
    migrate()
    with database.connection_context():
        added = seed_catalogue()
        click.echo(f"Seed catalogue: {added} products added")
        if with_staff:
            if current_app.config["SHOP_ENV"] != "development":
                raise click.ClickException("--staff is for development: in production use `staff grant`.")
            made = create_dev_staff()
            if made:
                click.echo(f"Back office: log in as {made[0]} with the password {made[1]} (shown once), "
                           "then open /staff")
        if count:
            started = time.perf_counter()
            made = generate_products(count)
            click.echo(f"Generated {made} products in {time.perf_counter() - started:.1f} s")


def create_dev_staff(username="nursery"):
    """A verified staff account for local use: (username, password) when made now, None if it exists."""
    if User.select().where(User.username_lower == username).exists():
        return None
    password = "Fern-" + secrets.token_urlsafe(9)

    def create():
        user = User.create(member_id=new_member_id(), username=username, username_lower=username,
                           email=f"{username}@fernhouse.test", password_hash=password_hasher().hash(password),
                           balance_cents=0, verified_at=utcnow(), is_staff=True)
        open_balance(user.id, 0)
        return user

    transaction_with_retry(create)
    return username, password


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


@click.group("staff")
def staff_command():
    """Give or take the back office: flask --app wsgi staff grant|revoke USERNAME."""


def change_staff(username, on):
    """Grant or revoke the back office, or fail with a clear message for an unknown name."""
    with database.connection_context():
        user = set_staff(username, on)
    if user is None:
        raise click.ClickException(f"No account is called {username!r}.")
    click.echo(f"{user.username} is staff: /staff is open to them (sessions end after 8 hours)" if on
               else f"{user.username} is no longer staff")


@staff_command.command("grant")
@click.argument("username")
@with_appcontext
def staff_grant(username):
    """Open the back office (/staff) to USERNAME: the only way to make staff."""
    change_staff(username, True)


@staff_command.command("revoke")
@click.argument("username")
@with_appcontext
def staff_revoke(username):
    """Close the back office to USERNAME."""
    change_staff(username, False)


@click.command("purge-unverified")
@with_appcontext
def purge_unverified_command():
    """Remove accounts never verified within the verification link's life (48 hours); run it hourly."""
    with database.connection_context():
        removed = purge_unverified()
    click.echo(f"Removed {removed} account{'s' if removed != 1 else ''} never verified")


@click.command("backup")
@with_appcontext
@click.argument("directory", type=click.Path(file_okay=False))
def backup_command(directory):
    """Write a consistent backup of the database and media into DIRECTORY (new or empty), while the shop runs."""
    try:
        manifest = take_backup(current_app, database.obj, directory)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup of the {manifest['engine']} database at migration {manifest['migration_version']}, "
               f"{len(manifest['files'])} files, in {manifest['seconds']} s: {directory}")


@click.command("restore")
@with_appcontext
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that already has tables.")
def restore_command(directory, force):
    """Check a backup's checksums and load it into the (empty) database of DATABASE_URL, media too."""
    try:
        manifest = restore_backup(current_app, database.obj, directory, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored the backup of {manifest['created_at']} at migration {manifest['migration_version']}")


def init_app(app):
    """Register the commands with the app's CLI."""
    app.cli.add_command(init_db_command)
    app.cli.add_command(migrate_command)
    app.cli.add_command(seed_command)
    app.cli.add_command(send_mail_command)
    app.cli.add_command(send_test_mail_command)
    app.cli.add_command(purge_unverified_command)
    app.cli.add_command(staff_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
