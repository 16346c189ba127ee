"""The health check operators and load balancers poll."""
from flask import Blueprint

from .db import database

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 and 'ok' when the database answers a query (a 503 page otherwise)."""
    database.execute_sql("SELECT 1").fetchone()
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
