"""Second factor: time-based one-time codes (RFC 6238, any authenticator app) and recovery codes."""

from __future__ import annotations

import secrets
import time
import unicodedata

import pyotp
import segno

from consult.core.tokens import random_code, sha256_hex

ISSUER = "Consult"
RECOVERY_CODE_COUNT = 10


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG (made here: no request leaves the server)."""
    return segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff")


def accepted_step(
    secret: str, code: str, last_step: int | None, now: float | None = None
) -> int | None:
    """The time step a code belongs to if it is valid now (one step of clock drift either way) and
    newer than the last code accepted; None otherwise (also for anything that is not six digits).

    The caller still has to claim the step with a conditional update: two requests carrying the
    same code may both get here before either has stored it."""
    digits = code_digits(code)
    if digits is None:
        return None
    totp = pyotp.TOTP(secret)
    moment = time.time() if now is None else now
    current = int(moment // totp.interval)
    for step in (current, current - 1, current + 1):
        if last_step is not None and step <= last_step:
            continue
        if secrets.compare_digest(totp.generate_otp(step), digits):
            return step
    return None


def code_digits(code: str) -> str | None:
    """The six digits of a typed code in ASCII, whichever digits the keyboard types (Arabic-Indic,
    Persian, full-width); spaces, hyphens and invisible marks between them are ignored. None for
    anything else."""
    digits = []
    for ch in unicodedata.normalize("NFKC", code):
        if ch in " -" or unicodedata.category(ch) == "Cf":
            continue
        value = unicodedata.decimal(ch, None)
        if value is None:
            return None
        digits.append(str(value))
    return "".join(digits) if len(digits) == 6 else None


def new_recovery_codes() -> list[str]:
    return [f"{random_code(5)}-{random_code(5)}" for _ in range(RECOVERY_CODE_COUNT)]


def hash_recovery_code(code: str) -> str:
    """The stored form of a recovery code, as typed: case, hyphens, spaces and full-width letters
    do not matter."""
    typed = unicodedata.normalize("NFKC", code).upper()
    return sha256_hex("".join(ch for ch in typed if ch.isascii() and ch.isalnum()))
