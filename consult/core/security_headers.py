"""HTTP headers that keep pages from loading anything from elsewhere or being framed.

The content security policy allows only this site's own styles, scripts and images: the app uses
no CDN, web font or analytics, and the policy makes sure that nothing injected into a page can
quietly send a participant's browser to a third party.

The headers are added by a WSGI layer around the whole app rather than an after-request hook, so
that every response has them: pages, redirects, static files, and the error pages built when a
hook or an error handler failed (Flask skips the hooks then). Strict-Transport-Security is sent
when cookies are Secure, i.e. when the site is served over https.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from flask import Flask

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


# One year, this host only: includeSubDomains or preload would bind every other site under the same
# domain to https too, which is the domain owner's decision, not this app's.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"


def security_headers(headers: Iterable[tuple[str, str]], https_only: bool) -> list[tuple[str, str]]:
    """`headers` with each security header the response does not set itself."""
    headers = list(headers)
    present = {name.lower() for name, _value in headers}
    added = [(name, value) for name, value in HEADERS.items() if name.lower() not in present]
    if https_only and "strict-transport-security" not in present:
        added.append(("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY))
    content_type = next((v for name, v in headers if name.lower() == "content-type"), "")
    if content_type.split(";")[0].strip().lower() == "text/html" and "cache-control" not in present:
        # Pages can hold a participant's answers or receipt code: never keep them in any cache.
        added.append(("Cache-Control", "no-store"))
    return headers + added


class SecurityHeaders:
    """WSGI layer that adds the security headers to every response leaving the app."""

    def __init__(self, wsgi_app: WSGIApplication, config: Mapping[str, Any]) -> None:
        self.wsgi_app = wsgi_app
        self.config = config

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        https_only = bool(self.config.get("CONSULT_SECURE_COOKIES"))

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(status, security_headers(headers, https_only), exc_info)

        return self.wsgi_app(environ, start)


def init_security_headers(app: Flask) -> None:
    """Wrap the app: call it last, so that the layers added before (the last-resort error page)
    are inside and their responses get the headers too."""
    app.wsgi_app = SecurityHeaders(app.wsgi_app, app.config)  # type: ignore[method-assign]
