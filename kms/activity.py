"""Activity records that need not be atomic with a change: read operations and refusals.

A state change records its activity inside its own transaction. A read (DescribeKey,
Encrypt, Decrypt, ...) or a refusal changes nothing, so its record is queued here and
written in batches, at most ``KMS_ACTIVITY_FLUSH_SECONDS`` later (or as soon as
``BATCH`` records wait), in one transaction: a commit per read would cost about a third
of the API's throughput. A process killed with SIGKILL loses at most that last second
of read records, never a change. With ``KMS_ACTIVITY_FLUSH_SECONDS = 0`` every record is
written at once (the test suite does this, so that assertions see every row).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections

log = logging.getLogger("kms.activity")

BATCH = 500

_lock = threading.Lock()
_pending: list = []
_last_flush = time.monotonic()
_timer: threading.Thread | None = None


def record(row) -> None:
    """Queue an unsaved ``Activity`` (or save it now when buffering is off)."""
    delay = settings.KMS_ACTIVITY_FLUSH_SECONDS
    if delay <= 0:
        row.save(force_insert=True)
        return
    global _last_flush
    with _lock:
        _pending.append(row)
        due = len(_pending) >= BATCH or time.monotonic() - _last_flush >= delay
    _ensure_timer(delay)
    if due:
        flush()


def flush() -> int:
    """Write every queued record; return how many."""
    global _last_flush
    with _lock:
        rows = _pending[:]
        _pending.clear()
        _last_flush = time.monotonic()
    if not rows:
        return 0
    from .db import write_transaction
    from .models import Activity

    try:
        with write_transaction():
            Activity.objects.bulk_create(rows, batch_size=BATCH)
    except Exception:
        log.exception("could not write %d activity records", len(rows))
        return 0
    return len(rows)


def _ensure_timer(delay: float) -> None:
    """A daemon thread flushes what waits even when no request comes to do it."""
    global _timer
    if _timer is not None and _timer.is_alive():
        return
    with _lock:
        if _timer is not None and _timer.is_alive():
            return

        def loop() -> None:
            while True:
                time.sleep(delay)
                if _pending:
                    flush()
                    close_old_connections()

        _timer = threading.Thread(target=loop, name="activity-flush", daemon=True)
        _timer.start()


atexit.register(flush)
