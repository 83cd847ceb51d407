"""A small LibreTranslate-compatible server on 127.0.0.1 for the tests: `GET /languages` and
`POST /translate`, recording every request body, and able to fail the ways a real one does."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a handler still sleeping in "slow" mode does not block the shutdown
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the client gave up (a timeout under test): nothing to report


LANGUAGES = {"en": ["fr", "ar"], "fr": ["en", "ar"], "ar": ["en", "fr"]}


@dataclass
class FakeLibreTranslate:
    url: str = ""
    # "ok", "error" (HTTP 500), "slow" (answers after `delay` seconds), "not-json",
    # "no-text" (JSON without translatedText), "not-a-string" (translatedText is a number).
    mode: str = "ok"
    delay: float = 2.0
    failing_targets: set[str] = field(default_factory=set)  # HTTP 500 for these targets only
    fail_after: int | None = None  # HTTP 500 once this many texts have been translated
    api_key: str | None = None  # when set, requests without it get HTTP 403
    languages: dict[str, list[str]] = field(default_factory=lambda: dict(LANGUAGES))
    requests: list[tuple[str, str, Any]] = field(default_factory=list)  # (method, path, body)

    @property
    def translate_bodies(self) -> list[dict[str, Any]]:
        return [body for method, path, body in self.requests if path == "/translate"]

    def sent_text(self) -> str:
        """Everything that reached the server, as one string (to search for answers' text)."""
        return "\n".join(json.dumps(body, ensure_ascii=False) for _, _, body in self.requests)

    @staticmethod
    def translation(text: str, target: str) -> str:
        return f"[{target}] {text}"

    @classmethod
    @contextmanager
    def running(cls) -> Iterator[FakeLibreTranslate]:
        fake = cls()
        server = _Server(("127.0.0.1", 0), _handler(fake))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        fake.url = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            yield fake
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)


def _handler(fake: FakeLibreTranslate) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _reply(self, status: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, value: Any) -> None:
            self._reply(status, json.dumps(value).encode())

        def _misbehave(self) -> bool:
            if fake.mode == "slow":
                time.sleep(fake.delay)
            if fake.mode == "error":
                self._json(500, {"error": "Internal Server Error"})
                return True
            if fake.mode == "not-json":
                self._reply(200, b"<html>502 Bad Gateway</html>", "text/html")
                return True
            return False

        def do_GET(self) -> None:
            fake.requests.append(("GET", self.path, None))
            if self.path != "/languages":
                self._json(404, {"error": "Not Found"})
                return
            if self._misbehave():
                return
            self._json(
                200,
                [
                    {"code": code, "name": code.upper(), "targets": targets}
                    for code, targets in fake.languages.items()
                ],
            )

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
            fake.requests.append(("POST", self.path, body))
            if self.path != "/translate":
                self._json(404, {"error": "Not Found"})
                return
            if fake.api_key and body.get("api_key") != fake.api_key:
                self._json(403, {"error": "Invalid API key"})
                return
            if self._misbehave():
                return
            source, target = body.get("source"), body.get("target")
            if target not in fake.languages.get(source, []):
                self._json(400, {"error": f"{target} is not supported"})
                return
            done = len(fake.translate_bodies) - 1
            if target in fake.failing_targets or (
                fake.fail_after is not None and done >= fake.fail_after
            ):
                self._json(500, {"error": "Internal Server Error"})
                return
            if fake.mode == "no-text":
                self._json(200, {"error": "nothing"})
                return
            if fake.mode == "not-a-string":
                self._json(200, {"translatedText": 42})
                return
            self._json(200, {"translatedText": fake.translation(body["q"], target)})

    return Handler
