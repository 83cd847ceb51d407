"""Flask commands, one module per group: `flask --app consult load-demo`, `purge-drafts`,
`purge`, `create-staff`, `audit verify`, `worker`, `translate requeue|content|status`."""

from __future__ import annotations

from flask import Flask

from consult.cli.audit import audit_group
from consult.cli.demo import load_demo_command
from consult.cli.drafts import purge_drafts_command
from consult.cli.jobs import worker_command
from consult.cli.purge import purge_command
from consult.cli.staff import create_staff_command
from consult.cli.themes import themes_group
from consult.cli.translate import translate_group


def register(app: Flask) -> None:
    for command in (load_demo_command, purge_drafts_command, create_staff_command, audit_group):
        app.cli.add_command(command)
    app.cli.add_command(worker_command)
    app.cli.add_command(purge_command)
    app.cli.add_command(translate_group)
    app.cli.add_command(themes_group)
