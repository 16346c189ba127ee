"""While MariaDB is down: a friendly 503, never a traceback; when it is back, the app recovers by itself.

The test starts a MariaDB server of its own (its own data directory and port), so stopping it never
touches the shared server other tests use.
"""
import os
import shutil
import signal
import socket
import subprocess
import time

import pymysql
import pytest

from shop import create_app
from shop.db import database
from shop.migrations import migrate as create_schema
from shop.seeding import seed_catalogue

from .conftest import REQUIRE_MYSQL, TEST_SECRET, close_pool, free_port, missing

pytestmark = pytest.mark.mysql


class PrivateMariaDB:
    """A throw-away mariadbd on a free port with its own data directory."""

    def __init__(self, root):
        self.root, self.port, self.process = root, free_port(), None
        self.datadir = os.path.join(root, "data")

    def install(self):
        """Create the system tables in the data directory."""
        subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={self.datadir}", "--user=root",
                        "--auth-root-authentication-method=normal", "--skip-test-db"],
                       check=True, capture_output=True, timeout=120)

    def start(self):
        """Start the server and wait until it answers."""
        self.process = subprocess.Popen(
            ["mariadbd", "--no-defaults", f"--datadir={self.datadir}", "--user=root", f"--port={self.port}",
             "--bind-address=127.0.0.1", f"--socket={self.root}/sock", f"--pid-file={self.root}/pid",
             "--skip-log-bin", "--innodb-buffer-pool-size=32M",
             # its own tmpdir: a starting server deletes every #sql* file in its tmpdir, and /tmp holds
             # the temporary tables of the shared server other tests are using at that moment
             f"--tmpdir={self.root}"],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.root, "server.log"), "ab"))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                pymysql.connect(host="127.0.0.1", port=self.port, user="root", connect_timeout=1).close()
                return
            except pymysql.MySQLError:
                time.sleep(0.2)
        raise RuntimeError("the private MariaDB did not start")

    def stop(self):
        """Stop the server and wait until its port is closed."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(60)
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", self.port)) != 0


@pytest.fixture
def private_mariadb(tmp_path):
    """A private MariaDB server for this test only."""
    if not shutil.which("mariadbd") or not shutil.which("mariadb-install-db"):
        missing("mariadbd is not installed", REQUIRE_MYSQL)
    server = PrivateMariaDB(str(tmp_path))
    server.install()
    server.start()
    yield server
    if server.process and server.process.poll() is None:
        server.stop()


def test_outage_gives_503_and_the_app_recovers_without_a_restart(private_mariadb, caplog):
    with pymysql.connect(host="127.0.0.1", port=private_mariadb.port, user="root", autocommit=True) as conn:
        conn.cursor().execute("CREATE DATABASE shop CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    app = create_app({"SHOP_ENV": "testing", "SECRET_KEY": TEST_SECRET,
                      "DATABASE_URL": f"mysql://root@127.0.0.1:{private_mariadb.port}/shop"})
    with app.app_context(), database.connection_context():
        create_schema()
        seed_catalogue()
    client = app.test_client()
    assert client.get("/").status_code == 200 and client.get("/healthz").data == b"ok"

    private_mariadb.stop()
    for url in ("/", "/products?q=fern", "/products/FH-10001", "/healthz", "/login"):
        response = client.get(url)
        assert response.status_code == 503, url
        assert "The shop is having a short rest" in response.get_data(as_text=True)
        assert response.headers["Retry-After"] == "30"
    assert "Traceback" not in caplog.text and "database unavailable" in caplog.text

    private_mariadb.start()
    response = client.get("/")  # the same app object: its pool drops the dead connections and reconnects
    assert response.status_code == 200 and "Monstera Deliciosa" in response.get_data(as_text=True)
    assert client.get("/healthz").data == b"ok"
    close_pool(app)
