"""`pip install .` (not editable) gives a working app: templates, catalogs, demo data and migrations
are inside the wheel. The wheel is installed into an empty folder and served by a real server
process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode("utf-8")


@pytest.mark.slow
def test_installed_wheel_serves_the_demo(tmp_path: Path) -> None:
    wheels, site = tmp_path / "wheels", tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(ROOT)],
        check=True,
        cwd=tmp_path,
    )
    [wheel] = wheels.glob("consult-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(wheel)], check=True)

    env = {
        **os.environ,
        "PYTHONPATH": str(site),
        "CONSULT_DATABASE_URL": f"sqlite:///{tmp_path / 'consult.sqlite3'}",
        "CONSULT_SECRET_KEY": "wheel-test-secret-key-0123456789abcdefghij",
        "CONSULT_EXTERNAL_URL": "http://127.0.0.1",
        "FLASK_DEBUG": "0",
    }
    env.pop("CONSULT_LANGUAGES", None)
    flask = [sys.executable, "-m", "flask", "--app", "consult"]
    where = subprocess.run(
        [sys.executable, "-c", "import consult, sys; sys.stdout.write(consult.__file__)"],
        env=env, cwd=tmp_path, check=True, capture_output=True, text=True,
    )  # fmt: skip
    assert where.stdout.startswith(str(site)), "the test must run the installed copy"
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=tmp_path, check=True)
    subprocess.run([*flask, "load-demo"], env=env, cwd=tmp_path, check=True)

    port = _free_port()
    server = subprocess.Popen(
        [*flask, "run", "--host", "127.0.0.1", "--port", str(port)],
        env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/en/")
                break
            except OSError:
                assert server.poll() is None, "the server exited"
                assert time.monotonic() < deadline, "the server did not answer in 30 s"
                time.sleep(0.2)
        assert status == 200
        assert "Leave no migrant or refugee behind" in body
        status, css = _get(f"http://127.0.0.1:{port}/static/consult.css")
        assert status == 200 and "margin-inline" in css
    finally:
        server.terminate()
        server.wait(timeout=10)
