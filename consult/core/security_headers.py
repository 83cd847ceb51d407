"""HTTP headers that keep pages from loading anything from elsewhere or being framed.

The content security policy allows only this site's own styles, scripts and images: the app uses
no CDN, web font or analytics, and the policy makes sure that nothing injected into a page can
quietly send a participant's browser to a third party.
"""

from __future__ import annotations

from flask import Flask, Response

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
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def add_security_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        # Pages can hold a participant's answers or receipt code: never keep them in any cache.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_security_headers(app: Flask) -> None:
    app.after_request(add_security_headers)
