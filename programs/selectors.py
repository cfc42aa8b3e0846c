"""Reads for programs: the catalog with its filters and search, finder results, the timeline."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.db import connection, transaction
from django.db.models import Case, F, Func, IntegerField, Prefetch, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Concat, Lower, Replace
from django.utils import timezone
from django.utils.translation import get_language

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


# --- Search --------------------------------------------------------------------------------------
# Korean is written with and without spaces ("출산 장려금", "출산장려금"), so matching compares a
# space-stripped text of the four searchable fields on both sides. Near misses (typos such as
# "출샨", "장남감") are found by trigram word similarity on the text decomposed into jamo (NFD):
# one wrong syllable is one wrong letter of three, where on whole syllables it would be a
# different "letter" and share almost no trigrams. Both expressions have a trigram GIN index
# (migration 0004, which builds them from a frozen copy of these expressions: change both).
_TEXT = TextField()
SEARCH_FIELDS = ("title_ko", "summary_ko", "title_en", "summary_en")
# Removed from both sides before comparing: spaces, and the middle dot of "임신·출산".
SEARCH_IGNORED = (" ", "·")
# word_similarity of the query's jamo to the closest part of a program's; one wrong syllable in a
# two- or three-syllable word scores about 0.5-0.6, unrelated words below 0.4.
NEAR_MISS_THRESHOLD = 0.45
NEAR_MISS_LIMIT = 30
SUGGESTION_LIMIT = 3
SEARCH_KEY_INDEX = "programs_program_trgm_search_key"
SEARCH_JAMO_INDEX = "programs_program_trgm_search_jamo"


def _joined(separator: str, fields=SEARCH_FIELDS):
    parts = []
    for name in fields:
        if parts:
            parts.append(Value(separator))
        parts.append(F(name))
    return Concat(*parts, output_field=_TEXT)


def _stripped(expression):
    for char in SEARCH_IGNORED:
        expression = Replace(expression, Value(char), Value(""), output_field=_TEXT)
    return expression


class _Jamo(Func):
    """PostgreSQL's ``normalize(text, NFD)``: Hangul syllables decomposed into their letters (immutable)."""

    function = "normalize"
    template = "%(function)s(%(expressions)s, NFD)"
    output_field = _TEXT


def search_key():
    """The space-stripped text a search word must be part of ("|" keeps fields apart)."""
    return _stripped(_joined("|"))


def search_jamo_key(fields=SEARCH_FIELDS):
    """Lower-cased, jamo-decomposed text the near-miss search compares by trigram word similarity."""
    return _Jamo(Lower(_joined(" ", fields), output_field=_TEXT))


def _strip_query(text: str) -> str:
    for char in SEARCH_IGNORED:
        text = text.replace(char, "")
    return text


def _jamo(text: str) -> str:
    return unicodedata.normalize("NFD", text.lower())


@dataclass(frozen=True)
class ProgramSearch:
    """What a search found: the programs (a queryset, ranked) and, for near misses, what to suggest.

    ``approximate`` is true when nothing matched the words and ``programs`` holds the closest
    programs instead; ``suggestions`` are their titles, offered as "이것을 찾으셨나요?".
    """

    programs: QuerySet
    text: str = ""
    approximate: bool = False
    suggestions: tuple[str, ...] = ()


def program_search(queryset: QuerySet, *, text: str) -> ProgramSearch:
    """Search programs for ``text``, the one search of the catalog, the home page and the API.

    Every word must be part of the programs' space-stripped text, so "출산장려금" finds "출산 장려금"
    and "출산 장려금" finds "출산장려금"; title matches rank first, then by trigram similarity of the
    title. When no program matches, the closest by trigram word similarity are returned with
    ``approximate`` set and their titles as suggestions. On SQLite (``make run`` only) the words are
    matched the same way, with ``icontains`` on the stripped text, and near misses are not sought.
    Costs one query more than listing when something matches, two more when nothing does.
    """
    words = [w for w in (_strip_query(word) for word in text.split()) if w]
    if not words:
        return ProgramSearch(programs=queryset, text=text)
    searchable = queryset.alias(search_key=search_key())
    title_key = _stripped(_joined("|", ("title_ko", "title_en")))
    matches = searchable.filter(*[Q(search_key__icontains=word) for word in words])
    in_title = Case(When(Q(*[Q(title_search_key__icontains=word) for word in words]), then=Value(1)),
                    default=Value(0), output_field=IntegerField())
    ranked = matches.alias(title_search_key=title_key).alias(in_title=in_title)
    postgres = connection.vendor == "postgresql"
    if postgres:
        ranked = ranked.alias(title_similarity=TrigramSimilarity(
            search_jamo_key(("title_ko", "title_en")), _jamo(" ".join(words))))
        ranked = ranked.order_by("-in_title", "-title_similarity", "life_stage", "title_ko")
    else:
        ranked = ranked.order_by("-in_title", "life_stage", "title_ko")
    if not postgres or ranked.exists():
        return ProgramSearch(programs=ranked, text=text)
    near = _near_misses(queryset, text)
    if not near:
        return ProgramSearch(programs=ranked, text=text)
    order = Case(*[When(pk=pk, then=Value(rank)) for rank, (pk, _title) in enumerate(near)],
                 output_field=IntegerField())
    programs = queryset.filter(pk__in=[pk for pk, _title in near]).alias(near_rank=order).order_by("near_rank")
    suggestions = tuple(dict.fromkeys(title for _pk, title in near))[:SUGGESTION_LIMIT]
    return ProgramSearch(programs=programs, text=text, approximate=True, suggestions=suggestions)


def near_miss_queryset(queryset: QuerySet, query: str) -> QuerySet:
    """Programs whose jamo text has a part close to ``query`` (already jamo), closest first.

    Only meaningful with ``pg_trgm.word_similarity_threshold`` set (``_near_misses`` does)."""
    return (queryset.alias(jamo_key=search_jamo_key())
            .filter(jamo_key__trigram_word_similar=query)
            .annotate(score=TrigramWordSimilarity(query, search_jamo_key()),
                      title_score=TrigramSimilarity(search_jamo_key(("title_ko", "title_en")), query))
            .order_by("-score", "-title_score", "title_ko"))


def _near_misses(queryset: QuerySet, text: str) -> list[tuple[int, str]]:
    """(id, title) of the programs closest to ``text``, best first (PostgreSQL only).

    ``%>`` is the operator the trigram index answers; its threshold is a setting, set for this
    transaction only and put back before the rows are used."""
    query = _jamo(" ".join(text.split()))
    language = (get_language() or "ko").split("-")[0]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('pg_trgm.word_similarity_threshold', true), "
                       "set_config('pg_trgm.word_similarity_threshold', %s, true)", [str(NEAR_MISS_THRESHOLD)])
        previous = cursor.fetchone()[0] or "0.6"
        rows = list(near_miss_queryset(queryset, query).values_list("pk", "title_ko", "title_en")[:NEAR_MISS_LIMIT])
        cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [previous])
    return [(pk, (title_en if language == "en" and title_en else title_ko)) for pk, title_ko, title_en in rows]


def program_catalog(user, *, filters: CatalogFilters | None = None) -> ProgramSearch:
    """The catalog: published programs for everyone, filtered, searched, household tags prefetched."""
    filters = filters or CatalogFilters()
    queryset = Program.objects.visible_to(user).filter(status=Program.Status.PUBLISHED)
    if filters.stage:
        queryset = queryset.filter(life_stage=filters.stage)
    if filters.topic:
        queryset = queryset.filter(topic=filters.topic)
    if filters.tag:
        # A subquery rather than a join: one row per program, so no DISTINCT to fight the ranking.
        queryset = queryset.filter(pk__in=Program.household_tags.through.objects.filter(
            householdtag__code=filters.tag).values("program_id"))
    if filters.open_now:
        queryset = queryset & Program.objects.open_now()
    search = program_search(queryset, text=filters.q)
    programs = search.programs.prefetch_related(Prefetch("household_tags", queryset=HouseholdTag.objects.all()),
                                                *CARD_PREFETCH)
    return replace(search, programs=programs)


def program_list_visible_to(user, *, filters: CatalogFilters | None = None) -> QuerySet:
    """The programs of ``program_catalog`` alone (for callers that need no suggestions)."""
    return program_catalog(user, filters=filters).programs


def household_tag_codes() -> frozenset[str]:
    """Codes of the household tags (cached with the programs' version: a catalog key never holds junk)."""
    from gwangmyeong_portal import page_cache

    return page_cache.get_or_set(page_cache.key("programs", "tag-codes"),
                                 lambda: frozenset(HouseholdTag.objects.values_list("code", flat=True)))


def trigram_indexes_present() -> bool:
    """Whether the search indexes exist (PostgreSQL only): the per-column ones of the admin's search
    and the two of ``program_search``."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'programs_program_trgm_%%'")
        names = {row[0] for row in cursor.fetchall()}
    return len(names) >= 6 and {SEARCH_KEY_INDEX, SEARCH_JAMO_INDEX} <= names


@dataclass(frozen=True)
class FinderRow:
    program: Program
    verdict: eligibility.Verdict


@dataclass(frozen=True)
class FinderResults:
    """The finder's answer, split the way a citizen reads it.

    Benefits are programs with rules about who may have them, by verdict; ``open_to_all`` are
    the facilities and services without any rule (a nursing room, the toy library), which
    everyone may use and which would otherwise crowd "받을 수 있어요".
    """

    eligible: list[FinderRow]
    maybe: list[FinderRow]
    ineligible: list[FinderRow]
    open_to_all: list[FinderRow]

    @property
    def benefit_count(self) -> int:
        return len(self.eligible) + len(self.maybe)


def finder_results(answers: eligibility.Answers) -> FinderResults:
    """Every published program with its verdict, benefits apart from what is open to everyone."""
    groups: dict[str, list[FinderRow]] = {eligibility.ELIGIBLE: [], eligibility.MAYBE: [], eligibility.INELIGIBLE: []}
    open_to_all = []
    # Life stages in the order a family meets them (임신·출산 first), not alphabetically by code.
    stage_order = {stage: index for index, stage in enumerate(LifeStage.values)}
    programs = sorted(Program.objects.published().order_by("life_stage", "title_ko"),
                      key=lambda p: (stage_order.get(p.life_stage, len(stage_order)), p.title_ko))
    for program in programs:
        row = FinderRow(program, eligibility.evaluate(program.eligibility_rules, answers))
        if not program.eligibility_rules:
            open_to_all.append(row)
        else:
            groups[row.verdict.status].append(row)
    return FinderResults(eligible=groups[eligibility.ELIGIBLE], maybe=groups[eligibility.MAYBE],
                         ineligible=groups[eligibility.INELIGIBLE], open_to_all=open_to_all)


@dataclass(frozen=True)
class TimelineItem:
    """One window of a citizen's timeline, seen on ``today``: upcoming, open or passed."""

    program: Program
    starts_on: date
    ends_on: date
    today: date

    UPCOMING, OPEN, PASSED = "upcoming", "open", "passed"

    @property
    def status(self) -> str:
        if self.ends_on < self.today:
            return self.PASSED
        return self.OPEN if self.starts_on <= self.today else self.UPCOMING

    @property
    def passed(self) -> bool:
        return self.status == self.PASSED

    @property
    def days_left(self) -> int:
        """Days until the window closes (0 on the last day)."""
        return (self.ends_on - self.today).days

    @property
    def days_until_open(self) -> int:
        return (self.starts_on - self.today).days


def timeline_programs() -> list[Program]:
    """Published programs that have a place on a timeline (one query; the reminder job reuses it)."""
    return list(Program.objects.published().exclude(timeline_anchor="").order_by("title_ko"))


def timeline_items(programs, *, due_date: date | None = None, birth_date: date | None = None,
                   today: date | None = None) -> list[TimelineItem]:
    """The windows of ``programs`` counted from the dates, those still to come first (by closing
    day), then those that have passed (most recent first)."""
    today = today or timezone.localdate()
    anchors = {Program.TimelineAnchor.DUE_DATE: due_date, Program.TimelineAnchor.BIRTH_DATE: birth_date}
    items = []
    for program in programs:
        anchor = anchors.get(program.timeline_anchor)
        if anchor is None:
            continue
        starts = anchor + timedelta(days=program.timeline_start_days or 0)
        ends = anchor + timedelta(days=program.timeline_end_days or 0)
        items.append(TimelineItem(program, starts, max(starts, ends), today))
    ahead = sorted((i for i in items if not i.passed), key=lambda i: (i.ends_on, i.program.title_ko))
    behind = sorted((i for i in items if i.passed), key=lambda i: (i.ends_on, i.program.title_ko), reverse=True)
    return ahead + behind


def personal_timeline(*, due_date: date | None = None, birth_date: date | None = None,
                      today: date | None = None) -> list[TimelineItem]:
    """A dated checklist: what to apply for and by when, from a due date and/or a child's birth date."""
    return timeline_items(timeline_programs(), due_date=due_date, birth_date=birth_date, today=today)


def timeline_subscription_for(user):
    """The user's timeline reminders, or None (anonymous visitors have none)."""
    from .models import TimelineSubscription

    if not getattr(user, "is_authenticated", False):
        return None
    return TimelineSubscription.objects.filter(user=user).first()


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
