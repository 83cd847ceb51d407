"""Compiled templates kept on disk and loaded before gunicorn forks its workers.

Jinja compiles each template to Python the first time it is rendered: about 0.6 s of CPU for
Consult's templates, paid by every worker on its first pages. Jinja's bytecode cache keeps the
compiled code in a folder (one file per template, named by the template's name and checked
against a hash of its source, so an edited template is compiled again), and loading every
template from it takes a few milliseconds. Loaded in the master under gunicorn's preload, the
templates are then shared by the workers (docs/benchmarks.md, "Worker footprint").
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from jinja2 import FileSystemBytecodeCache

log = logging.getLogger(__name__)


def keep_compiled_templates(app: Flask, folder: Path) -> None:
    """Read and write compiled templates in `folder`, then load every template now.

    A folder that cannot be written only costs the time saved: the templates are compiled in
    memory as usual, with a warning.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".writable"
        probe.touch()
        probe.unlink()
    except OSError as error:
        log.warning("Compiled templates not kept in %s (%s).", folder, error.strerror)
    else:
        app.jinja_env.bytecode_cache = FileSystemBytecodeCache(str(folder))
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)
