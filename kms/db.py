"""Write transactions that queue instead of polling.

SQLite lets one writer in at a time. A second writer waits in SQLite's busy handler,
which sleeps in growing steps (up to 100 ms) and wakes late: under a burst of
CreateKey calls most of the time went to sleeping. Here writers of every thread and
every gunicorn worker queue on a lock file beside the database (``flock``), which hands
the turn over the moment the previous writer commits. PostgreSQL needs none of this:
its row locks already queue.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction

_thread_lock = threading.Lock()
_lock_files: dict[str, int] = {}


def _lock_fd(name: str) -> int | None:
    if not name or name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return None  # an in-memory test database: one process, the thread lock suffices
    fd = _lock_files.get(name)
    if fd is None:
        fd = _lock_files[name] = os.open(f"{name}.writelock", os.O_RDWR | os.O_CREAT, 0o600)
    return fd


@contextmanager
def write_transaction() -> Iterator[None]:
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.vendor != "sqlite" or conn.in_atomic_block:
        with transaction.atomic():
            yield
        return
    with _thread_lock:
        fd = _lock_fd(str(conn.settings_dict["NAME"]))
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            with transaction.atomic():
                yield
        finally:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
