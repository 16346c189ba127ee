"""One log line per request, a request id to quote, and each request's time in the metrics.

Every request gets an id: the caller's X-Request-ID when it is short and plain (nginx passes its own,
deploy/nginx/fernhouse.conf), else a new one. It goes back in the X-Request-ID response header, into the
log line and onto the error pages, so a customer can quote it and an operator can find the line.
The line names the route (the URL rule, never the path: a path can hold a token), the status, the time
and the user's id; never an email, a password or a query string. LOG_FORMAT=json writes one JSON object per
line, for machines; text (the default) is for people.
"""
import json
import logging
import os
import re
import secrets
import sys
import time

from flask import g, request

from . import metrics

log = logging.getLogger("fernhouse.requests")

REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def request_id_from(header):
    """The caller's request id when it is 1-64 letters, digits, '.', '_' or '-', else a new random one."""
    if header and REQUEST_ID.fullmatch(header):
        return header
    return secrets.token_hex(8)


def request_fields(status, seconds):
    """What the log line says about the request that just ended."""
    user = g.get("user")
    return {
        "request_id": g.get("request_id"),
        "method": request.method,
        "route": request.url_rule.rule if request.url_rule else metrics.UNMATCHED_ROUTE,
        "status": status,
        "ms": round(seconds * 1000, 1),
        "user_id": user.id if user is not None else None,
        "pid": os.getpid(),  # which gunicorn worker answered
    }


class JsonFormatter(logging.Formatter):
    """One JSON object per line: the time, then the request's fields."""

    def format(self, record):
        """The record's fields as JSON."""
        return json.dumps({"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), **record.fields})


class TextFormatter(logging.Formatter):
    """A line a person reads: time, method, route, status, time taken, user and request id."""

    def format(self, record):
        """The record's fields as words."""
        f = record.fields
        return (f"{self.formatTime(record, '%Y-%m-%d %H:%M:%S')} {f['method']} {f['route']} {f['status']} "
                f"{f['ms']}ms user={f['user_id'] or '-'} id={f['request_id']} pid={f['pid']}")


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (gunicorn's error log, journald, a test's capture)."""

    @property
    def stream(self):
        """The current standard error."""
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def init_app(app):
    """Give each request an id and a start time, and log and time it when it ends."""
    handler = next((h for h in log.handlers if isinstance(h, StderrHandler)), None)
    if handler is None:
        handler = StderrHandler()
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False  # one line per request, not a second copy through the root logger
    handler.setFormatter(JsonFormatter() if app.config["LOG_FORMAT"] == "json" else TextFormatter())

    @app.before_request
    def start_request():
        """Note when the request began and which id it goes by."""
        g.request_started = time.perf_counter()
        g.request_id = request_id_from(request.headers.get("X-Request-ID"))

    @app.after_request
    def end_request(response):
        """Send the id back, count the request's time in the metrics and write its log line."""
        if "request_started" not in g:  # a response made before start_request ran (it is the first)
            start_request()
        seconds = time.perf_counter() - g.request_started
        response.headers["X-Request-ID"] = g.request_id
        fields = request_fields(response.status_code, seconds)
        metrics.observe_request(fields["route"], request.method, response.status_code, seconds)
        metrics.observe_pool(app.extensions.get("database"))
        log.info("request", extra={"fields": fields})
        return response
