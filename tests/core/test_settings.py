"""Every setting in the README's Configuration table, set through its environment variable and
observed where a person would notice it.

No test here passes a config dict: `create_app()` reads the environment, as in production. The
autouse `isolated_environment` fixture (tests/conftest.py) has already removed the developer's own
variables and pointed CONSULT_INSTANCE_PATH at an empty folder.
"""

from __future__ import annotations

import os
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from limits.storage import MemoryStorage, RedisStorage
from sqlalchemy.engine import make_url

from consult import create_app
from consult.core.config import INSECURE_DEV_KEY, SETTINGS, SettingsError
from consult.core.extensions import db
from consult.core.ratelimits import anonymous_client_key
from consult.core.timeutil import utcnow
from consult.models import StaffSession, Submission
from tests.support.browser import Browser
from tests.support.journey import SLUG, answer, look_up_receipt, start, submissions
from tests.support.staff import log_in, make_staff

SECRET = "settings-test-secret-key-0123456789abcdef"
README = Path(__file__).resolve().parents[2] / "README.md"
REDIS_URL = os.environ.get("CONSULT_TEST_REDIS_URL")


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database with the demo consultation, copied by each test that needs one."""
    from consult.consultations.demo import load_demo

    path = tmp_path_factory.mktemp("settings") / "demo.sqlite3"
    app = create_app(
        {"TESTING": True, "SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}
    )
    with app.app_context():
        upgrade()
        load_demo()
        db.session.commit()
        db.engine.dispose()
    return path


@pytest.fixture
def production(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, demo_database: Path
) -> pytest.MonkeyPatch:
    """A production-like environment: a real secret key and a copy of the demo database. Cookies
    are not Secure (as with `make run`), because the test client speaks plain http."""
    database = tmp_path / "consult.sqlite3"
    shutil.copyfile(demo_database, database)
    monkeypatch.setenv("CONSULT_SECRET_KEY", SECRET)
    monkeypatch.setenv("CONSULT_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("CONSULT_SECURE_COOKIES", "0")
    # Forms are sent the moment they are loaded here (tests/operations/test_spam.py tests the wait).
    monkeypatch.setenv("CONSULT_SPAM_MIN_SECONDS", "0")
    return monkeypatch


@pytest.fixture
def start_app(production: pytest.MonkeyPatch) -> Iterator[Callable[[], Flask]]:
    """`create_app()` from the environment as it stands; the apps' connections close afterwards."""
    started: list[Flask] = []

    def start() -> Flask:
        started.append(create_app())
        return started[-1]

    yield start
    for app in started:
        with app.app_context():
            db.engine.dispose()


def session_cookie(response) -> str:
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if "consult=" in c]
    return cookie


# --- the table itself ---------------------------------------------------------------------------


def test_the_readme_documents_exactly_the_settings_that_exist() -> None:
    section = README.read_text(encoding="utf-8").split("## Configuration", 1)[1].split("\n## ")[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    documented = set(re.findall(r"`([A-Z][A-Z_]+)`", "\n".join(rows)))
    declared = {alias for name, s in SETTINGS.items() for alias in (name, *s.aliases)}
    assert documented == declared | {"FLASK_DEBUG"}


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CONSULT_STAFF_IDLE_MINUTES", "abc"),
        ("CONSULT_STAFF_SESSION_HOURS", "0"),
        ("CONSULT_DRAFT_LIFETIME_HOURS", "2.5"),
        ("CONSULT_FREE_TEXT_MAX_CHARS", "-1"),
        ("CONSULT_SECURE_COOKIES", "maybe"),
        ("CONSULT_RECEIPT_RATE_LIMIT", "lots"),
        ("CONSULT_LOGIN_RATE_LIMIT", "10 per fortnight"),
        ("CONSULT_RECEIPT_ADDRESS_RATE_LIMIT", "lots"),
        ("CONSULT_TRUSTED_PROXIES", "-1"),
        ("CONSULT_LANGUAGES", " , "),
        ("CONSULT_DATABASE_URL", "not a database"),
        ("DATABASE_URL", "not a database"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(
    production: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    if variable == "DATABASE_URL":
        production.delenv("CONSULT_DATABASE_URL")
    production.setenv(variable, value)
    with pytest.raises(SettingsError, match=f"{variable} is not valid"):
        create_app()


def test_a_bad_value_in_the_instance_config_stops_start_up(
    production: pytest.MonkeyPatch, isolated_environment: Path
) -> None:
    (isolated_environment / "config.py").write_text('CONSULT_STAFF_IDLE_MINUTES = "half an hour"\n')
    with pytest.raises(SettingsError, match="CONSULT_STAFF_IDLE_MINUTES is not valid"):
        create_app()


# --- CONSULT_SECRET_KEY / SECRET_KEY, FLASK_DEBUG ------------------------------------------------


def test_refuses_to_start_without_a_real_secret_outside_debug(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("CONSULT_SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.setenv("CONSULT_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()
    monkeypatch.setenv("CONSULT_SECRET_KEY", "too-short")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()
    monkeypatch.setenv("CONSULT_SECRET_KEY", "k" * 40)
    app = create_app()
    assert app.config["SECRET_KEY"] == "k" * 40


def test_secret_key_alias_and_the_consult_name_wins(
    production: pytest.MonkeyPatch, start_app: Callable[[], Flask]
) -> None:
    production.delenv("CONSULT_SECRET_KEY")
    production.setenv("SECRET_KEY", "g" * 40)
    generic = start_app()
    assert generic.config["SECRET_KEY"] == "g" * 40
    production.setenv("CONSULT_SECRET_KEY", "c" * 40)
    specific = start_app()
    assert specific.config["SECRET_KEY"] == "c" * 40
    # What the key is for: a session signed with one key means nothing to an app with another.
    browser = Browser(generic.test_client())
    start(browser)
    cookie = browser.client.get_cookie("consult")
    assert cookie is not None
    stranger = Browser(specific.test_client())
    stranger.client.set_cookie("consult", cookie.value)
    assert stranger.get(f"/en/c/{SLUG}/q/1").url == f"/en/c/{SLUG}/"  # no draft: back to the start
    same_key = Browser(generic.test_client())
    same_key.client.set_cookie("consult", cookie.value)
    assert same_key.get(f"/en/c/{SLUG}/q/1").url == f"/en/c/{SLUG}/q/1"


def test_debug_mode_starts_with_the_development_key(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("CONSULT_SECRET_KEY", raising=False)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("CONSULT_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    assert create_app().config["SECRET_KEY"] == INSECURE_DEV_KEY


def test_debug_mode_serves_plain_cookies_by_default(
    production: pytest.MonkeyPatch, start_app: Callable[[], Flask]
) -> None:
    production.delenv("CONSULT_SECURE_COOKIES")
    production.setenv("FLASK_DEBUG", "1")
    app = start_app()
    assert app.debug
    cookie = session_cookie(app.test_client().get("/staff/login"))
    assert cookie.startswith("consult=") and "Secure" not in cookie


# --- CONSULT_DATABASE_URL / DATABASE_URL, CONSULT_INSTANCE_PATH ----------------------------------


def test_database_url_from_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CONSULT_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgres://someone@db.example/consult")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://someone@db.example/consult"
    )
    monkeypatch.setenv("CONSULT_DATABASE_URL", f"sqlite:///{tmp_path}/y.sqlite3")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"].endswith("y.sqlite3")


def test_the_database_url_is_the_one_the_engine_uses(production: pytest.MonkeyPatch) -> None:
    production.setenv("CONSULT_DATABASE_URL", "postgresql://someone@db.example:5433/consult")
    app = create_app()
    with app.app_context():
        url = db.engine.url
    assert (url.drivername, url.host, url.port, url.database) == (
        "postgresql+psycopg",
        "db.example",
        5433,
        "consult",
    )


def test_demo_database_from_the_environment_serves_the_demo(
    start_app: Callable[[], Flask],
) -> None:
    app = start_app()
    page = Browser(app.test_client()).get("/en/")
    assert page.status == 200 and f"/en/c/{SLUG}/" in page.html


def test_instance_path_holds_the_config_file_and_the_default_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    instance = tmp_path / "elsewhere"
    instance.mkdir()
    (instance / "config.py").write_text(
        f"SECRET_KEY = {'f' * 40!r}\nCONSULT_STAFF_IDLE_MINUTES = 7\nCONSULT_SECURE_COOKIES = '0'\n"
    )
    monkeypatch.setenv("CONSULT_INSTANCE_PATH", str(instance))
    app = create_app()  # starts: the secret comes from that folder's config.py
    assert app.config["SECRET_KEY"] == "f" * 40
    assert app.config["CONSULT_STAFF_IDLE_MINUTES"] == 7
    assert app.config["CONSULT_SECURE_COOKIES"] is False
    with app.app_context():
        assert make_url(str(db.engine.url)).database == str(instance / "consult.sqlite3")
        with db.engine.connect():
            pass
        db.engine.dispose()
    assert (instance / "consult.sqlite3").is_file()
    monkeypatch.setenv("CONSULT_STAFF_IDLE_MINUTES", "9")  # the environment wins over the file
    assert create_app().config["CONSULT_STAFF_IDLE_MINUTES"] == 9


# --- CONSULT_REDIS_URL ---------------------------------------------------------------------------


def test_without_redis_the_limits_are_counted_in_memory(start_app: Callable[[], Flask]) -> None:
    app = start_app()
    assert isinstance(app.extensions["consult_limiter"].storage, MemoryStorage)


def test_redis_url_makes_every_worker_share_the_limits(
    production: pytest.MonkeyPatch, start_app: Callable[[], Flask]
) -> None:
    if not REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must set CONSULT_TEST_REDIS_URL (the machine runs Redis)")
        pytest.skip("CONSULT_TEST_REDIS_URL is not set")
    # A secret of its own: the counters' keys hash the client address with it, so no other test
    # run on the same Redis counts towards these.
    production.setenv("CONSULT_SECRET_KEY", f"{SECRET}-{uuid.uuid4().hex}")
    production.setenv("CONSULT_REDIS_URL", REDIS_URL)
    production.setenv("CONSULT_RECEIPT_RATE_LIMIT", "2 per minute")
    first_worker, second_worker = start_app(), start_app()
    assert isinstance(first_worker.extensions["consult_limiter"].storage, RedisStorage)
    # The key the counters are kept under: the test client's address, hashed.
    with first_worker.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        client_key = anonymous_client_key()
    store = redis.Redis.from_url(REDIS_URL)
    try:
        code = "ABCD-EFGH-2345"
        first_client = first_worker.test_client()
        assert [look_up_receipt(first_client, code) for _ in range(2)] == [404] * 2
        assert look_up_receipt(second_worker.test_client(), code) == 429
        assert list(store.scan_iter(f"*{client_key}*")), "the counters are in Redis"
    finally:
        for key in store.scan_iter(f"*{client_key}*"):
            store.delete(key)
        store.close()


# --- CONSULT_LANGUAGES ---------------------------------------------------------------------------


def test_languages_setting_limits_the_picker(
    production: pytest.MonkeyPatch, start_app: Callable[[], Flask]
) -> None:
    production.setenv("CONSULT_LANGUAGES", "en, ar ,uk")
    browser = Browser(start_app().test_client())
    page = browser.get("/en/")
    assert {a["hreflang"] for a in page.soup.select(".language-grid a")} == {"en", "ar", "uk"}
    assert browser.get("/ar/").soup.find("html")["lang"] == "ar"
    assert browser.get("/fr/").soup.find("html")["lang"] != "fr"


# --- CONSULT_SECURE_COOKIES ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "secure"),
    [("1", True), ("on", True), ("0", False), ("no", False), (None, True)],
)
def test_secure_cookies_setting(
    production: pytest.MonkeyPatch, start_app: Callable[[], Flask], value: str | None, secure: bool
) -> None:
    if value is None:
        production.delenv("CONSULT_SECURE_COOKIES")  # the default outside debug
    else:
        production.setenv("CONSULT_SECURE_COOKIES", value)
    app = start_app()
    header = session_cookie(app.test_client().get("/staff/login", base_url="https://localhost"))
    assert header.startswith("__Host-consult=" if secure else "consult=")
    assert ("Secure" in header) is secure


# --- CONSULT_FREE_TEXT_MAX_CHARS -----------------------------------------------------------------


def test_free_text_max_chars_refuses_longer_answers(
    production: pytest.MonkeyPatch, start_app: Callable[[], Flask]
) -> None:
    production.setenv("CONSULT_FREE_TEXT_MAX_CHARS", "20")
    app = start_app()
    browser = Browser(app.test_client())
    start(browser)
    assert answer(browser, "agree", "x" * 21).status == 422
    assert answer(browser, "agree", "x" * 20).status == 200
    [draft] = submissions(app)
    assert [r.text for r in draft.responses] == ["x" * 20]


# --- CONSULT_DRAFT_LIFETIME_HOURS ----------------------------------------------------------------


def test_draft_lifetime_sets_the_draft_expiry_and_the_cookie(
    production: pytest.MonkeyPatch, start_app: Callable[[], Flask]
) -> None:
    production.setenv("CONSULT_DRAFT_LIFETIME_HOURS", "3")
    app = start_app()
    browser = Browser(app.test_client())
    browser.get(f"/en/c/{SLUG}/")
    before = utcnow().replace(microsecond=0)
    response = browser.submit({"agree": "y"}, follow=False).response
    assert response.status_code == 302
    [draft] = submissions(app)
    hours = (draft.draft_expires_at - before).total_seconds() / 3600
    assert 3 <= hours <= 4 and draft.draft_expires_at.minute == 0
    expiry = re.search(r"Expires=([^;]+)", session_cookie(response))
    assert expiry is not None, "the participant's cookie outlives the browser session"
    expires = parsedate_to_datetime(expiry.group(1)).replace(tzinfo=None)
    assert abs(expires - (before + timedelta(hours=3))) < timedelta(minutes=1)


def test_draft_lifetime_is_renewed_by_each_answer(
    production: pytest.MonkeyPatch, start_app: Callable[[], Flask]
) -> None:
    production.setenv("CONSULT_DRAFT_LIFETIME_HOURS", "5")
    app = start_app()
    browser = Browser(app.test_client())
    start(browser)
    with app.app_context():
        soon = utcnow() + timedelta(minutes=10)
        db.session.execute(sa.update(Submission).values(draft_expires_at=soon))
        db.session.commit()
    answer(browser, "agree", "still here")
    [draft] = submissions(app)
    assert 5 <= (draft.draft_expires_at - utcnow()).total_seconds() / 3600 <= 6


@pytest.mark.parametrize(("hours", "purged"), [("3", 1), (None, 0)])
def test_purge_drafts_follows_the_draft_lifetime(
    production: pytest.MonkeyPatch, start_app: Callable[[], Flask], hours: str | None, purged: int
) -> None:
    from consult.participation import operations

    if hours:
        production.setenv("CONSULT_DRAFT_LIFETIME_HOURS", hours)
    app = start_app()
    start(Browser(app.test_client()))
    five_hours_on = utcnow() + timedelta(hours=5)
    production.setattr(operations, "utcnow", lambda: five_hours_on)
    result = app.test_cli_runner().invoke(args=["purge-drafts"])
    assert result.exit_code == 0 and f"Purged {purged} " in result.output
    assert len(submissions(app)) == 1 - purged


def test_purge_drafts_help_names_the_setting(start_app: Callable[[], Flask]) -> None:
    app = start_app()
    result = app.test_cli_runner().invoke(args=["purge-drafts", "--help"])
    assert "CONSULT_DRAFT_LIFETIME_HOURS" in result.output and "48 by default" in result.output


# --- CONSULT_RECEIPT_RATE_LIMIT, CONSULT_LOGIN_RATE_LIMIT ----------------------------------------


def test_receipt_rate_limit(production: pytest.MonkeyPatch, start_app: Callable[[], Flask]) -> None:
    production.setenv("CONSULT_RECEIPT_RATE_LIMIT", "2 per minute")
    browser = Browser(start_app().test_client())
    statuses = []
    for _ in range(3):
        browser.get("/en/r/")
        statuses.append(browser.submit({"code": "ABCD-EFGH-2345"}).status)
    assert statuses == [404, 404, 429]


def test_login_rate_limit(production: pytest.MonkeyPatch, start_app: Callable[[], Flask]) -> None:
    production.setenv("CONSULT_LOGIN_RATE_LIMIT", "2 per minute")
    browser = Browser(start_app().test_client())
    statuses = []
    for n in range(3):
        browser.get("/staff/login")
        statuses.append(
            browser.submit({"email": f"nobody{n}@example.org", "password": "x" * 12}).status
        )
    assert statuses == [401, 401, 429]


# --- CONSULT_STAFF_IDLE_MINUTES, CONSULT_STAFF_SESSION_HOURS -------------------------------------


def _staff_session_after(app: Flask, **ago: timedelta) -> str:
    """Log in, move the session's clock back by `ago`, and return where the next page lands."""
    browser = log_in(app, "mod@example.org")
    with app.app_context():
        record = db.session.scalar(sa.select(StaffSession).order_by(StaffSession.id.desc()))
        for column, delta in ago.items():
            setattr(record, column, utcnow() - delta)
        db.session.commit()
    return browser.get("/staff/moderate/").url


def _end_reasons(app: Flask) -> list[str | None]:
    with app.app_context():
        return list(db.session.scalars(sa.select(StaffSession.end_reason)))


def test_staff_idle_minutes(production: pytest.MonkeyPatch, start_app: Callable[[], Flask]) -> None:
    production.setenv("CONSULT_STAFF_IDLE_MINUTES", "5")
    app = start_app()
    make_staff(app, "mod@example.org", "moderator")
    assert _staff_session_after(app, last_seen_at=timedelta(minutes=4)) == "/staff/moderate/"
    assert _staff_session_after(app, last_seen_at=timedelta(minutes=6)) == "/staff/login"
    assert set(_end_reasons(app)) == {None, "idle"}  # the first session goes on


def test_staff_session_hours(
    production: pytest.MonkeyPatch, start_app: Callable[[], Flask]
) -> None:
    production.setenv("CONSULT_STAFF_SESSION_HOURS", "2")
    app = start_app()
    make_staff(app, "mod@example.org", "moderator")
    assert _staff_session_after(app, created_at=timedelta(minutes=110)) == "/staff/moderate/"
    assert _staff_session_after(app, created_at=timedelta(minutes=130)) == "/staff/login"
    assert set(_end_reasons(app)) == {None, "expired"}


def test_instance_setup_writes_the_secret_where_the_app_reads_it(monkeypatch, tmp_path) -> None:
    from consult.core.instance_setup import main

    monkeypatch.setenv("CONSULT_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CONSULT_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    assert main() == 0
    assert (tmp_path / "config.py").stat().st_mode & 0o777 == 0o600
    key = create_app().config["SECRET_KEY"]
    assert len(key) >= 32 and key != INSECURE_DEV_KEY


# --- CONSULT_EXTERNAL_URL ------------------------------------------------------------------------

EXTERNAL_URL = "https://consult.example.org"


@pytest.fixture(autouse=True)
def external_url(isolated_environment: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every production-like app here has its address, as a deployment must (unset where tested)."""
    monkeypatch.setenv("CONSULT_EXTERNAL_URL", EXTERNAL_URL)
    return EXTERNAL_URL


def test_invitation_links_use_the_external_url_whatever_the_host_header(
    start_app: Callable[[], Flask],
) -> None:
    app = start_app()
    make_staff(app, "admin@example.org", "admin")
    admin = log_in(app, "admin@example.org")
    admin.get("/staff/admin/staff")
    admin.client.environ_base["HTTP_HOST"] = "evil.example"
    page = admin.submit(
        {"email": "new@example.org", "roles": ["translator"]}, action_contains="/admin/staff"
    )
    link = page.soup.select_one(".invitation-url").get_text()
    assert link.startswith(f"{EXTERNAL_URL}/staff/invitation/"), link
    token = link.rsplit("/", 1)[1]
    assert Browser(app.test_client()).get(f"/staff/invitation/{token}").status == 200


def test_refuses_to_start_in_production_without_the_external_url(
    production: pytest.MonkeyPatch,
) -> None:
    production.delenv("CONSULT_EXTERNAL_URL")
    with pytest.raises(SettingsError, match="CONSULT_EXTERNAL_URL"):
        create_app()
    production.setenv("FLASK_DEBUG", "1")  # development: links follow the request instead
    assert create_app().config["CONSULT_EXTERNAL_URL"] is None


@pytest.mark.parametrize(
    "value",
    [
        "consult.example.org",
        "ftp://consult.example.org",
        "https://",
        "https://consult.example.org/staff",
        "https://consult.example.org/?x=1",
        "https://user:secret@consult.example.org",
        "https://consult.example.org:port",
    ],
)
def test_an_external_url_that_is_not_an_origin_stops_start_up(
    production: pytest.MonkeyPatch, value: str
) -> None:
    production.setenv("CONSULT_EXTERNAL_URL", value)
    with pytest.raises(SettingsError, match="CONSULT_EXTERNAL_URL is not valid"):
        create_app()


def test_the_external_url_keeps_no_trailing_slash(
    production: pytest.MonkeyPatch, start_app: Callable[[], Flask]
) -> None:
    production.setenv("CONSULT_EXTERNAL_URL", "http://127.0.0.1:5000/")
    assert start_app().config["CONSULT_EXTERNAL_URL"] == "http://127.0.0.1:5000"


# --- CONSULT_RECEIPT_ADDRESS_RATE_LIMIT, CONSULT_TRUSTED_PROXIES, HSTS with secure cookies ----

RECEIPT_CODES = [f"ABCD-EFGH-{n * 4}" for n in "2345"]  # well-formed, matching nothing


def test_receipt_address_rate_limit(
    production: pytest.MonkeyPatch, start_app: Callable[[], Flask]
) -> None:
    production.setenv("CONSULT_RECEIPT_ADDRESS_RATE_LIMIT", "2 per minute")
    browser = Browser(start_app().test_client())
    statuses = [look_up_receipt(browser.client, code) for code in RECEIPT_CODES[:3]]
    assert statuses == [404, 404, 429]  # three different codes: the limit is the address's


@pytest.mark.parametrize(("proxies", "separate"), [("1", True), (None, False)])
def test_trusted_proxies(
    production: pytest.MonkeyPatch,
    start_app: Callable[[], Flask],
    proxies: str | None,
    separate: bool,
) -> None:
    if proxies:
        production.setenv("CONSULT_TRUSTED_PROXIES", proxies)
    production.setenv("CONSULT_RECEIPT_ADDRESS_RATE_LIMIT", "1 per minute")
    client = start_app().test_client()
    first = look_up_receipt(client, RECEIPT_CODES[0], headers={"X-Forwarded-For": "203.0.113.1"})
    second = look_up_receipt(client, RECEIPT_CODES[1], headers={"X-Forwarded-For": "203.0.113.2"})
    assert first == 404
    assert second == (404 if separate else 429)


def test_secure_cookies_send_hsts_and_a_secure_language_cookie(
    production: pytest.MonkeyPatch, start_app: Callable[[], Flask]
) -> None:
    production.setenv("CONSULT_SECURE_COOKIES", "1")
    response = start_app().test_client().get("/ar/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("consult_lang=")]
    assert "Secure" in cookie


# --- CONSULT_TRANSLATION_PROVIDER, CONSULT_LIBRETRANSLATE_URL/_API_KEY, CONSULT_TRANSLATION_TIMEOUT


@pytest.fixture
def fake_libretranslate() -> Iterator[object]:
    from tests.translation.fake_libretranslate import FakeLibreTranslate

    with FakeLibreTranslate.running() as server:
        yield server


def translation_status(app: Flask) -> str:
    """What an operator sees: `flask --app consult translate status`."""
    return app.test_cli_runner().invoke(args=["translate", "status"]).output


def test_machine_translation_is_off_by_default(start_app: Callable[[], Flask]) -> None:
    app = start_app()
    assert app.config["CONSULT_TRANSLATION_PROVIDER"] == "manual"
    assert "Machine translation is off (manual)" in translation_status(app)


def test_translation_provider_must_be_a_known_one(production: pytest.MonkeyPatch) -> None:
    production.setenv("CONSULT_TRANSLATION_PROVIDER", "google")
    with pytest.raises(SettingsError, match="CONSULT_TRANSLATION_PROVIDER is not valid"):
        create_app()


def test_libretranslate_needs_its_url(production: pytest.MonkeyPatch) -> None:
    production.setenv("CONSULT_TRANSLATION_PROVIDER", "libretranslate")
    with pytest.raises(SettingsError, match="CONSULT_LIBRETRANSLATE_URL"):
        create_app()
    production.setenv("CONSULT_LIBRETRANSLATE_URL", "ftp://translate.example.org")
    with pytest.raises(SettingsError, match="CONSULT_LIBRETRANSLATE_URL is not valid"):
        create_app()


def test_libretranslate_url_and_api_key_reach_the_server(
    production: pytest.MonkeyPatch, start_app: Callable[[], Flask], fake_libretranslate
) -> None:
    fake_libretranslate.api_key = "key-from-the-environment"
    production.setenv("CONSULT_TRANSLATION_PROVIDER", "libretranslate")
    production.setenv("CONSULT_LIBRETRANSLATE_URL", fake_libretranslate.url)
    status = translation_status(start_app())
    assert f"LibreTranslate at {fake_libretranslate.url}: 6 language pairs available" in status
    from consult.translation.providers import ProviderUnavailable, provider_from_config

    with pytest.raises(ProviderUnavailable, match="HTTP 403"):  # no key: refused
        provider_from_config(start_app().config).translate("Hello", "en", "fr")
    production.setenv("CONSULT_LIBRETRANSLATE_API_KEY", "key-from-the-environment")
    translated = provider_from_config(start_app().config).translate("Hello", "en", "fr")
    assert translated == "[fr] Hello"
    assert fake_libretranslate.translate_bodies[-1]["api_key"] == "key-from-the-environment"


def test_translation_timeout_bounds_the_wait(
    production: pytest.MonkeyPatch, start_app: Callable[[], Flask], fake_libretranslate
) -> None:
    fake_libretranslate.mode, fake_libretranslate.delay = "slow", 4.0
    production.setenv("CONSULT_TRANSLATION_PROVIDER", "libretranslate")
    production.setenv("CONSULT_LIBRETRANSLATE_URL", fake_libretranslate.url)
    production.setenv("CONSULT_TRANSLATION_TIMEOUT", "1")
    app = start_app()
    started = time.monotonic()
    status = translation_status(app)
    assert "is not available" in status and "cannot be reached" in status
    assert time.monotonic() - started < 3
