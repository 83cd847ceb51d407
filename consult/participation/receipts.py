"""Receipt codes: what a participant keeps to check, follow or delete their answers.

12 characters from the 31-character code alphabet (consult.core.tokens) give 59 bits of randomness.
The alphabet has no 0/O, 1/I/L, so a code read aloud or copied by hand is not mistaken; it is shown
in groups of four. Input is forgiving: lower case, spaces, dashes, and Arabic-Indic or Persian
digits are accepted.
"""

from __future__ import annotations

import unicodedata

from consult.core.tokens import CODE_ALPHABET, random_code, sha256_hex

ALPHABET = CODE_ALPHABET
CODE_LENGTH = 12
GROUP_SIZE = 4


def new_receipt_code() -> str:
    return random_code(CODE_LENGTH)


def format_receipt_code(code: str) -> str:
    return "-".join(code[i : i + GROUP_SIZE] for i in range(0, len(code), GROUP_SIZE))


def normalise_receipt_code(raw: str) -> str | None:
    """The canonical form of a typed code, or None when it cannot be one."""
    chars = []
    for char in unicodedata.normalize("NFKC", raw or ""):
        if char.isspace() or char in "-‐‑‒–—_.":
            continue
        if char.isdigit():
            char = str(unicodedata.digit(char))
        chars.append(char.upper())
    code = "".join(chars)
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def receipt_hash(code: str) -> str:
    # The code has 59 random bits, so a plain hash cannot be reversed by guessing; no salt or secret
    # is needed, which keeps receipts valid when the app's secret key is rotated.
    return sha256_hex(code)
