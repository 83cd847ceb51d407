"""Generated hostile requests to every route of the URL map (walked when the test runs, so routes
added later are covered): arbitrary Unicode, huge and empty bodies, wrong content types, missing
and repeated fields, odd query strings and path values; anonymous and as a logged-in admin.

Whatever comes in: never a 500, never a submission stored half-way, and never a word of what was
sent in the logs (every generated text starts with SENTINEL, looked for in the captured log).
"""

from __future__ import annotations

import json
import logging
import re
import string
from urllib.parse import quote, urlencode

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.routing import Rule

from consult.core.extensions import db
from consult.models import Response, Submission
from tests.hostile.profiles import HOSTILE
from tests.support.factories import staff_member, submitted_answers
from tests.support.journey import SLUG
from tests.support.staff import log_in

SENTINEL = "Qz7hostile"
# Endpoints a hostile request may not be sent to here: logging out would end the staff variant.
SKIPPED = {"static", "staff.accounts.logout"}
_NAME = re.compile(r'name="([^"]{1,60})"')
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
COMMON_FIELDS = ["agree", "stance", "text", "action", "code", "confirm", "website", "form_shown"]
HUGE = 300 * 1024  # above MAX_CONTENT_LENGTH (256 KiB)

hostile_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40
).map(lambda t: SENTINEL + t)
values = st.one_of(
    hostile_text,
    st.sampled_from(["", "y", "agree", "skipped", "None", "next", "back", "review", "skip", "0"]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    # Digits str.isdigit() accepts and int() refuses or reads otherwise: superscript, Arabic-Indic.
    st.sampled_from(["\u00b2", "\u0663", "\u0661\u0662", "99999999999999999999", "-1", "1e9"]),
    st.just(SENTINEL * 5000),  # long, under the body limit
)
queries = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(["page", "from", "lang", "state", "q"]), hostile_text), values
    ),
    max_size=4,
)


def path_value(rule: Rule, argument: str, demo: dict[str, object]) -> st.SearchStrategy:
    converter = rule._converters.get(argument)  # the converter says the type
    numeric = converter is not None and type(converter).__name__.lower().startswith(
        ("int", "whole", "number")
    )
    if numeric:
        return st.one_of(st.just(1), st.integers(min_value=0, max_value=2**63 + 5))
    known = demo.get(argument)
    odd = st.one_of(hostile_text, st.sampled_from(["..", "%00", "a" * 300, "-", "zz"]))
    return st.one_of(st.just(known), odd) if known is not None else odd


def build_path(rule: Rule, args: dict[str, object]) -> str:
    """The rule's path with these values, percent-encoded (a browser would send them so)."""
    path = rule.rule
    for name, value in args.items():
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", quote(str(value), safe=""), path)
    return path


def bodies(names: list[str], token: str) -> st.SearchStrategy:
    field_names = st.one_of(st.sampled_from(names + COMMON_FIELDS), hostile_text)
    pairs = st.lists(st.tuples(field_names, values), max_size=8)  # repeats allowed
    with_token = pairs.map(lambda p: [("csrf_token", token), *p])
    form = st.one_of(with_token, pairs).map(lambda p: ("form", p))
    as_json = st.dictionaries(hostile_text, values, max_size=4).map(lambda d: ("json", d))
    raw = st.tuples(
        st.sampled_from(
            ["application/octet-stream", "multipart/form-data; boundary=x", "text/plain", ""]
        ),
        st.binary(max_size=200),
    ).map(lambda r: ("raw", r))
    huge = st.just(("form", [("csrf_token", token), ("text", SENTINEL + "x" * HUGE)]))
    return st.one_of(form, as_json, raw, huge, st.just(("form", [])))


def send(client: FlaskClient, method: str, url: str, body: tuple[str, object] | None):
    if method == "GET" or body is None:
        return client.open(url, method=method)
    kind, content = body
    if kind == "json":
        return client.open(
            url, method=method, data=json.dumps(content), content_type="application/json"
        )
    if kind == "raw":
        content_type, data = content  # type: ignore[misc]
        return client.open(url, method=method, data=data, content_type=content_type or None)
    return client.open(url, method=method, data=MultiDict(content))  # type: ignore[arg-type]


def no_half_submission(app: Flask) -> None:
    """Every stored submission is whole: a draft has its token; a sent one has its receipt, no
    token and its date; no answer hangs without its submission."""
    with app.app_context():
        broken = db.session.scalar(
            sa.select(sa.func.count()).where(
                sa.or_(
                    sa.and_(Submission.state == "draft", Submission.draft_token.is_(None)),
                    sa.and_(
                        Submission.state == "submitted",
                        sa.or_(
                            Submission.receipt_hash.is_(None),
                            Submission.draft_token.is_not(None),
                            Submission.submitted_on.is_(None),
                        ),
                    ),
                )
            )
        )
        orphans = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Response)
            .outerjoin(Submission, Submission.id == Response.submission_id)
            .where(Submission.id.is_(None))
        )
        db.session.remove()
    assert broken == 0 and orphans == 0


def routes(app: Flask) -> list[Rule]:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint not in SKIPPED),
        key=lambda r: r.rule,
    )


def hostile_requests(
    client: FlaskClient,
    rule: Rule,
    strategies: dict[str, st.SearchStrategy],
    methods: list[str],
    body_strategy: st.SearchStrategy,
):
    """A hypothesis test of one rule: generated path values, query, method and body."""

    @HOSTILE
    @given(
        args=st.fixed_dictionaries(strategies),
        query=queries,
        method=st.sampled_from(methods),
        body=body_strategy,
    )
    def hostile(args, query, method, body) -> None:
        url = build_path(rule, args)
        if query:
            url += "?" + urlencode(query)
        with send(client, method, url, body) as response:
            assert response.status_code < 500 or response.status_code == 503, (
                f"{method} {rule.rule} -> {response.status_code}"
            )

    return hostile


@pytest.mark.parametrize("who", ["participant", "admin"])
def test_every_route_survives_generated_hostile_requests(
    demo_app: Flask, who: str, caplog: pytest.LogCaptureFixture
) -> None:
    submitted_answers(demo_app, ["an answer waiting for moderation"])
    if who == "admin":
        staff_member(demo_app, "admin@example.org", "admin", "organiser", "moderator", "translator")
        client = log_in(demo_app, "admin@example.org").client
    else:
        client = demo_app.test_client()
        with client.get(f"/en/c/{SLUG}/") as intro:
            token = _CSRF.search(intro.get_data(as_text=True))
        assert token is not None
        client.post(f"/en/c/{SLUG}/", data={"csrf_token": token.group(1), "agree": "y"}).close()
    with client.get("/en/c/" + SLUG + "/") as home, client.get("/staff/") as staff:
        token = _CSRF.search(home.get_data(as_text=True)) or _CSRF.search(
            staff.get_data(as_text=True)
        )
    csrf = token.group(1) if token else ""
    demo = {"lang": "en", "slug": SLUG, "code": "ABCD-EFGH-JKLM"}
    covered: list[str] = []

    with caplog.at_level(logging.INFO):
        for rule in routes(demo_app):
            methods = sorted((rule.methods or set()) & {"GET", "POST"})
            if not methods:
                continue
            plain = build_path(rule, {a: demo.get(a, 1) for a in rule.arguments})
            with client.get(plain) as page:
                names = sorted(set(_NAME.findall(page.get_data(as_text=True))))
            strategies = {a: path_value(rule, a, demo) for a in sorted(rule.arguments)}

            hostile_requests(client, rule, strategies, methods, bodies(names, csrf))()
            covered.append(rule.endpoint)
        no_half_submission(demo_app)
    assert SENTINEL not in caplog.text
    assert "participation.review" in covered and "participation.intro" in covered


ODD_PATHS = st.lists(
    st.one_of(
        st.text(alphabet=string.printable, max_size=30),
        st.sampled_from(["..", ".", "%2e%2e", "%00", "%ff", "%c0%af", "~", "staff", "en", "c"]),
        hostile_text,
    ),
    min_size=1,
    max_size=6,
)


def test_odd_paths_never_fail(demo_app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    client = demo_app.test_client()

    @HOSTILE
    @given(segments=ODD_PATHS)
    def odd(segments: list[str]) -> None:
        path = "/" + "/".join(quote(s, safe="%.~") for s in segments)
        with client.get(path) as response:
            assert response.status_code < 500, path

    with caplog.at_level(logging.INFO):
        odd()
    assert SENTINEL not in caplog.text
