"""`python -m consult.core.instance_setup`: give a new installation its own random secret key.

Run by `make run` before the app starts (the app itself refuses to start without one outside debug,
so this cannot be a `flask` command). An existing key is never replaced: that would sign everyone
out and invalidate participants' drafts.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

from flask import Flask

from consult.core.config import instance_path


def ensure_secret_key(config_file: Path) -> bool:
    """Append a SECRET_KEY to the instance config unless it has one; True when one was written."""
    existing = config_file.read_text(encoding="utf-8") if config_file.exists() else ""
    if "SECRET_KEY" in existing:
        return False
    config_file.parent.mkdir(parents=True, exist_ok=True)
    with config_file.open("a", encoding="utf-8") as handle:
        handle.write(f"SECRET_KEY = {secrets.token_urlsafe(48)!r}\n")
    config_file.chmod(0o600)
    return True


def main() -> int:
    # The same folder the app will read: CONSULT_INSTANCE_PATH, else Flask's default.
    instance = Path(
        Flask("consult", instance_relative_config=True, instance_path=instance_path()).instance_path
    )
    config_file = instance / "config.py"
    if ensure_secret_key(config_file):
        print(f"Wrote a new secret key to {config_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
