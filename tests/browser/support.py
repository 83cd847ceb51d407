"""Helpers for the browser tests: the live server's description and a `Tab` that watches a page."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
# As the machine's notes advise: without the background-networking flags Chromium tries to reach
# Google's hosts at start, which a closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
FORM_REFUSED = "Failed to load resource: the server responded with a status of 422"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@dataclass
class LiveServer:
    app: Flask
    base_url: str
    backend: str
    moderator: str = "moderator@example.org"
    translator: str = "translator@example.org"
    organiser: str = "organiser@example.org"

    def url(self, path: str) -> str:
        return self.base_url + path


@dataclass
class Load:
    """What one navigation fetched: every request from the document on, and the bytes of each."""

    url: str
    requests: list[str] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)  # bytes of each response body
    gzipped: int = 0  # the same bodies gzipped (level 6), what a compressing proxy would send

    @property
    def transferred(self) -> int:
        return sum(self.sizes.values())


class Tab:
    def __init__(self, page: Any, live: LiveServer) -> None:
        self.page = page
        self.live = live
        self.console_errors: list[str] = []
        self.foreign: list[str] = []
        self.loads: list[Load] = []
        self._current: Load | None = None
        origin = urlsplit(live.base_url)
        self._origin = (origin.scheme, origin.netloc)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console_errors.append(f"page error: {error}"))
        page.on("request", self._on_request)
        page.on("response", self._on_response)
        self.refused: set[str] = set()

    # --- recording ---------------------------------------------------------------------------

    def _on_console(self, message: Any) -> None:
        if message.type != "error":
            return
        # A form sent with a mistake comes back as its page with 422, as designed; Chromium logs
        # every 4xx document as a console error. Any other failed load still counts.
        if message.text.startswith(FORM_REFUSED) and message.location.get("url") in self.refused:
            return
        self.console_errors.append(f"{message.text} ({message.location.get('url')})")

    def _on_request(self, request: Any) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "about", "blob"):
            return
        if (parts.scheme, parts.netloc) != self._origin:
            self.foreign.append(request.url)
        if request.is_navigation_request() and request.frame == self.page.main_frame:
            self._current = Load(request.url)
            self.loads.append(self._current)
        if self._current is not None:
            self._current.requests.append(request.url)

    def check_clean(self) -> None:
        assert self.console_errors == [], self.console_errors
        assert self.foreign == [], f"requests to other hosts: {self.foreign}"

    # --- actions -----------------------------------------------------------------------------

    def goto(self, path: str) -> Any:
        response = self.page.goto(self.live.url(path))
        assert response is not None
        return response

    @property
    def path(self) -> str:
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def _on_response(self, response: Any) -> None:
        request = response.request
        if response.status == 422 and request.is_navigation_request() and request.method == "POST":
            self.refused.add(response.url)

    def last_load(self) -> Load:
        """The page now shown, weighed as a first visit downloads it. The app does not compress
        (a test below checks), so a body's length is what crosses the wire: the document's from
        the browser's Navigation Timing entry, each other resource's fetched again from the app
        outside the page (Chromium hands no body over for what it took from its memory cache)."""
        self.page.wait_for_load_state("networkidle")
        assert self.loads, "no page loaded"
        load = self.loads[-1]
        navigation = self.page.evaluate(
            """() => { const n = performance.getEntriesByType('navigation')[0];
                       return {encoded: n.encodedBodySize, decoded: n.decodedBodySize}; }"""
        )
        assert navigation["encoded"] == navigation["decoded"], (
            "the app compresses now: weigh encoded sizes"
        )
        load.sizes = {load.requests[0]: navigation["encoded"]}
        load.gzipped = len(gzip.compress(self.page.content().encode(), 6))
        for url in dict.fromkeys(load.requests[1:]):
            reply = self.page.context.request.get(url)
            assert not reply.headers.get("content-encoding"), url
            body = reply.body()
            load.sizes[url] = len(body)
            load.gzipped += len(gzip.compress(body, 6))
        return load

    def screenshot(self, folder: Path, name: str) -> Path:
        path = folder / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def axe(self, script: Path) -> list[dict[str, Any]]:
        """axe-core's WCAG 2.1 A/AA violations on the page as it is now."""
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            # Not add_script_tag: that inserts an inline <script>, which the app's policy
            # (script-src 'self') rightly refuses. Code evaluated by the driver is not page script.
            self.page.evaluate(_axe_source(script))
        result = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
        )
        return [
            {
                "id": violation["id"],
                "help": violation["help"],
                "nodes": [node["target"] for node in violation["nodes"]][:5],
            }
            for violation in result["violations"]
        ]


_AXE_SOURCES: dict[Path, str] = {}


def _axe_source(script: Path) -> str:
    if script not in _AXE_SOURCES:
        _AXE_SOURCES[script] = script.read_text(encoding="utf-8") + "\n;void 0"
    return _AXE_SOURCES[script]


def describe(violations: list[dict[str, Any]]) -> str:
    return json.dumps(violations, indent=1, ensure_ascii=False)
