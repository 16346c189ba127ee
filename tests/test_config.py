"""Configuration: safe defaults, and production refuses to start without a real secret key."""
import pytest

from shop import create_app
from shop.config import DEV_SECRET_KEY, load_config


@pytest.fixture
def clean_env(monkeypatch):
    """No Fernhouse variables from the developer's shell."""
    for name in ("SHOP_ENV", "SECRET_KEY", "DATABASE_URL", "MAIL_BACKEND", "MAIL_USERNAME", "MAIL_SENDER"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("key", [None, "", DEV_SECRET_KEY, "short"])
def test_production_refuses_a_missing_or_weak_secret_key(clean_env, key):
    if key is not None:
        clean_env.setenv("SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_production_runs_with_a_real_key_and_debug_off(clean_env):
    clean_env.setenv("SECRET_KEY", "k" * 40)
    app = create_app()
    assert app.config["SHOP_ENV"] == "production" and not app.debug
    assert app.config["MAIL_BACKEND"] == "smtp" and app.config["SESSION_COOKIE_SECURE"]
    response = app.test_client().get("/static/css/shop.css")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


def test_development_defaults(clean_env):
    clean_env.setenv("SHOP_ENV", "development")
    config = load_config("/tmp")
    assert config["SECRET_KEY"] == DEV_SECRET_KEY
    assert config["DATABASE_URL"] == "sqlite:///instance/shop.db"
    assert config["MAIL_BACKEND"] == "outbox" and config["MAIL_SENDER"] == "shop@localhost"
    assert config["BASE_URL"] == "http://127.0.0.1:5000" and config["MAIL_PORT"] == 465


def test_mail_sender_defaults_to_the_username(clean_env):
    clean_env.setenv("MAIL_USERNAME", "nursery@gmail.com")
    assert load_config("/tmp")["MAIL_SENDER"] == "nursery@gmail.com"


@pytest.mark.parametrize("url", ["postgres://x/y", "sqlite://", "mysql://host:3306/", "nonsense"])
def test_bad_database_urls_are_refused_clearly(clean_env, url):
    with pytest.raises(ValueError, match="DATABASE_URL"):
        create_app({"SHOP_ENV": "testing", "DATABASE_URL": url})
