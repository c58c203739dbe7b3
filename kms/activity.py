"""Activity records that need not be atomic with a change: read operations and refusals.

A state change records its activity inside its own transaction. A read (DescribeKey,
Encrypt, Decrypt, ...) or a refusal changes nothing, so its record is queued here and
written in batches by a flusher thread, at most ``KMS_ACTIVITY_FLUSH_SECONDS`` later
(or by the request that finds ``BATCH`` records waiting), in one transaction: a commit
per read would cost about a third of the API's throughput. A process killed with
SIGKILL loses at most that last second of read records, never a change. With
``KMS_ACTIVITY_FLUSH_SECONDS = 0`` every record is written at once (the test suite does
this, so that assertions see every row).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections

log = logging.getLogger("kms.activity")

# Past this many waiting records the request that adds one writes them (bounds memory);
# otherwise the flusher thread writes them every KMS_ACTIVITY_FLUSH_SECONDS.
BATCH = 2000

_lock = threading.Lock()
_pending: list = []
_timer: threading.Thread | None = None


def record(fields: dict) -> None:
    """Queue the fields of an ``Activity`` row (or write it now when buffering is off)."""
    delay = settings.KMS_ACTIVITY_FLUSH_SECONDS
    if delay <= 0:
        from .models import Activity

        Activity(**fields).save(force_insert=True)
        return
    with _lock:
        _pending.append(fields)
        due = len(_pending) >= BATCH
    if _timer is None or not _timer.is_alive():
        _ensure_timer(delay)
    if due:
        flush()


def flush() -> int:
    """Write every queued record; return how many."""
    with _lock:
        rows = _pending[:]
        _pending.clear()
    if not rows:
        return 0
    from .db import write_transaction
    from .models import Activity, fast_insert_many

    try:
        with write_transaction():
            fast_insert_many(Activity, rows)
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
