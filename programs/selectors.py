"""Reads for programs: the catalog with its filters and search, finder results, the timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet

from . import eligibility
from .models import Application, HouseholdTag, LifeStage, Program

# What a program card shows beyond the row: the documents to prepare (programs/_card.html).
CARD_PREFETCH = ("required_documents",)


@dataclass(frozen=True)
class CatalogFilters:
    stage: str = ""
    tag: str = ""
    topic: str = ""
    open_now: bool = False
    q: str = ""

    @classmethod
    def from_query(cls, data) -> CatalogFilters:
        """Unknown values are ignored (a stale bookmark still shows the catalog, never an error)."""
        stage = data.get("stage", "")
        topic = data.get("topic", "")
        return cls(
            stage=stage if stage in LifeStage.values else "",
            # PostgreSQL text cannot hold NUL (the query failed with a 500): drop it, like any noise.
            tag=(data.get("tag", "") or "").replace("\x00", "")[:30],
            topic=topic if topic in Program.Topic.values else "",
            open_now=data.get("open") == "1",
            q=" ".join((data.get("q", "") or "").replace("\x00", " ").split())[:100],
        )


def program_search(queryset: QuerySet, text: str) -> QuerySet:
    """Partial-word search over titles and summaries in both languages.

    Substring matching finds Korean words inside compounds ("출산" in "임신출산교실"). On
    PostgreSQL the ``UPPER(col) LIKE`` that ``icontains`` produces is served by trigram GIN
    indexes (migration 0002); SQLite (``make run`` only) scans, which is fine for a catalog.
    """
    for word in text.split():
        queryset = queryset.filter(
            Q(title_ko__icontains=word) | Q(summary_ko__icontains=word)
            | Q(title_en__icontains=word) | Q(summary_en__icontains=word)
        )
    return queryset


def program_list_visible_to(user, *, filters: CatalogFilters | None = None) -> QuerySet:
    """Programs the catalog shows: published for everyone, with the household tags prefetched."""
    filters = filters or CatalogFilters()
    queryset = Program.objects.visible_to(user).filter(status=Program.Status.PUBLISHED)
    if filters.stage:
        queryset = queryset.filter(life_stage=filters.stage)
    if filters.topic:
        queryset = queryset.filter(topic=filters.topic)
    if filters.tag:
        queryset = queryset.filter(household_tags__code=filters.tag)
    if filters.open_now:
        queryset = queryset & Program.objects.open_now()
    if filters.q:
        queryset = program_search(queryset, filters.q)
    return queryset.prefetch_related(Prefetch("household_tags", queryset=HouseholdTag.objects.all()),
                                     *CARD_PREFETCH).distinct()


def household_tag_codes() -> frozenset[str]:
    """Codes of the household tags (cached with the programs' version: a catalog key never holds junk)."""
    from gwangmyeong_portal import page_cache

    return page_cache.get_or_set(page_cache.key("programs", "tag-codes"),
                                 lambda: frozenset(HouseholdTag.objects.values_list("code", flat=True)))


def trigram_indexes_present() -> bool:
    """Whether the search indexes exist (PostgreSQL only); used by a test and the health page."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname LIKE 'programs_program_trgm_%%'")
        return cursor.fetchone()[0] >= 4


@dataclass(frozen=True)
class FinderRow:
    program: Program
    verdict: eligibility.Verdict


def finder_results(answers: eligibility.Answers) -> list[FinderRow]:
    """Every published program with its verdict; eligible first, then maybe, then not."""
    order = {eligibility.ELIGIBLE: 0, eligibility.MAYBE: 1, eligibility.INELIGIBLE: 2}
    rows = [
        FinderRow(program, eligibility.evaluate(program.eligibility_rules, answers))
        for program in Program.objects.published().order_by("life_stage", "title_ko")
    ]
    return sorted(rows, key=lambda row: order[row.verdict.status])


@dataclass(frozen=True)
class TimelineItem:
    program: Program
    starts_on: date
    ends_on: date


def personal_timeline(*, due_date: date | None = None, birth_date: date | None = None) -> list[TimelineItem]:
    """A dated checklist: what to apply for and by when, from a due date and/or a child's birth date."""
    anchors = {Program.TimelineAnchor.DUE_DATE: due_date, Program.TimelineAnchor.BIRTH_DATE: birth_date}
    items = []
    programs = Program.objects.published().exclude(timeline_anchor="").filter(
        timeline_anchor__in=[k for k, v in anchors.items() if v]
    )
    for program in programs:
        anchor = anchors[program.timeline_anchor]
        starts = anchor + timedelta(days=program.timeline_start_days or 0)
        ends = anchor + timedelta(days=program.timeline_end_days or 0)
        items.append(TimelineItem(program, starts, max(starts, ends)))
    return sorted(items, key=lambda item: (item.ends_on, item.program.title_ko))


def application_list_for(user) -> QuerySet:
    return (Application.objects.visible_to(user).filter(applicant=user)
            .select_related("program").order_by("-created_at"))


def application_get_visible(user, reference: str) -> Application:
    """One submitted application the user may see, or Application.DoesNotExist (→ 404)."""
    return (Application.objects.visible_to(user).select_related("program", "applicant")
            .prefetch_related("history", "documents__required_document").get(reference=reference))



def program_open_for_home(*, limit: int = 6) -> list[Program]:
    """Programs taking online applications today, the nearest deadline first (open-ended last), for
    the front page's "지금 신청할 수 있어요"; the same for every visitor."""
    from django.db.models import F

    return list(Program.objects.open_now().order_by(F("closes_on").asc(nulls_last=True), "title_ko")
                .prefetch_related(*CARD_PREFETCH)[:limit])


def program_opening_soon(*, days: int = 45, limit: int = 5) -> list[Program]:
    """Published online programs whose application window opens within ``days`` (the front page's news)."""
    from django.utils import timezone

    today = timezone.localdate()
    return list(Program.objects.published().filter(apply_method=Program.ApplyMethod.ONLINE,
                                                   opens_on__gt=today, opens_on__lte=today + timedelta(days=days))
                .order_by("opens_on", "title_ko")[:limit])
