"""A bare Flask app: the reference the HTTP benchmark compares hiremix with.

It answers every path, GET or POST, with a small JSON document (a POST's
JSON body is parsed first), and nothing else: no key, no database, no
validation, no logging. benchmarks/serving.py serves it with the project's
gunicorn.conf.py and the same settings as hiremix, so the ratio of the two
is what hiremix's own work costs.

    .venv/bin/gunicorn -c gunicorn.conf.py 'benchmarks.bare:app'
"""

from __future__ import annotations

from flask import Flask, jsonify, request

app = Flask("bare")


@app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
@app.route("/<path:path>", methods=["GET", "POST"])
def answer(path: str):
    if request.method == "POST":
        body = request.get_json(silent=True)
        return jsonify(ok=True, fields=len(body) if isinstance(body, dict) else 0)
    return jsonify(ok=True, path=path)


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")
