"""Reads of the meetup registry."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from gwangmyeong_portal import small_counts

from .models import Match, MeetupSession, Pick, Profile, SessionApplication

Status = SessionApplication.Status


def profile_of(user) -> Profile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Profile.objects.filter(user=user).select_related("institution").first()


def sessions_open_or_upcoming(*, now=None):
    """Sessions a profile can see: every session whose event has not ended long ago, newest first."""
    now = now or timezone.now()
    return (MeetupSession.objects.select_related("event")
            .filter(event__ends_at__gte=now - timezone.timedelta(days=30)).order_by("applications_close_at", "pk"))


def applications_by_session(profile: Profile) -> dict[int, SessionApplication]:
    """The profile's applications by session. A waitlisted one carries ``waitlist_rank``, its place in
    line now: seats handed on after the draw leave gaps in the positions the draw gave (they stay as
    recorded), so "3rd on the draw's list" may be "1st in line" today."""
    in_line_before = (SessionApplication.objects
                      .filter(session=OuterRef("session"), status=Status.WAITLISTED, profile__gender=profile.gender,
                              waitlist_position__lte=OuterRef("waitlist_position"))
                      .order_by().values("session").annotate(n=Count("pk")).values("n"))
    applications = SessionApplication.objects.filter(profile=profile).annotate(waitlist_rank=Subquery(in_line_before))
    return {a.session_id: a for a in applications}


def picks_made(*, session: MeetupSession, picker: Profile) -> set[int]:
    return set(Pick.objects.filter(session=session, picker=picker).values_list("picked_id", flat=True))


def attendees_for_picking(*, session: MeetupSession, picker: Profile) -> list[Profile]:
    """The other attendees of a session, as the picker may see them (no contact, no birth year)."""
    return list(Profile.objects.filter(applications__session=session, applications__status=Status.ATTENDED)
                .exclude(pk=picker.pk).select_related("institution").order_by("display_name", "pk"))


@dataclass
class MatchView:
    session_title: str
    session_date: object
    other: Profile | None  # None: the other person left

    @property
    def other_left(self) -> bool:
        return self.other is None


def matches_for(*, profile: Profile) -> list[MatchView]:
    """The profile's matches, each with the other side (whose contact the page may reveal)."""
    rows = (Match.objects.filter(Q(profile_a=profile) | Q(profile_b=profile))
            .select_related("session__event", "profile_a__institution", "profile_b__institution")
            .order_by("-created_at", "-pk"))
    return [MatchView(m.session.title, m.session.starts_at, m.other_side(profile)) for m in rows]


# The small-count rule is the project's one rule (gwangmyeong_portal.small_counts): the reports
# dashboard applies the same to every table that counts people.
_suppress = small_counts.count


def city_aggregates(*, now=None, start=None, end=None) -> dict:
    """Figures for the city: per held session and in total — applications, seats, attendance,
    matches and match rate (matched attendees / attendees). Small counts are suppressed (None, the
    project's rule: ``gwangmyeong_portal.small_counts``, threshold ``SMALL_COUNT_THRESHOLD``), a
    column's total is withheld when one of its cells is (``totals["withheld"]``), and a rate is
    shown only when both of its counts are. ``start``/``end`` keep sessions starting in that period
    (the reports dashboard). The one place these rules live: the stats page and the reports
    dashboard both read them here. One query."""
    now = now or timezone.now()
    held = MeetupSession.objects.filter(event__starts_at__lte=now)
    if start is not None and end is not None:
        held = held.filter(event__starts_at__gte=start, event__starts_at__lt=end)
    sessions = (held.select_related("event")
                .annotate(n_applications=Count("applications", distinct=True),
                          n_attended=Count("applications", filter=Q(applications__status=Status.ATTENDED),
                                           distinct=True),
                          n_matches=Count("matches", distinct=True))
                .order_by("event__starts_at", "pk"))
    rows = []
    totals = {"applications": 0, "seats": 0, "attended": 0, "matches": 0}
    for s in sessions:
        seats = s.seats_female + s.seats_male
        rows.append({
            "title": s.title, "title_ko": s.event.title_ko, "date": s.starts_at,
            "applications": _suppress(s.n_applications), "seats": seats,
            "attended": _suppress(s.n_attended), "matches": _suppress(s.n_matches),
            "match_rate": _rate(s.n_matches, s.n_attended),
        })
        totals["applications"] += s.n_applications
        totals["seats"] += seats
        totals["attended"] += s.n_attended
        totals["matches"] += s.n_matches
    # A total beside exactly one hidden cell would give that cell away (total minus the others): a
    # column's total is withheld whenever any of its session cells is hidden.
    withheld = {name for name in ("applications", "attended", "matches") if any(r[name] is None for r in rows)}
    shown = {name: (None if name in withheld else _suppress(totals[name]))
             for name in ("applications", "attended", "matches")}
    return {
        "sessions": rows, "threshold": small_counts.threshold(),
        "totals": {
            "sessions": len(rows), "seats": totals["seats"], **shown, "withheld": sorted(withheld),
            "match_rate": (None if withheld & {"attended", "matches"}
                           else _rate(totals["matches"], totals["attended"])),
        },
    }


def _rate(matches: int, attended: int) -> float | None:
    # Matched attendees (two per match) per attendee; shown only when both counts are.
    return small_counts.rate(matches, attended, scale=200)
