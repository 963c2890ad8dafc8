"""Korean Standard Time, which Korean news pages print without an offset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

KST = timezone(timedelta(hours=9), "KST")


def kst_to_utc(stamp: str) -> datetime:
    """'2024-01-22 16:58' (KST, spacing as printed) -> timezone-aware UTC."""
    local = datetime.strptime(" ".join(stamp.split()), "%Y-%m-%d %H:%M")
    return local.replace(tzinfo=KST).astimezone(UTC)
