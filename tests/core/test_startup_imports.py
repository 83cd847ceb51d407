"""What a production start loads: the spreadsheet, schema, YAML and machine-learning libraries
are only needed by staff exports, consultation import/export and the themes job, so a worker that
serves participants never loads them (memory and start-up: docs/benchmarks.md, "Worker footprint").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Loaded on first use by exports (openpyxl), consultation documents (jsonschema, yaml), the
# themes job (scipy, sklearn), password changes (zxcvbn) and `flask db` (alembic).
LAZY = ("openpyxl", "jsonschema", "yaml", "scipy", "sklearn", "zxcvbn", "alembic", "flask_migrate")

PROBE = """
import json, sys
import consult.wsgi
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in LAZY)))
"""


def _production_start(tmp_path: Path, code: str):
    """Run `code` in a fresh interpreter set up as a production start (no test settings); the last
    line it prints, read as JSON."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("CONSULT_", "FLASK_"))
        and name not in ("SECRET_KEY", "DATABASE_URL")
    }
    env.update(
        CONSULT_INSTANCE_PATH=str(tmp_path),
        CONSULT_SECRET_KEY="k" * 48,
        CONSULT_EXTERNAL_URL="https://consult.example.org",
        CONSULT_DATABASE_URL=f"sqlite:///{tmp_path / 'consult.sqlite3'}",
    )
    command = [sys.executable, "-c", code]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_starting_the_app_does_not_load_the_staff_only_libraries(tmp_path) -> None:
    assert _production_start(tmp_path, f"LAZY = {LAZY!r}\n{PROBE}") == []


WSGI_STATE = """
import gc, json, sys
import consult.wsgi
from consult.text.langdetect import detect_language
print(json.dumps({
    "collector_on": gc.isenabled(),
    "templates_loaded": len(consult.wsgi.app.jinja_env.cache),
    "arabic": detect_language("نريد الحق في العمل والتعليم لأطفالنا").language,
}))
"""


def test_a_production_start_keeps_compiled_templates_and_turns_the_collector_back_on(
    tmp_path,
) -> None:
    templates = sorted(p for p in (ROOT / "templates").rglob("*") if p.is_file())
    first = _production_start(tmp_path, WSGI_STATE)
    # Every template is loaded before the fork, and its compiled code kept for the next start.
    assert first["templates_loaded"] == len(templates)
    kept = list((tmp_path / "cache" / "templates").glob("*.cache"))
    assert len(kept) == len(templates)
    # The collector is off only while the app loads.
    assert first["collector_on"] is True
    # lingua's models are not loaded at start; the first answer in a script loads its model.
    assert first["arabic"] == "ar"
    again = _production_start(tmp_path, WSGI_STATE)
    assert again["templates_loaded"] == len(templates)
    assert sorted((tmp_path / "cache" / "templates").glob("*.cache")) == sorted(kept)
