"""The least a participant page costs on Consult's fixed stack: the bare page plus the framework
parts every Consult page needs, and nothing of Consult.

`benchmarks/reference_app.py` is a bare Flask app: no session, no form token, no translation, no
database read. Issue 9 measures Consult against it. This app renders the same page and adds only
what each of Consult's participant pages must do on the stack the project is built on (Flask,
Flask-SQLAlchemy, Flask-WTF, Flask-Babel):

- a signed session cookie (where a participant's draft is found),
- a CSRF token in the form (Flask-WTF),
- the page's words through Flask-Babel's gettext,
- one SELECT through Flask-SQLAlchemy (Core, no ORM objects) of the participant's row,
  on the database under test (SQLite or PostgreSQL), in autocommit and without the pool's
  pre-ping (both cheaper than what Consult does).

Its POST /notes checks the form token, INSERTs a row and commits, and redirects to the page, as
a Consult form does. `benchmarks/load.py` serves it next to the reference and Consult, so that
each figure can be read against both: how far a page of this stack can go at best, and how far
Consult is from that.

Serve it with gunicorn's factory syntax, from the repository root (STACK_FLOOR_SECRET_KEY is the
same for every worker; without it a key is made per process, fine only under preload):

    .venv/bin/gunicorn "benchmarks.stack_floor_app:create_stack_floor_app('sqlite:////tmp/f.db')"
"""

from __future__ import annotations

import os
import secrets

import sqlalchemy as sa
from flask import Flask, abort, redirect, render_template, request, session
from flask_babel import Babel, gettext
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from jinja2 import DictLoader

from benchmarks.reference_app import LANGUAGES, PAGE

# The reference's page, with the form token and a translated label, and the participant's row.
FLOOR_PAGE = PAGE.replace(
    '<label for="text">Note</label>',
    '<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">'
    "<p>{{ choice or '' }}</p>"
    '<label for="text">{{ _("Note") }}</label>',
)


def create_stack_floor_app(database_url: str) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get("STACK_FLOOR_SECRET_KEY") or secrets.token_urlsafe(48),
        SQLALCHEMY_DATABASE_URI=database_url,
        # Cheaper than Consult's engine, so that this is a floor: no pre-ping of pooled
        # connections, and every statement in autocommit (no BEGIN and ROLLBACK round trips on
        # PostgreSQL; each statement here is atomic on its own).
        SQLALCHEMY_ENGINE_OPTIONS={"isolation_level": "AUTOCOMMIT"},
    )
    app.jinja_loader = DictLoader({"page.html": FLOOR_PAGE})
    db = SQLAlchemy(app)
    CSRFProtect(app)
    Babel(app, locale_selector=lambda: "en")
    draft = sa.Table(
        "floor_draft",
        db.metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token", sa.String(64), nullable=False, index=True),
        sa.Column("text", sa.Text, nullable=False),
    )
    with app.app_context():
        db.create_all()
        db.engine.dispose()  # no connection inherited by forked workers

    @app.get("/")
    def page() -> str:
        token = session.get("draft")
        if token is None:
            token = session["draft"] = secrets.token_urlsafe(16)
        choice = db.session.execute(
            sa.select(draft.c.text).where(draft.c.token == token).limit(1)
        ).scalar()
        return render_template(
            "page.html", title=gettext("Reference"), languages=LANGUAGES, choice=choice
        )

    @app.post("/notes")
    def add_note():
        text = request.form.get("text", "")
        if not text:
            abort(422)
        db.session.execute(draft.insert().values(token=session.get("draft", ""), text=text))
        db.session.commit()
        return redirect("/")

    return app
