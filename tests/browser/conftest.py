"""A real browser against the app served on 127.0.0.1 (issue 14).

One Chromium per test session, Debian's /usr/bin/chromium driven by Python Playwright (never a
downloaded browser), and one live server per database backend: a werkzeug server thread on a free
port, its database migrated and the demo loaded through the real CLI commands (`flask db upgrade`,
`flask load-demo`), on SQLite and, when CONSULT_TEST_DATABASE_URL is set, on PostgreSQL too.

Each test gets a fresh browser context (its own cookies) and a `Tab` that records what the page
asked for and printed: every test fails on a console error (a CSP violation included), a page
error, or a request to any host but the app's own. In CI a missing Chromium or axe-core is a
failure, never a skip.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from consult.core.extensions import db
from tests.browser.support import (
    AXE_SCRIPT,
    CHROMIUM,
    CHROMIUM_ARGS,
    LiveServer,
    Tab,
)
from tests.conftest import (
    BACKENDS,
    POSTGRES_URL,
    _drop_postgres_database,
    _fresh_postgres_database,
    make_test_app,
)
from tests.support.factories import staff_member

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL only the modules that save something run again (ALL_BACKENDS = True in the
    module: journeys, staff decisions, authoring, exports). Headers, keyboard and the page checks
    depend on the markup alone, which is the same on both databases."""
    here = Path(__file__).parent
    deselected = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        if (
            callspec is not None
            and callspec.params.get("live_server") == "postgresql"
            and here in Path(item.path).parents
            and not getattr(item.module, "ALL_BACKENDS", False)
        ):
            deselected.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]


def _missing(what: str) -> None:
    """A failure in CI, a skip elsewhere (as tests/conftest.py does for Redis)."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must have {what}: run `make browser-tools` (part of `make test`)")
    pytest.skip(f"{what} is missing: run `make browser-tools`")


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    if not os.access(CHROMIUM, os.X_OK):
        _missing(CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright gives each launch a new, empty user-data directory of its own.
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_script() -> Path:
    if not AXE_SCRIPT.is_file():
        _missing(str(AXE_SCRIPT))
    return AXE_SCRIPT


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def _serve(app: Flask) -> tuple[str, object, threading.Thread]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    return f"http://127.0.0.1:{server.server_port}", server, thread


@pytest.fixture(scope="session", params=BACKENDS)
def live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    instance = tmp_path_factory.mktemp("browser-instance")
    if request.param == "sqlite":
        url = f"sqlite:///{instance / 'consult.sqlite3'}"
    else:
        assert POSTGRES_URL
        url = _fresh_postgres_database(
            make_url(POSTGRES_URL).set(database="consult_browser").render_as_string(False)
        )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CONSULT_INSTANCE_PATH", str(instance))
        app = make_test_app(url, RATELIMIT_ENABLED=False)
    runner = app.test_cli_runner()
    for command in (["db", "upgrade"], ["load-demo"]):
        result = runner.invoke(args=command, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    base_url, server, thread = _serve(app)
    live = LiveServer(app=app, base_url=base_url, backend=request.param)
    staff_member(app, live.moderator, "moderator")
    staff_member(app, live.translator, "translator")
    staff_member(app, live.organiser, "organiser")
    yield live
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if request.param == "postgresql":
        _drop_postgres_database(url)


@pytest.fixture
def tab(chromium: object, live_server: LiveServer) -> Iterator[Tab]:
    """A phone-sized tab (360x740) in a fresh context; fails the test on console errors and on
    requests to other hosts."""
    context = chromium.new_context(viewport={"width": 360, "height": 740})
    if AXE_SCRIPT.is_file():
        # Handed to the browser once and run by it before each page's own scripts (the driver's
        # script, outside the page's content security policy); tests that use it ask for
        # `axe_script`, which fails in CI when the file is missing.
        context.add_init_script(path=str(AXE_SCRIPT))
    context.set_default_timeout(30_000)
    tab = Tab(context.new_page(), live_server)
    yield tab
    context.close()
    tab.check_clean()


@pytest.fixture
def no_js_tab(chromium: object, live_server: LiveServer) -> Iterator[Tab]:
    context = chromium.new_context(
        viewport={"width": 360, "height": 740}, java_script_enabled=False
    )
    context.set_default_timeout(30_000)
    tab = Tab(context.new_page(), live_server)
    yield tab
    context.close()
    tab.check_clean()
