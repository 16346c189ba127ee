"""gunicorn's settings for Fernhouse: `gunicorn -c deploy/gunicorn.conf.py wsgi:app` (make serve and
deploy/systemd/fernhouse-web.service use it).

The workers share their metrics through files in PROMETHEUS_MULTIPROC_DIR (prometheus_client's
multiprocess mode, shop/metrics.py), so GET /metrics answered by any worker reports the whole server.
The directory must be empty when the server starts (old files would add a past run's counts) and a
worker's files are marked dead when it exits (its live gauges leave the sum; its counters stay).
"""
import os
import tempfile

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 30
graceful_timeout = 20
accesslog = None  # the shop writes its own line per request (shop/request_log.py), with the request id
errorlog = "-"

# Set before the workers import the app: prometheus_client reads it when it is first imported.
metrics_dir = os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR",
                                    os.path.join(tempfile.gettempdir(), f"fernhouse-metrics-{os.getuid()}"))
os.makedirs(metrics_dir, mode=0o700, exist_ok=True)  # before anything counts (with --preload, the master)


def on_starting(server):
    """Start from an empty metrics directory: files left by an earlier run would count twice. (Only the
    metrics' own *.db files are removed, whatever directory the variable names.)"""
    os.makedirs(metrics_dir, mode=0o700, exist_ok=True)
    for name in os.listdir(metrics_dir):
        if name.endswith(".db"):
            os.remove(os.path.join(metrics_dir, name))


def child_exit(server, worker):
    """A worker ended: its live gauges (pool connections) leave the sum; its counters stay counted."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, metrics_dir)
