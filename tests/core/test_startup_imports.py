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


def test_starting_the_app_does_not_load_the_staff_only_libraries(tmp_path) -> None:
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
    probe = f"LAZY = {LAZY!r}\n{PROBE}"
    command = [sys.executable, "-c", probe]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == []
