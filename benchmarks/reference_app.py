"""A bare Flask app to compare Consult with: what any Flask app on this machine costs.

One route renders a small Jinja page, one inserts a row into SQLite (the standard library's
sqlite3, no ORM). Benchmarks serve it next to Consult and report Consult's figures as a ratio to
this one's, measured in the same run.

Serve it with gunicorn's factory syntax, from the repository root:

    .venv/bin/gunicorn "benchmarks.reference_app:create_reference_app('sqlite:////tmp/ref.sqlite3')"

Routes: GET / (the page), POST /notes with a form field `text` (inserts a row, answers 201).
"""

from __future__ import annotations

import sqlite3

from flask import Flask, abort, render_template, request
from jinja2 import DictLoader

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ title }}</title></head>
<body>
<main>
<h1>{{ title }}</h1>
<ul>{% for language in languages %}<li lang="{{ language }}">{{ language }}</li>{% endfor %}</ul>
<form method="post" action="{{ url_for('add_note') }}">
<label for="text">Note</label> <textarea id="text" name="text"></textarea>
<button>Send</button>
</form>
</main>
</body>
</html>
"""
LANGUAGES = ("en", "ar", "fa", "ps", "ur", "uk", "ru", "es", "fr", "sw", "so", "ti", "tr", "ht")
SCHEMA = "CREATE TABLE IF NOT EXISTS note (id INTEGER PRIMARY KEY, text TEXT NOT NULL)"


def sqlite_path(database_url: str) -> str:
    """The file of a `sqlite:///path` URL (the only kind this app takes)."""
    prefix = "sqlite:///"
    if not database_url.startswith(prefix) or database_url == prefix:
        raise ValueError("expected a URL such as sqlite:////tmp/reference.sqlite3")
    return database_url[len(prefix) :]


def create_reference_app(database_url: str) -> Flask:
    path = sqlite_path(database_url)

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(path, timeout=10)

    # Every worker may run this at once; CREATE ... IF NOT EXISTS under SQLite's lock is safe.
    with connect() as connection:
        connection.execute(SCHEMA)
    connection.close()

    app = Flask(__name__)
    # A template loaded like any Flask app's (compiled once, then cached), not compiled per request.
    app.jinja_loader = DictLoader({"page.html": PAGE})

    @app.get("/")
    def page() -> str:
        return render_template("page.html", title="Reference", languages=LANGUAGES)

    @app.post("/notes")
    def add_note() -> tuple[str, int]:
        text = request.form.get("text", "")
        if not text:
            abort(422)
        connection = connect()
        try:
            with connection:
                connection.execute("INSERT INTO note (text) VALUES (?)", (text,))
        finally:
            connection.close()
        return "saved", 201

    return app
