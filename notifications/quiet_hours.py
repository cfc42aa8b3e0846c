"""SMS quiet hours: no text messages between 21:00 and 08:00 Seoul time unless the kind is urgent."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

SEOUL = ZoneInfo("Asia/Seoul")


def quiet_until(now: datetime) -> datetime | None:
    """When quiet hours end if ``now`` is inside them (aware, Seoul time), else None."""
    start, end = settings.NOTIFY_QUIET_HOURS
    local = now.astimezone(SEOUL)
    if start <= end:  # e.g. (13, 14): a window inside one day
        inside = start <= local.hour < end
    else:  # (21, 8): the window crosses midnight
        inside = local.hour >= start or local.hour < end
    if not inside:
        return None
    release = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if release <= local:
        release += timedelta(days=1)
    return release
