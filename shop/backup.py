"""Backups and restores: one directory holding the database, the media files and a manifest.

SQLite is copied with its online backup API (a consistent snapshot while the shop keeps writing);
MySQL/MariaDB with `mariadb-dump --single-transaction` (one consistent InnoDB snapshot, no locks held
against the shop). manifest.json names the engine, the migration version and a SHA-256 of every
file, so restore() can refuse a damaged or foreign backup before it touches anything.
"""
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import time
from datetime import datetime, timezone
from urllib.parse import unquote, urlsplit

from .db import is_mysql

MANIFEST = "manifest.json"
SQLITE_FILE = "shop.db"
DUMP_FILE = "shop.sql"
MEDIA_DIR = "media"
# A trigger keeps the account that created it as its DEFINER; on another server that account may not
# exist, and then the trigger refuses every write. Without the clause the restoring account owns it.
DEFINER = re.compile(r"/\*!50017 DEFINER=`[^`]*`@`[^`]*`\s*\*/\s*")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, and nothing was changed."""


def media_root(app):
    """The media directory: MEDIA_ROOT, default instance/media under the project."""
    root = app.config.get("MEDIA_ROOT") or os.environ.get("MEDIA_ROOT") or "instance/media"
    return root if os.path.isabs(root) else os.path.join(app.config["PROJECT_ROOT"], root)


def sqlite_path(url, project_root):
    """The file of a sqlite:/// URL."""
    path = unquote(url[len("sqlite:///"):])
    return path if os.path.isabs(path) else os.path.join(project_root, path)


def mysql_client_args(url):
    """(database name, the connection options of the mariadb tools, their environment) for a mysql:// URL."""
    parts = urlsplit(url)
    args = [f"--host={parts.hostname or '127.0.0.1'}", f"--port={parts.port or 3306}", "--protocol=tcp",
            f"--user={unquote(parts.username or 'root')}"]
    env = {**os.environ, "MYSQL_PWD": unquote(parts.password or "")}  # not on the command line: ps shows it
    return parts.path.lstrip("/"), args, env


def sha256(path):
    """The hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def migration_version(db):
    """The newest migration recorded in the database, or None when it has none."""
    if "schema_migrations" not in db.get_tables():
        return None
    return db.execute_sql("SELECT MAX(version) FROM schema_migrations").fetchone()[0]


def take_backup(app, db, target):
    """Write a backup of the app's database (and media) into the directory target; return the manifest."""
    if os.path.isdir(target) and os.listdir(target):
        raise BackupError(f"{target} is not empty: give a new directory for each backup")
    os.makedirs(target, exist_ok=True)
    started = time.perf_counter()
    url = app.config["DATABASE_URL"]
    if is_mysql(db):
        engine, tool = "mysql", dump_mysql(url, os.path.join(target, DUMP_FILE))
    else:
        engine, tool = "sqlite", "sqlite3 online backup API"
        copy_sqlite(sqlite_path(url, app.config["PROJECT_ROOT"]), os.path.join(target, SQLITE_FILE))
    with db.connection_context():
        version = migration_version(db)
    media = media_root(app)
    if os.path.isdir(media):
        shutil.copytree(media, os.path.join(target, MEDIA_DIR))
    manifest = {
        "engine": engine,
        "tool": tool,
        "migration_version": version,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 2),
        "files": checksums(target),
    }
    with open(os.path.join(target, MANIFEST), "w") as handle:
        json.dump(manifest, handle, indent=2, sort_keys=True)
    return manifest


def checksums(folder):
    """{relative path: sha256} of every file under folder but the manifest."""
    found = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            relative = os.path.relpath(path, folder)
            if relative != MANIFEST:
                found[relative] = sha256(path)
    return dict(sorted(found.items()))


def copy_sqlite(source, destination):
    """Copy a live SQLite database page by page in one step: a snapshot as of one moment."""
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(destination)
    try:
        src.backup(dst)  # pages=-1: all at once, under one read transaction, so it is consistent
    finally:
        dst.close()
        src.close()


def dump_mysql(url, destination):
    """mariadb-dump --single-transaction of the URL's database into destination; return the tool's name."""
    name, args, env = mysql_client_args(url)
    command = ["mariadb-dump", *args, "--single-transaction", "--quick", "--routines", "--triggers",
               "--hex-blob", "--default-character-set=utf8mb4", "--skip-lock-tables", name]
    with open(destination, "w", encoding="utf-8") as out:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                   text=True, encoding="utf-8")
        for line in process.stdout:
            out.write(DEFINER.sub("", line))
        error = process.stderr.read()
        if process.wait() != 0:
            raise BackupError(f"mariadb-dump failed: {error.strip()}")
    return "mariadb-dump --single-transaction"


def read_manifest(source):
    """The manifest of a backup directory, after checking every file's checksum against it."""
    path = os.path.join(source, MANIFEST)
    if not os.path.isfile(path):
        raise BackupError(f"{source} holds no {MANIFEST}: not a Fernhouse backup")
    with open(path) as handle:
        manifest = json.load(handle)
    found = checksums(source)
    if found != manifest["files"]:
        damaged = sorted(name for name in set(found) | set(manifest["files"])
                         if found.get(name) != manifest["files"].get(name))
        raise BackupError(f"checksum mismatch, the backup is damaged or incomplete: {', '.join(damaged)}")
    return manifest


def restore_backup(app, db, source, force=False):
    """Load the backup in source into the app's database (and media); return the manifest.

    Refuses a backup of the other engine, a damaged one, and a database that already has tables
    unless force (then they are replaced). The migration version is the backup's: run `migrate`
    afterwards to bring it up to this code.
    """
    manifest = read_manifest(source)
    engine = "mysql" if is_mysql(db) else "sqlite"
    if manifest["engine"] != engine:
        raise BackupError(f"this is a {manifest['engine']} backup; DATABASE_URL names a {engine} database")
    with db.connection_context():
        tables = db.get_tables()
    if tables and not force:
        raise BackupError(f"the database already has {len(tables)} tables: restore into an empty one, "
                          "or pass --force to replace them")
    url = app.config["DATABASE_URL"]
    if engine == "mysql":
        load_mysql(url, os.path.join(source, DUMP_FILE), db)
    else:
        close_pool(db)
        copy_sqlite(os.path.join(source, SQLITE_FILE), sqlite_path(url, app.config["PROJECT_ROOT"]))
    media = os.path.join(source, MEDIA_DIR)
    if os.path.isdir(media):
        shutil.copytree(media, media_root(app), dirs_exist_ok=True)
    with db.connection_context():
        version = migration_version(db)
    if version != manifest["migration_version"]:
        raise BackupError(f"restored migration version {version}, the backup says {manifest['migration_version']}")
    return manifest


def close_pool(db):
    """Close every connection of a (pooled) database, so none keeps the database as it was."""
    if hasattr(db, "close_all"):
        db.close_all()
    elif not db.is_closed():
        db.close()


def load_mysql(url, dump, db):
    """Empty the URL's database (drop and create it again) and load the dump into it with the mariadb client."""
    name, args, env = mysql_client_args(url)
    with db.connection_context():
        db.execute_sql(f"DROP DATABASE IF EXISTS `{name}`")
        db.execute_sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    close_pool(db)  # its pooled connections were using the dropped database
    with open(dump, encoding="utf-8") as handle:
        loaded = subprocess.run(["mariadb", *args, "--default-character-set=utf8mb4", name], stdin=handle,
                                capture_output=True, text=True, env=env)
    if loaded.returncode != 0:
        raise BackupError(f"loading {dump} failed: {loaded.stderr.strip()}")
