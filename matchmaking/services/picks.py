"""Picks after a meetup, and the matches made when two attendees pick each other."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify

from .. import notification_kinds as kinds
from ..models import Match, MeetupSession, Pick, Profile
from .profiles import profile_touch
from .sessions import attendee_ids


@transaction.atomic
def pick_submit(*, session: MeetupSession, picker: Profile, picked_ids: Iterable[int],
                now: datetime | None = None) -> list[Match]:
    """Add the picker's choices (at most ``MATCHMAKING_MAX_PICKS`` per session, attendees only,
    between the end of the event and the pick deadline) and make matches where the choice is mutual.

    The session row is locked for the whole check-and-write, so two people picking each other at
    the same moment still become a match and nobody slips past the limit with two tabs.
    Returns the new matches. A refused call changes nothing.
    """
    now = now or timezone.now()
    session = MeetupSession.objects.select_for_update().select_related("event").get(pk=session.pk)
    wanted = {int(pk) for pk in picked_ids}
    attendees = attendee_ids(session)
    if picker.pk not in attendees:
        raise ValidationError(_("이 행사에 참석한 분만 고를 수 있습니다."), code="not_attendee")
    if now < session.ends_at:
        raise ValidationError(_("행사가 끝난 뒤에 고를 수 있습니다."), code="too_early")
    if now >= session.pick_deadline:
        raise ValidationError(_("선택 기한이 지났습니다."), code="after_deadline")
    if not wanted:
        raise ValidationError(_("한 명 이상 골라 주세요."), code="empty")
    if picker.pk in wanted:
        raise ValidationError(_("자기 자신은 고를 수 없습니다."), code="self")
    if not wanted <= attendees:
        raise ValidationError(_("이 행사에 참석한 분만 고를 수 있습니다."), code="not_attendee_picked")
    existing = set(Pick.objects.filter(session=session, picker=picker).values_list("picked_id", flat=True))
    limit = settings.MATCHMAKING_MAX_PICKS
    if len(existing | wanted) > limit:
        raise ValidationError(
            _("한 행사에서 %(limit)s명까지 고를 수 있습니다. 이미 %(done)s명을 고르셨습니다.")
            % {"limit": limit, "done": len(existing)},
            code="too_many",
        )
    new = sorted(wanted - existing)
    Pick.objects.bulk_create([Pick(session=session, picker=picker, picked_id=pk) for pk in new])
    mutual = set(Pick.objects.filter(session=session, picker_id__in=new, picked=picker)
                 .values_list("picker_id", flat=True))
    matches = [match_create(session=session, first_id=picker.pk, second_id=pk) for pk in sorted(mutual)]
    profile_touch(profile=picker, now=now)
    return [m for m in matches if m is not None]


def match_create(*, session: MeetupSession, first_id: int, second_id: int) -> Match | None:
    """Record a mutual pick (idempotent) and tell both; returns the match if it is new."""
    a, b = sorted((first_id, second_id))
    match, created = Match.objects.get_or_create(session=session, profile_a_id=a, profile_b_id=b)
    if not created:
        return None
    for profile in Profile.objects.filter(pk__in=(a, b)).select_related("user"):
        notify(recipient=profile.user, kind=kinds.MATCH_MADE.key, link=reverse("matchmaking:matches"),
               context={"title": session.title}, idempotency_key=f"matchmaking.match:{match.pk}:{profile.pk}")
    return match
