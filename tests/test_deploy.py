"""The deployment files, run for real: gunicorn with deploy/gunicorn.conf.py and 2 workers whose metrics add
up, the systemd units through `systemd-analyze verify`, and deploy/nginx/fernhouse.conf through `nginx -t`
and in front of that gunicorn (TLS, gzip, cached static files, each client's own rate-limit buckets)."""
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from requests.adapters import HTTPAdapter

from shop import PROJECT_ROOT, create_app
from shop.migrations import migrate

from .conftest import TEST_SECRET, close_pool, free_port

ROOT = Path(PROJECT_ROOT)
DEPLOY = ROOT / "deploy"
INSTALLED_AT = "/srv/fernhouse"  # where the units and the site expect the checkout


def tool(name):
    """The path of a program the test needs; .ci/run installs it, so a missing one fails (no skip)."""
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if not path:
        pytest.fail(f"{name} is needed (.ci/run installs it)", pytrace=False)
    return path


def wait_for(url, process, log_path, **kwargs):
    """Wait until url answers 200, or fail with the server's log."""
    for _ in range(150):
        if process.poll() is not None:
            break
        try:
            if requests.get(url, timeout=2, **kwargs).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not start:\n{Path(log_path).read_text()[-3000:]}")


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    """gunicorn, 2 workers, configured by deploy/gunicorn.conf.py, in production mode (secure cookies, HSTS,
    strict CSRF) on a migrated SQLite database, told that one proxy stands in front (TRUSTED_PROXY_HOPS=1)
    and logging JSON."""
    work = tmp_path_factory.mktemp("gunicorn")
    url = f"sqlite:///{work / 'shop.db'}"
    app = create_app({"DATABASE_URL": url, "SHOP_ENV": "testing", "SECRET_KEY": TEST_SECRET})
    with app.app_context():
        migrate()
    close_pool(app)
    port, log_path = free_port(), work / "gunicorn.log"
    env = {**os.environ, "SHOP_ENV": "production", "SECRET_KEY": TEST_SECRET, "DATABASE_URL": url,
           "MAIL_BACKEND": "outbox", "TRUSTED_PROXY_HOPS": "1", "LOG_FORMAT": "json",
           "PROMETHEUS_MULTIPROC_DIR": str(work / "metrics")}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", str(DEPLOY / "gunicorn.conf.py"), "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT, env=env, stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
    server = type("Gunicorn", (), {"url": f"http://127.0.0.1:{port}", "port": port, "log": log_path,
                                   "metrics_dir": work / "metrics"})
    try:
        wait_for(server.url + "/healthz", process, log_path)
        yield server
    finally:
        process.terminate()
        process.wait(20)


def log_lines(server):
    """The JSON request lines gunicorn's workers have written."""
    return [json.loads(line) for line in server.log.read_text().splitlines() if line.startswith("{")]


def requests_counted(server, route, status="200"):
    """The request count of a route and status in one scrape of /metrics (any worker may answer it)."""
    text = requests.get(server.url + "/metrics", timeout=5).text
    return sum(sample.value for family in text_string_to_metric_families(text) for sample in family.samples
               if sample.name == "fernhouse_request_duration_seconds_count"
               and sample.labels.get("route") == route and sample.labels.get("status") == status)


def test_two_workers_metrics_add_up(gunicorn):
    before = requests_counted(gunicorn, "/healthz")
    sent = 0

    def ask(number):
        return requests.get(gunicorn.url + "/healthz", headers={"X-Request-ID": f"count-{number}"}, timeout=10)

    with ThreadPoolExecutor(8) as pool:
        for _batch in range(10):  # until both workers have answered some of them
            statuses = [response.status_code for response in pool.map(ask, range(sent, sent + 40))]
            assert statuses == [200] * 40
            sent += 40
            time.sleep(0.2)
            pids = {line["pid"] for line in log_lines(gunicorn) if line["request_id"].startswith("count-")}
            if len(pids) == 2:
                break
    assert len(pids) == 2, "every request went to one worker"
    assert requests_counted(gunicorn, "/healthz") - before == sent
    assert len({name.rsplit("_", 1)[-1] for name in os.listdir(gunicorn.metrics_dir)}) >= 2  # a file set per pid
    lines = [line for line in log_lines(gunicorn) if line["request_id"].startswith("count-")]
    assert len(lines) == sent and {line["route"] for line in lines} == {"/healthz"}


def test_metrics_through_the_proxy_are_a_404(gunicorn):
    """Behind nginx the forwarded client decides: loopback on the far side of the proxy is not enough."""
    refused = requests.get(gunicorn.url + "/metrics", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=5)
    assert refused.status_code == 404 and "fernhouse_" not in refused.text


def installed_here(text):
    """A deployment file as if the checkout were installed where the tests run."""
    return text.replace(INSTALLED_AT, str(ROOT))


def test_the_systemd_units_verify(tmp_path):
    units = sorted(path.name for path in (DEPLOY / "systemd").iterdir())
    assert units == ["fernhouse-mail.service", "fernhouse-purge.service", "fernhouse-purge.timer",
                     "fernhouse-web.service"]
    for name in units:
        (tmp_path / name).write_text(installed_here((DEPLOY / "systemd" / name).read_text()))
    checked = subprocess.run([tool("systemd-analyze"), "verify", *(str(tmp_path / name) for name in units)],
                             capture_output=True, text=True, timeout=60)
    assert (checked.returncode, checked.stdout + checked.stderr) == (0, "")  # warnings too would show here
    web = (DEPLOY / "systemd" / "fernhouse-web.service").read_text()
    assert "gunicorn --config deploy/gunicorn.conf.py wsgi:app" in web and "PROMETHEUS_MULTIPROC_DIR=" in web
    assert "TRUSTED_PROXY_HOPS=1" in web
    assert "flask --app wsgi send-mail" in (DEPLOY / "systemd" / "fernhouse-mail.service").read_text()
    assert "flask --app wsgi purge-unverified" in (DEPLOY / "systemd" / "fernhouse-purge.service").read_text()
    assert "OnCalendar=hourly" in (DEPLOY / "systemd" / "fernhouse-purge.timer").read_text()


def test_verify_would_catch_a_broken_unit(tmp_path):
    unit = tmp_path / "fernhouse-mail.service"
    unit.write_text(installed_here((DEPLOY / "systemd" / "fernhouse-mail.service").read_text())
                    .replace("Restart=always", "Restart=sometimes"))
    checked = subprocess.run([tool("systemd-analyze"), "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert "restart specifier" in checked.stderr  # a warning, exit status 0: hence the test above reads stderr


class FromAddress(HTTPAdapter):
    """Connections from one loopback address (127.0.0.2 is another client to nginx)."""

    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        """Bind every connection's source address."""
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


@pytest.fixture(scope="module")
def nginx(gunicorn, tmp_path_factory):
    """nginx with deploy/nginx/fernhouse.conf in a throw-away prefix: its ports, a self-signed certificate
    for 127.0.0.1 and 127.0.0.2, the checkout's static files, and the gunicorn above as the app."""
    work = tmp_path_factory.mktemp("nginx")
    os.chmod(work, 0o755)
    cert, key = work / "cert.pem", work / "key.pem"
    subprocess.run([tool("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,IP:127.0.0.2",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=60)
    https, http = free_port(), free_port()
    site = (DEPLOY / "nginx" / "fernhouse.conf").read_text()
    for production, here in {
        "listen 443 ssl http2;": f"listen {https} ssl http2;", "listen [::]:443 ssl http2;": "",
        "listen 80;": f"listen {http};", "listen [::]:80;": "",
        "/etc/letsencrypt/live/shop.example.com/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/shop.example.com/privkey.pem": str(key),
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{gunicorn.port};",
    }.items():
        assert production in site
        site = site.replace(production, here)
    (work / "fernhouse.conf").write_text(installed_here(site))
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi", "logs"):
        (work / temp).mkdir()
    (work / "nginx.conf").write_text(f"""
{"user root;" if os.geteuid() == 0 else ""}
pid {work}/nginx.pid;
error_log {work}/logs/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log {work}/logs/access.log;
    client_body_temp_path {work}/body; proxy_temp_path {work}/proxy; fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi; scgi_temp_path {work}/scgi;
    include {work}/fernhouse.conf;
}}
""")
    command = [tool("nginx"), "-p", str(work), "-c", str(work / "nginx.conf")]
    checked = subprocess.run(command + ["-t"], capture_output=True, text=True, timeout=30)
    log_path = work / "logs" / "error.log"
    process = subprocess.Popen(command + ["-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    server = type("Nginx", (), {"url": f"https://127.0.0.1:{https}", "http_url": f"http://127.0.0.1:{http}",
                                "port": https, "cert": str(cert), "checked": checked})
    try:
        wait_for(server.url + "/healthz", process, log_path, verify=server.cert)
        yield server
    finally:
        process.terminate()
        process.wait(20)


def client_at(address, nginx):
    """A browser-like session connecting from a loopback address."""
    session = requests.Session()
    session.trust_env = False  # else a CA bundle named in the environment would replace the one below
    session.verify = nginx.cert
    session.mount("https://", FromAddress(address))
    return session


def test_nginx_accepts_the_site(nginx):
    assert nginx.checked.returncode == 0, nginx.checked.stderr
    assert "syntax is ok" in nginx.checked.stderr and "test is successful" in nginx.checked.stderr


def test_nginx_compresses_caches_static_files_and_passes_a_request_id(nginx):
    browser = client_at("127.0.0.1", nginx)
    page = browser.get(nginx.url + "/", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200 and page.headers["Content-Encoding"] == "gzip"
    assert re.fullmatch(r"[0-9a-f]{32}", page.headers["X-Request-ID"])  # nginx's own $request_id
    assert "Strict-Transport-Security" in page.headers  # the app saw https (X-Forwarded-Proto)
    css_url = re.search(r'href="(/static/css/shop\.css\?v=\w+)"', page.text).group(1)
    css = browser.get(nginx.url + css_url, headers={"Accept-Encoding": "gzip"}, stream=True)
    raw = css.raw.read()
    assert css.headers["Content-Encoding"] == "gzip" and "max-age=31536000" in css.headers["Cache-Control"]
    assert gzip.decompress(raw) == (ROOT / "static" / "css" / "shop.css").read_bytes()
    assert "X-Request-ID" not in css.headers  # nginx served it from disk, gunicorn never saw it
    mine = browser.get(nginx.url + "/no/such/page", headers={"X-Request-ID": "ticket-42"})
    assert mine.status_code == 404 and mine.headers["X-Request-ID"] == "ticket-42" and "ticket-42" in mine.text
    plain = requests.get(nginx.http_url + "/cart", allow_redirects=False, timeout=5)
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")


def resend(session, nginx, number, **headers):
    """POST /verify/resend (5 per client an hour) with the page's CSRF token (over HTTPS the token is checked
    against the Referer too); the session cookie is Secure, so it only comes back because nginx speaks TLS."""
    token = re.search(r'name="csrf-token" content="([^"]+)"', session.get(nginx.url + "/login").text).group(1)
    return session.post(nginx.url + "/verify/resend", data={"email": f"someone{number}@example.com",
                                                             "csrf_token": token},
                        headers={"Referer": nginx.url + "/login", **headers}).status_code


def test_each_client_behind_nginx_has_its_own_rate_limit(nginx):
    first, second = client_at("127.0.0.1", nginx), client_at("127.0.0.2", nginx)
    assert [resend(first, nginx, n) for n in range(5)] == [200] * 5
    assert resend(first, nginx, 5) == 429
    # claiming to be someone else: nginx appends the real address, and the app believes only that one
    assert resend(first, nginx, 6, **{"X-Forwarded-For": "198.51.100.23"}) == 429
    assert resend(second, nginx, 7) == 200


def test_ci_installs_what_these_tests_run():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "need+=(nginx)" in ci and "need+=(systemd)" in ci and "need+=(openssl)" in ci
    assert "--config deploy/gunicorn.conf.py" in (ROOT / "Makefile").read_text()  # make serve shares the settings
