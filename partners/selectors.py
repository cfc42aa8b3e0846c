"""Reads about agencies and memberships."""

from __future__ import annotations

from accounts.roles import holds_no_staff_role

from .models import Agency, AgencyMembership

# Set on a user object once its membership was looked up, so a request asks the database at most once
# (and not at all for a citizen the middleware already knows has none: roles.holds_no_staff_role).
_MEMBERSHIP = "_portal_membership"
_NONE = object()


def membership_for(user) -> AgencyMembership | None:
    """The user's agency membership, or None (anonymous users and citizens have none); looked up
    once per user object (i.e. once per request), like ``accounts.roles.group_names``."""
    if not getattr(user, "is_authenticated", False) or holds_no_staff_role(user):
        return None
    membership = getattr(user, _MEMBERSHIP, None)
    if membership is None:
        membership = AgencyMembership.objects.select_related("agency").filter(user=user).first() or _NONE
        setattr(user, _MEMBERSHIP, membership)
    return None if membership is _NONE else membership


def agency_for_email(email: str) -> Agency | None:
    """The active agency whose work-mail domain matches ``email`` exactly, or None."""
    domain = email.rsplit("@", 1)[-1].strip().lower() if "@" in email else ""
    if not domain:
        return None
    return Agency.objects.active().filter(email_domains__domain=domain).first()


# --- Public pages and the clerk overview --------------------------------------------------------

RECENT_PER_CLAUSE = 5


def agreement_current():
    """The agreement shown on /partners/ (the latest signed), with its clauses; None before any is entered."""
    from .models import Agreement

    return Agreement.objects.prefetch_related("clauses").first()


def accepted_counts(*, agreement, year: int | None = None) -> dict[tuple[int, int], int]:
    """{(clause id, agency id): accepted activity count}, one aggregate query."""
    from django.db.models import Count

    from .models import ActivityReport

    qs = ActivityReport.objects.accepted().filter(clause__agreement=agreement)
    if year is not None:
        qs = qs.filter(date__year=year)
    rows = qs.values("clause_id", "agency_id").annotate(n=Count("id")).order_by()
    return {(row["clause_id"], row["agency_id"]): row["n"] for row in rows}


def recent_accepted_by_clause(*, agreement, per_clause: int = RECENT_PER_CLAUSE, agency=None) -> dict[int, list]:
    """The latest accepted activities of each clause (one query, a window function ranks them)."""
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    from .models import ActivityReport

    qs = ActivityReport.objects.accepted().filter(clause__agreement=agreement)
    if agency is not None:
        qs = qs.filter(agency=agency)
    ranked = (qs.annotate(rank=Window(RowNumber(), partition_by=[F("clause_id")],
                                      order_by=[F("date").desc(), F("pk").desc()]))
              .filter(rank__lte=per_clause).select_related("agency").order_by("clause_id", "rank"))
    result: dict[int, list] = {}
    for report in ranked:
        result.setdefault(report.clause_id, []).append(report)
    return result


def partners_overview(*, user=None) -> dict:
    """Everything /partners/ shows, in a fixed number of queries whatever the number of activities."""
    agreement = agreement_current()
    agencies = list(Agency.objects.partners().active())
    if agreement is None:
        return {"agreement": None, "agencies": agencies, "clauses": []}
    counts = accepted_counts(agreement=agreement)
    recent = recent_accepted_by_clause(agreement=agreement)
    clauses = []
    for clause in agreement.clauses.all():
        per_agency = [(agency, counts.get((clause.pk, agency.pk), 0)) for agency in agencies]
        clauses.append({"clause": clause, "recent": recent.get(clause.pk, []), "per_agency": per_agency,
                        "total": sum(n for _agency, n in per_agency)})
    return {"agreement": agreement, "agencies": agencies, "clauses": clauses}


def agency_public(*, agency) -> dict:
    """One agency's public page: its commitments and accepted activities per clause."""
    from .models import Commitment

    agreement = agreement_current()
    commitments = list(Commitment.objects.filter(agency=agency).select_related("clause"))
    if agreement is None:
        return {"agency": agency, "agreement": None, "clauses": [], "commitments": commitments}
    counts = accepted_counts(agreement=agreement)
    recent = recent_accepted_by_clause(agreement=agreement, agency=agency, per_clause=10)
    clauses = [{"clause": clause, "count": counts.get((clause.pk, agency.pk), 0),
                "commitments": [c for c in commitments if c.clause_id == clause.pk],
                "recent": recent.get(clause.pk, [])}
               for clause in agreement.clauses.all()]
    return {"agency": agency, "agreement": agreement, "clauses": clauses, "commitments": commitments}


def commitments_vs_activities(*, year: int) -> dict:
    """The clerk overview: per agency and clause, yearly targets against accepted (and pending) reports."""
    from django.db.models import Count, Q

    from .models import ActivityReport, Commitment

    agreement = agreement_current()
    agencies = list(Agency.objects.partners())
    if agreement is None:
        return {"agreement": None, "rows": [], "clauses": [], "year": year}
    clauses = list(agreement.clauses.all())
    targets: dict[tuple[int, int], list] = {}
    for commitment in Commitment.objects.filter(clause__agreement=agreement):
        targets.setdefault((commitment.clause_id, commitment.agency_id), []).append(commitment)
    tallies = {
        (row["clause_id"], row["agency_id"]): row
        for row in ActivityReport.objects.filter(clause__agreement=agreement, date__year=year)
        .values("clause_id", "agency_id").order_by()
        .annotate(accepted=Count("id", filter=Q(status="accepted")),
                  pending=Count("id", filter=Q(status="submitted")))
    }
    rows = []
    for agency in agencies:
        cells = []
        for clause in clauses:
            tally = tallies.get((clause.pk, agency.pk), {})
            commitments = targets.get((clause.pk, agency.pk), [])
            target = sum(c.target_count or 0 for c in commitments)
            accepted = tally.get("accepted", 0)
            cells.append({"clause": clause, "commitments": commitments, "target": target, "accepted": accepted,
                          "pending": tally.get("pending", 0), "met": bool(target) and accepted >= target})
        rows.append({"agency": agency, "cells": cells})
    return {"agreement": agreement, "rows": rows, "clauses": clauses, "year": year}
