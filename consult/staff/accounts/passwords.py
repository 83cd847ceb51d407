"""Staff passwords: normalised, judged by a strength estimator, stored as Argon2id hashes.

A password is normalised before it is judged, hashed or checked (NFKC, invisible characters
removed), so what a person types later matches what they chose, whichever keyboard or device they
type it on. Hashes made before normalisation existed are still accepted (see `verify_and_update`).

Every check runs exactly one Argon2 verification, against a dummy hash when there is no account or
no password: a log-in for an unknown address costs what a real one costs.
"""

from __future__ import annotations

import re
import secrets
import string
import unicodedata
from functools import cache, lru_cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
# zxcvbn's scale: 3 is "safely unguessable: moderate protection from offline slow-hash scenario".
MIN_SCORE = 3
# zxcvbn refuses longer input (its matching is quadratic); the rest of a longer password only adds.
SCORED_LENGTH = 72
_hasher = PasswordHasher()  # argon2-cffi's defaults follow RFC 9106's recommendations

# Characters nobody sees: format characters (zero-width spaces and joiners, direction marks, the
# soft hyphen), control characters (a pasted newline) and line or paragraph separators; plus the
# Hangul fillers, letters that draw nothing.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Zl", "Zp"})
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")


def _visible(text: str) -> str:
    return "".join(
        ch
        for ch in text
        if unicodedata.category(ch) not in _INVISIBLE_CATEGORIES and ch not in _INVISIBLE_LETTERS
    )


def normalise(password: str) -> str:
    """The form a password is judged and hashed in: invisible characters removed, then NFKC
    (full-width letters, no-break spaces, composed and decomposed accents: one form each)."""
    return _visible(unicodedata.normalize("NFKC", _visible(password)))


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("consult").joinpath("data", "common-passwords.txt").read_text("utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def _looks_common(password: str) -> bool:
    lowered = password.lower()
    trimmed = lowered.strip(string.digits + string.punctuation + " ")
    return lowered in common_passwords() or trimmed in common_passwords()


def _guessable(password: str, email: str) -> bool:
    local_part = email.split("@", 1)[0].lower()
    personal = [local_part, *re.split(r"[\W_]+", local_part), "consult"]
    from zxcvbn import zxcvbn  # here, not at start: 12 MB only a password change needs

    result = zxcvbn(password[:SCORED_LENGTH], user_inputs=[word for word in personal if word])
    return result["score"] < MIN_SCORE


def password_problems(password: str, email: str = "") -> list[LazyString]:
    candidate = normalise(password)
    problems = []
    if len(candidate) < MIN_LENGTH:
        problems.append(_l("Use at least %(num)s characters.", num=MIN_LENGTH))
    if _looks_common(candidate):
        problems.append(_l("This password is too common. Choose another one."))
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 4 and local_part in candidate.lower():
        problems.append(_l("Do not use your e-mail address in your password."))
    if not problems and _guessable(candidate, email):
        problems.append(_l("This password is too easy to guess. Add a few more words."))
    return problems


def hash_password(password: str) -> str:
    return _hasher.hash(normalise(password))


@lru_cache(maxsize=4)
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash of a random password with `hasher`'s parameters, made once per process (per hasher:
    the tests swap in a cheap one). Checking against it costs what checking a real hash costs."""
    return hasher.hash(secrets.token_urlsafe(24))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_and_update(password_hash: str | None, password: str) -> tuple[bool, str | None]:
    """Whether `password` is right, and a new hash to store when the stored one should change
    (older Argon2 parameters, or made before normalisation).

    One Argon2 verification, against a dummy hash when `password_hash` is None, so that a missing
    account or password takes the same time as a wrong password. A hash from before normalisation
    was made from the password as typed: when the normalised form does not match and normalising
    changed the input, the input as typed is tried too. That second verification depends only on
    what was typed, never on the account, so it reveals nothing about which accounts exist.
    """
    target = password_hash or _dummy_hash(_hasher)
    normalised = normalise(password)
    if _verify(target, normalised):
        right, legacy = True, False
    elif normalised != password and _verify(target, password):
        right, legacy = True, True
    else:
        right, legacy = False, False
    if not right or password_hash is None:
        return False, None
    if legacy or _hasher.check_needs_rehash(password_hash):
        return True, hash_password(password)
    return True, None


def verify_password(password_hash: str | None, password: str) -> bool:
    return verify_and_update(password_hash, password)[0]


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
