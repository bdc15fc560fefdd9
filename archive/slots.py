"""A bounded number of long responses (exports) at once, across all the server's worker processes.

Each slot is a lock file in the data folder; a response holds one while it streams. The operating
system lets go of a lock when its process dies, so a killed worker never keeps a slot.
"""

import fcntl
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path


class Slot:
    """One held slot; release() lets it go (once)."""

    def __init__(self, descriptor: int):
        self._descriptor: int | None = descriptor

    def release(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)  # closing the file releases its lock
            self._descriptor = None


def take_slot(folder: Path, count: int, name: str = "export") -> Slot | None:
    """A free slot of `count`, or None when all are held."""
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        descriptor = os.open(folder / f"{name}-slot-{number}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            continue
        return Slot(descriptor)
    return None


class Streamed:
    """An iterable of a response's parts that calls `on_close` when the server closes it, whether
    the client read it all or went away (Django's streaming responses close what they stream)."""

    def __init__(self, parts: Iterable, on_close: Callable[[], None]):
        self._parts: Iterator = iter(parts)
        self._on_close = on_close

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._parts)

    def close(self) -> None:
        close = getattr(self._parts, "close", None)
        if close is not None:
            close()
        self._on_close()
