"""Setting up: what `make dev` and `make dev-mysql` run (read with make -n, which runs nothing)."""
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def planned(*args):
    """The commands make would run, without running them."""
    if not shutil.which("make"):
        pytest.fail("make is needed to set the project up")
    return subprocess.run(["make", "-n", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout


def test_dev_links_follow_the_port_it_serves_on():
    commands = planned("dev", "PORT=5071")
    assert "BASE_URL=http://127.0.0.1:5071 .venv/bin/flask --app wsgi run --debug --host 127.0.0.1 --port 5071" in commands
    assert "BASE_URL=http://127.0.0.1:5071 .venv/bin/flask --app wsgi send-mail" in commands


def test_a_base_url_given_wins():
    assert "BASE_URL=https://shop.example .venv/bin/flask --app wsgi run" in planned("dev", "BASE_URL=https://shop.example")


def test_dev_mysql_creates_seeds_and_serves_its_own_database():
    commands = planned("dev-mysql")
    assert "CREATE DATABASE IF NOT EXISTS" in commands and "fernhouse_dev" in commands
    url = "DATABASE_URL=mysql://root@127.0.0.1:3306/fernhouse_dev"
    assert f"{url} .venv/bin/flask --app wsgi seed --staff" in commands
    assert f"{url} BASE_URL=http://127.0.0.1:5000" in commands and "--app wsgi run --debug" in commands


def test_the_github_workflow_runs_what_ci_runs():
    """.github/workflows/ci.yml checks a pull request with the same suite as .ci/run: it runs .ci/run itself
    (nothing set there can be skipped or weakened), on a pull request, with MariaDB as a service that
    SHOP_TEST_MYSQL_URL points at, and Chromium and Galera installed by .ci/run as here."""
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads the key `on` as true
    assert "pull_request" in triggers
    (job,) = workflow["jobs"].values()
    steps = [step.get("run", "").strip() for step in job["steps"]]
    assert ".ci/run" in steps
    env = {**workflow.get("env", {}), **job.get("env", {})}
    assert not [name for name in env if name.startswith("SHOP_REQUIRE")]  # .ci/run sets them, nobody unsets
    service, = job["services"]
    assert env["SHOP_TEST_MYSQL_URL"] == f"mysql://root@{service}:3306"
    assert job["services"][service]["image"].startswith("mariadb:")
    assert job["container"]["image"].startswith("debian:")
    ci = (ROOT / ".ci" / "run").read_text()
    for needed in ("SHOP_REQUIRE_MYSQL=1", "SHOP_REQUIRE_BROWSER=1", "SHOP_REQUIRE_CLUSTER=1", "\nmake test\n",
                   "need+=(chromium)", "need+=(mariadb-server)", "need+=(galera-4)", "need+=(rsync)"):
        assert needed in ci
    assert 'SHOP_TEST_MYSQL_URL="${SHOP_TEST_MYSQL_URL:-mysql://root@127.0.0.1:3306}"' in ci


def test_ci_runs_the_linter_before_the_suite():
    """.ci/run lints the tree (make lint: ruff, pinned, with ruff.toml) before make test runs the suite."""
    ci = (ROOT / ".ci" / "run").read_text()
    assert "\nmake lint\nmake test\n" in ci
    assert ".venv/bin/ruff check ." in planned("lint", "--always-make")
    assert any(line.startswith("ruff==") for line in (ROOT / "requirements-dev.txt").read_text().splitlines())
    assert 'select = ["E", "F", "W", "I"]' in (ROOT / "ruff.toml").read_text()


def test_test_fast_is_sqlite_only_and_never_requires_a_service():
    """make test-fast: the inner loop leaves out MariaDB, Chromium and the cluster, and clears the REQUIRE flags
    so a missing service is never a failure there."""
    commands = planned("test-fast", "--always-make")
    assert "SHOP_REQUIRE_MYSQL= SHOP_REQUIRE_BROWSER= SHOP_REQUIRE_CLUSTER=" in commands
    assert '-m "not mysql and not browser and not cluster"' in commands and "-n 2" in commands
