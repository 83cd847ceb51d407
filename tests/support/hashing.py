"""A password hasher that remembers which hashes it was asked to verify.

Tests count Argon2 verifications instead of timing them: the same number of verifications on every
path of the log-in is what makes the paths take the same time, whatever the hash costs.
"""

from __future__ import annotations

import threading

import pytest
from argon2 import PasswordHasher

from consult.staff.accounts import passwords


class CountingHasher(PasswordHasher):
    """The tests' cheap parameters (see tests/conftest.py), counting each `verify`."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.verified: list[str] = []  # the hash of each verification, in order
        self._lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        with self._lock:
            self.verified.append(hash if isinstance(hash, str) else hash.decode())
        return super().verify(hash, password)

    def forget(self) -> None:
        with self._lock:
            self.verified.clear()


def count_verifications(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    """Swap a CountingHasher in for the rest of the test; hash accounts after this call."""
    hasher = CountingHasher()
    monkeypatch.setattr(passwords, "_hasher", hasher)
    return hasher
