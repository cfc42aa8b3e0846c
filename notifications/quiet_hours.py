"""SMS quiet hours: no text messages between 21:00 and 08:00 Seoul time unless the kind is urgent."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext

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


def too_late_reason(held_until: datetime | None, useless_after: datetime | None) -> str:
    """Why a text held until ``held_until`` is not sent at all: it would arrive at or after
    ``useless_after`` (the event has started, the offer has expired). "" when it is still useful."""
    if held_until is None or useless_after is None or held_until < useless_after:
        return ""
    return gettext("야간 발송 제한으로 %(held)s까지 보류하면 쓸모가 없어지는 %(useless)s 이후에 도착하므로 "
                   "문자를 보내지 않았습니다(앱 알림과 이메일은 보냄).") % {
        "held": f"{held_until.astimezone(SEOUL):%Y-%m-%d %H:%M}",
        "useless": f"{useless_after.astimezone(SEOUL):%Y-%m-%d %H:%M}"}


def quiet_start_before(moment: datetime) -> datetime | None:
    """If ``moment`` falls inside quiet hours, when that quiet period began (aware, Seoul time)."""
    release = quiet_until(moment)
    if release is None:
        return None
    start, end = settings.NOTIFY_QUIET_HOURS
    span = timedelta(hours=(end - start) % 24)
    return release - span
