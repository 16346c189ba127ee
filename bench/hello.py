"""The ceiling for make bench's throughput ratio: a bare Flask app whose one route says ok."""
from flask import Flask

app = Flask(__name__)


@app.get("/healthz")
def healthz():
    """The smallest answer Flask can give."""
    return "ok"
