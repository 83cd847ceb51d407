"""A small in-process cache of the most recently used values, safe across a worker's threads.

Used for what a page or a read can reuse while its inputs stay the same: the participant pages'
parts (consult.participation.fragments), the dashboard's rendered board (consult.summaries.views),
the themes' counted reads (consult.themes.queries) and the suppression audit's results
(consult.summaries.suppression). Each key holds every input of its value, so nothing is ever
invalidated: a changed input is another key, and old keys fall out as the least recently used.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class LruCache(Generic[V]):
    def __init__(self, size: int) -> None:
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            found = self._values.get(key)
            if found is not None:
                self._values.move_to_end(key)
            return found

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self._size:
                self._values.popitem(last=False)

    def get_or_make(self, key: Hashable, make: Callable[[], V]) -> V:
        """The kept value, or `make()` kept (made outside the lock: two threads may both make a
        value for a new key; they are equal, and one is kept)."""
        found = self.get(key)
        if found is None:
            found = make()
            self.put(key, found)
        return found

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        return len(self._values)
