"""Configuration: defaults, then environment variables, then a test's overrides."""
import ipaddress
import os
import secrets

# Kept public on purpose: it only ever signs development sessions, and production refuses it.
DEV_SECRET_KEY = "fernhouse-development-key-not-for-production"

ENVIRONMENTS = ("development", "production", "testing")


def _env(name, default=""):
    """Read one environment variable, treating an empty value as unset."""
    value = os.environ.get(name, "").strip()
    return value or default


def _int(name, default):
    """An integer environment variable; a value that is not one stops the app with a clear message."""
    raw = _env(name, str(default))
    if not (raw.isascii() and raw.isdigit()):
        raise RuntimeError(f"{name} must be a whole number, not {raw!r}")
    return int(raw)


def load_config(project_root, env=None):
    """Build the configuration dictionary from the environment (see README: Configuration).

    `env` overrides SHOP_ENV (tests pass it), so the values derived from it follow.
    """
    env = (env or _env("SHOP_ENV", "production")).lower()
    dev = env == "development"
    mail_username = _env("MAIL_USERNAME")
    mail_sender = _env("MAIL_SENDER", mail_username or "shop@localhost")
    return {
        "SHOP_ENV": env,
        "SECRET_KEY": _env("SECRET_KEY", DEV_SECRET_KEY if dev else ""),
        "DATABASE_URL": _env("DATABASE_URL", "sqlite:///instance/shop.db"),
        "DATABASE_POOL_SIZE": int(_env("DATABASE_POOL_SIZE", "20")),
        # on a Galera node: 1 = reads wait until the node has applied the cluster's writes (read your
        # own writes through any node), 0 = off. Ignored by a single MySQL/MariaDB server.
        "DATABASE_WSREP_SYNC_WAIT": int(_env("DATABASE_WSREP_SYNC_WAIT", "1")),
        "BASE_URL": _env("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "MAIL_BACKEND": _env("MAIL_BACKEND", "outbox" if dev else "smtp"),
        "MAIL_HOST": _env("MAIL_HOST", "smtp.gmail.com"),
        "MAIL_PORT": int(_env("MAIL_PORT", "465")),
        "MAIL_SECURITY": _env("MAIL_SECURITY", "ssl").lower(),
        "MAIL_USERNAME": mail_username,
        "MAIL_PASSWORD": _env("MAIL_PASSWORD"),
        "MAIL_SENDER": mail_sender,
        # where the contact form's messages are emailed (they are also listed at /staff/messages)
        "SHOP_CONTACT_EMAIL": _env("SHOP_CONTACT_EMAIL", mail_sender),
        "PROJECT_ROOT": project_root,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Secure cookies need HTTPS, which production has (behind its proxy) and local runs do not.
        "SESSION_COOKIE_SECURE": env == "production",
        # CSRF tokens live as long as the session, so a page left open for hours still submits.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": env == "production",
        "PRODUCTS_PER_PAGE": 24,
        "ARGON2_PROFILE": "owasp",  # tests switch to "fast"
        "PERMANENT_SESSION_LIFETIME": 14 * 24 * 3600,
        # How many proxies stand in front of the app (nginx: 1). Above 0 the client address and scheme
        # come from X-Forwarded-For / -Proto through Werkzeug's ProxyFix; at 0 those headers are ignored.
        "TRUSTED_PROXY_HOPS": _int("TRUSTED_PROXY_HOPS", 0),
        # Every form here is small: a larger body is refused (413) before it is read or spooled to disk.
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        # who may read GET /metrics: addresses or networks, as the client address is seen (after ProxyFix)
        "METRICS_ALLOW": _env("METRICS_ALLOW", "127.0.0.1/32,::1/128"),
        "LOG_FORMAT": _env("LOG_FORMAT", "text").lower(),  # the request log: text for people, json for machines
    }


def check_config(config):
    """Refuse to start with a configuration that would be unsafe or meaningless."""
    if config["SHOP_ENV"] not in ENVIRONMENTS:
        raise RuntimeError(f"SHOP_ENV must be one of {', '.join(ENVIRONMENTS)}, not {config['SHOP_ENV']!r}")
    if config["SHOP_ENV"] == "production":
        key = config["SECRET_KEY"]
        if not key or key == DEV_SECRET_KEY or len(key) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of 32+ characters in production, e.g. "
                f"SECRET_KEY={secrets.token_hex(32)}  (for local use set SHOP_ENV=development instead)"
            )
    if config["MAIL_SECURITY"] not in ("ssl", "starttls", "none"):
        raise RuntimeError("MAIL_SECURITY must be ssl, starttls or none")
    if not 0 <= int(config["TRUSTED_PROXY_HOPS"]) <= 5:
        raise RuntimeError("TRUSTED_PROXY_HOPS is the number of proxies in front of the app: 0 to 5")
    if config["MAIL_BACKEND"] not in ("smtp", "outbox"):
        raise RuntimeError("MAIL_BACKEND must be smtp or outbox")
    if config["LOG_FORMAT"] not in ("text", "json"):
        raise RuntimeError("LOG_FORMAT must be text or json")
    try:
        [ipaddress.ip_network(part.strip(), strict=False) for part in config["METRICS_ALLOW"].split(",") if part.strip()]
    except ValueError as error:
        raise RuntimeError(f"METRICS_ALLOW lists addresses or networks, like 127.0.0.1/32,10.0.0.0/8: {error}") from None
