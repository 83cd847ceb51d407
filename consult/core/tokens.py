"""Random codes that people copy by hand, and the one hash under which tokens and codes are stored.

Every code a person reads, writes down or types (receipt codes, recovery codes) uses one alphabet:
digits and capitals without 0/O and 1/I/L, so a code read aloud or copied by hand is not mistaken.

Secrets that only need to be recognised again (receipt codes, recovery codes, session and invitation
tokens) are stored as their SHA-256, never as themselves. They are random enough that a plain hash
cannot be reversed by guessing, so no salt or secret key is needed, and what is stored stays valid
when the app's secret key is rotated.
"""

from __future__ import annotations

import hashlib
import secrets

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def random_code(length: int) -> str:
    """`length` characters of CODE_ALPHABET from the system's secure random source."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def sha256_hex(text: str) -> str:
    """The SHA-256 of the text's UTF-8 bytes as 64 lower-case hex digits: the stored form."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
