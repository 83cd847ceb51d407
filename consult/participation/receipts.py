"""Receipt codes: what a participant keeps to check, follow or delete their answers.

12 characters from the 31-character code alphabet (consult.core.tokens) give 59 bits of randomness.
The alphabet has no 0/O, 1/I/L, so a code read aloud or copied by hand is not mistaken; it is shown
in groups of four. Input is forgiving: lower case, spaces, dashes, and Arabic-Indic or Persian
digits are accepted.

The code of a web submission is not drawn at random when it is sent but derived from the draft's
token with the app's secret key (`receipt_code_for_draft`), so that every request sending the same
draft (a double click, a second tab) arrives at the same code: see docs/decisions.md, "Security
fixes (issue 8): participants".
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

from consult.core.tokens import CODE_ALPHABET, sha256_hex

ALPHABET = CODE_ALPHABET
CODE_LENGTH = 12
GROUP_SIZE = 4


def receipt_code_for_draft(secret_key: str, draft_token: str, attempt: int = 0) -> str:
    """The receipt code of the draft with this token: an HMAC of the token under the app's secret
    key, written in the code alphabet. Without the key, neither the token (in the browser's
    session) nor the database gives the code. `attempt` gives the next candidate, for the rare
    code that another submission already has."""
    message = f"receipt:{attempt}:{draft_token}".encode()
    number = int.from_bytes(hmac.new(secret_key.encode(), message, hashlib.sha256).digest())
    chars = []
    for _ in range(CODE_LENGTH):  # 256 bits into 12 base-31 digits: no bias worth the name
        number, digit = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[digit])
    return "".join(chars)


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
