"""GET /metrics: the Prometheus scrape, for the addresses in METRICS_ALLOW only (404 for everyone else).

The counters come from shop/metrics.py (summed over gunicorn's workers); the outbox's depth and the age of
its oldest message are read from the database at each scrape, so they are true whichever worker answers.
"""
import ipaddress

from flask import Blueprint, abort, current_app
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from .limits import client_address
from .mail import MAX_ATTEMPTS
from .metrics import exposition
from .models import EmailOutbox, utcnow

bp = Blueprint("monitoring", __name__)


def parse_networks(text):
    """'127.0.0.1/32, 10.0.0.0/8' -> the networks; a bare address is a network of one. ValueError if malformed."""
    return [ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip()]


def may_scrape(address, networks):
    """True when the client's address is inside one of the allowed networks (an IPv4 address mapped into
    IPv6, as a dual-stack socket reports it, counts as the IPv4 one)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip.version == network.version and ip in network for network in networks)


class OutboxCollector:
    """The outbox as it is now: messages waiting, the oldest one's age, messages given up."""

    def collect(self):
        """Read the outbox once and yield its gauges."""
        waiting, oldest, given_up = EmailOutbox.backlog(MAX_ATTEMPTS)
        age = (utcnow() - oldest).total_seconds() if oldest else 0.0
        yield GaugeMetricFamily("fernhouse_outbox_waiting", "Emails not yet delivered and still to be tried.",
                                value=waiting)
        yield GaugeMetricFamily("fernhouse_outbox_oldest_age_seconds",
                                "Age of the oldest email still waiting to be delivered (0 when none waits).",
                                value=max(age, 0.0))
        yield GaugeMetricFamily("fernhouse_outbox_given_up", "Emails no longer tried after every attempt failed.",
                                value=given_up)


@bp.get("/metrics")
def metrics():
    """The Prometheus text format; a 404, like any unknown page, for a client METRICS_ALLOW does not name."""
    if not may_scrape(client_address(), parse_networks(current_app.config["METRICS_ALLOW"])):
        abort(404)
    live = CollectorRegistry()
    live.register(OutboxCollector())
    body = exposition() + generate_latest(live)
    return body, 200, {"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"}
