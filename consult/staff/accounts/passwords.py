"""Staff passwords: Argon2id hashes, at least 12 characters, not a common password."""

from __future__ import annotations

import string
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
_hasher = PasswordHasher()  # argon2-cffi's defaults follow RFC 9106's recommendations


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("consult").joinpath("data", "common-passwords.txt").read_text("utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def _looks_common(password: str) -> bool:
    lowered = password.lower()
    trimmed = lowered.strip(string.digits + string.punctuation + " ")
    return lowered in common_passwords() or trimmed in common_passwords()


def password_problems(password: str, email: str = "") -> list[LazyString]:
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_l("Use at least %(num)s characters.", num=MIN_LENGTH))
    if _looks_common(password):
        problems.append(_l("This password is too common. Choose another one."))
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 4 and local_part in password.lower():
        problems.append(_l("Do not use your e-mail address in your password."))
    return problems


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # Spend the same time as a real check, so a missing account is not revealed by timing.
        _hasher.hash(password)
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
