"""The one clock of the core: "now" and the length of a waiting-period day.

Tests and the sandbox move time here and nowhere else.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def days(n: int) -> timedelta:
    """A waiting period of ``n`` days, each ``KMS_DAY_SECONDS`` long."""
    return timedelta(seconds=n * settings.KMS_DAY_SECONDS)


def isoformat(value: datetime | None) -> str | None:
    """The seed's date format: microseconds and an explicit offset."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="microseconds")
