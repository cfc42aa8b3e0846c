"""City-scale data for benchmarks: 20,000 citizens, 50 programs, 200,000 applications, 5,000 events
with 100,000 registrations and 2,000 meetup-registry profiles.

``generate(scale=1.0)`` fills the current database (run ``seed_demo`` first: it brings the agencies
and household tags the rows point at); ``bench/load.py`` calls it. ``scale`` shrinks every count for
quick runs (``BENCH_SCALE=0.1``). The big tables are written with PostgreSQL's COPY, the rest with
``bulk_create`` in batches of 5,000, so full scale takes well under a minute on 2 cores.

Rows respect the database's rules: at most one active application per person and program, one
registration per person and event, attended registrations have a check-in time, profiles carry an
encrypted contact (``Profile.set_contact``, the registry's own helper).

Run directly (as ``make bench`` does) it times itself on a throw-away database and writes
bench/results/generate.json; ``--keep`` leaves that database in place for EXPLAIN sessions and
prints its name.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gwangmyeong_portal.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

FULL = {"citizens": 20_000, "programs": 50, "applications": 200_000, "events": 5_000,
        "registrations": 100_000, "profiles": 2_000}
BATCH = 5_000
UNUSABLE = "!"  # an unusable password hash: nobody signs in with a password as these users
NULL = "\\N"  # COPY's NULL marker


def counts_for(scale: float) -> dict[str, int]:
    counts = {name: max(1, int(n * scale)) for name, n in FULL.items()}
    counts["programs"] = max(counts["programs"], 10)  # each citizen applies to up to 10 distinct programs
    counts["profiles"] = min(counts["profiles"], counts["citizens"])
    return counts


def _copy(table: str, columns: tuple[str, ...], rows) -> None:
    """COPY ``rows`` (tuples of already-formatted text) into ``table``."""
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(row))
        buffer.write("\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def _citizens(n: int) -> list[int]:
    from accounts.models import User

    User.objects.bulk_create(
        [User(email=f"citizen{i:05d}@bench.example", name=f"시민{i:05d}", phone=f"010-{i // 10000:04d}-{i % 10000:04d}",
              password=UNUSABLE) for i in range(n)],
        batch_size=BATCH,
    )
    return list(User.objects.filter(email__endswith="@bench.example").order_by("pk").values_list("pk", flat=True))


def _programs(n: int) -> list[int]:
    from django.utils import timezone

    from programs.models import HouseholdTag, LifeStage, Program

    today = timezone.localdate()
    stages, topics = list(LifeStage.values), list(Program.Topic.values)
    words = ["출산", "육아", "장난감", "돌봄", "청년", "주거", "건강", "교육", "창업", "일자리"]
    programs = []
    for i in range(n):
        word = words[i % len(words)]
        programs.append(Program(
            slug=f"bench-program-{i:03d}", title_ko=f"{word} 지원 사업 {i:03d}", title_en=f"Support programme {i:03d}",
            summary_ko=f"광명시 {word} 가정을 위한 지원입니다.", summary_en="Support for families in Gwangmyeong.",
            description_ko="자세한 내용 " * 50, life_stage=stages[i % 3], topic=topics[i % len(topics)],
            support_kind=Program.SupportKind.SERVICE, apply_method=Program.ApplyMethod.ONLINE,
            office_ko="여성가족과", office_phone="02-2680-6716",
            opens_on=today - timedelta(days=30 + i), closes_on=today + timedelta(days=60 + i),
            # A few drafts and closed ones, as in a real catalog.
            status=Program.Status.DRAFT if i % 25 == 24 else Program.Status.CLOSED if i % 25 == 23
            else Program.Status.PUBLISHED,
        ))
    Program.objects.bulk_create(programs, batch_size=BATCH)
    ids = list(Program.objects.filter(slug__startswith="bench-program-").order_by("pk").values_list("pk", flat=True))
    tags = list(HouseholdTag.objects.values_list("pk", flat=True))
    if tags:
        through = Program.household_tags.through
        through.objects.bulk_create([through(program_id=pid, householdtag_id=tags[(i + k) % len(tags)])
                                     for i, pid in enumerate(ids) for k in range(2)])
    return ids


def _applications(n: int, citizens: list[int], programs: list[int]) -> None:
    """Citizen c's k-th application goes to program (k + 7c) mod P: k < 10 ≤ P, so no citizen has two
    applications to one program and the one-active-application constraint holds."""
    from django.utils import timezone

    start = timezone.now() - timedelta(days=365)
    statuses = ["submitted", "under_review", "approved", "rejected", "approved", "info_requested", "withdrawn",
                "approved"]
    columns = ("program_id", "applicant_id", "single_per_person", "reference", "status", "answers",
               "contact_phone", "consent_at", "submitted_at", "decided_at", "decision_reason", "info_request",
               "created_at", "updated_at")

    def rows():
        for i in range(n):
            c, k = i % len(citizens), i // len(citizens)
            submitted = start + timedelta(seconds=i * 157 % (365 * 86400))
            status = statuses[i % len(statuses)]
            decided = (submitted + timedelta(days=i % 30)).isoformat() if status in ("approved", "rejected") else NULL
            at = submitted.isoformat()
            yield (str(programs[(k + 7 * c) % len(programs)]), str(citizens[c]), "t", f"BN-{i:08d}", status,
                   '{"household": "3"}', "010-0000-0000", at, at, decided, "", "", at, at)

    _copy("programs_application", columns, rows())


def _events(n: int) -> list[int]:
    """Events spread over a year back and a year ahead (about seven a day), from the city and agencies."""
    from django.utils import timezone

    from events.models import Event, LifeStage
    from partners.models import Agency

    agencies = list(Agency.objects.filter(is_city=False).values_list("pk", flat=True)) or [None]
    types, stages = list(Event.Type.values), list(LifeStage.values)
    base = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=365)
    step = timedelta(days=730) / n
    events = []
    for i in range(n):
        starts = base + step * i
        starts = starts.replace(hour=9 + i % 9, minute=0)
        events.append(Event(
            title_ko=f"광명 행사 {i:05d}", title_en=f"Gwangmyeong event {i:05d}", description_ko="행사 설명 " * 20,
            type=types[i % len(types)], life_stages=stages[i % 3], organiser_id=agencies[i % len(agencies)]
            if i % 3 else None, organiser_office="여성가족과", venue="광명시민체육관", address="광명시 오리로 613",
            registration_required=True, capacity=40, waitlist_limit=10,
            starts_at=starts, ends_at=starts + timedelta(hours=2),
            status=Event.Status.CANCELLED if i % 50 == 49 else Event.Status.SCHEDULED, is_public=i % 40 != 39,
        ))
    Event.objects.bulk_create(events, batch_size=BATCH)
    return list(Event.objects.filter(title_ko__startswith="광명 행사 ").order_by("pk").values_list("pk", flat=True))


def _registrations(n: int, citizens: list[int], events: list[int]) -> None:
    """Event e's j-th registration is citizen (j·1000 + 13e) mod C: distinct for j < 20, one per person
    and event (the generator keeps j < C / 1000 by spreading rows over all events first)."""
    from django.utils import timezone

    now = timezone.now()
    columns = ("event_id", "user_id", "party_size", "status", "answers", "token", "offer_expires_at",
               "checked_in_at", "cancelled_at", "created_at", "updated_at")
    spread = max(1, len(citizens) // max(1, -(-n // len(events))))  # distinct citizens per event

    def rows():
        for i in range(n):
            e, j = i % len(events), i // len(events)
            status = "waitlisted" if j >= 18 else "attended" if j % 5 == 4 else "confirmed"
            at = (now - timedelta(days=i % 300)).isoformat()
            yield (str(events[e]), str(citizens[(j * spread + 13 * e) % len(citizens)]), "1", status, "{}",
                   secrets.token_urlsafe(24), NULL, at if status == "attended" else NULL, NULL, at, at)

    _copy("events_registration", columns, rows())


def _profiles(n: int, citizens: list[int]) -> None:
    from django.utils import timezone

    from matchmaking.models import Profile
    from partners.models import Agency

    agencies = list(Agency.objects.filter(is_city=False).values_list("pk", flat=True))
    if not agencies:
        return
    now = timezone.now()
    profiles = []
    for i in range(n):
        profile = Profile(
            user_id=citizens[i], display_name=f"참가자{i:04d}", gender="female" if i % 2 else "male",
            birth_year=1990 + i % 12, institution_id=agencies[i % len(agencies)], intro="안녕하세요.",
            interests="등산, 영화", declared_unmarried=True, declared_at=now,
            verification_method=Profile.Method.EMAIL_DOMAIN, verified_at=now,
            last_active_at=now - timedelta(days=i % 90),
        )
        profile.set_contact(f"010-9{i // 1000:03d}-{i % 1000:04d}")
        profiles.append(profile)
    Profile.objects.bulk_create(profiles, batch_size=BATCH)


def generate(*, scale: float = 1.0) -> dict:
    """Fill the current database at ``scale`` × city size; returns the counts and the seconds taken.

    The agencies and household tags come from ``seed_demo``, which must have run first.
    """
    if connection.vendor != "postgresql":
        raise RuntimeError("The generator writes with PostgreSQL's COPY; point DATABASE_URL at PostgreSQL.")
    counts = counts_for(scale)
    started = time.monotonic()
    timings: dict[str, float] = {}

    def timed(name, step, *args):
        t = time.monotonic()
        result = step(counts[name], *args)
        timings[name] = round(time.monotonic() - t, 2)
        return result

    with transaction.atomic():
        citizens = timed("citizens", _citizens)
        programs = timed("programs", _programs)
        timed("applications", _applications, citizens, programs)
        events = timed("events", _events)
        timed("registrations", _registrations, citizens, events)
        timed("profiles", _profiles, citizens)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would leave them in production
    return {"scale": scale, "counts": counts, "seconds": timings, "total_seconds": round(time.monotonic() - started, 2)}


def main(argv: list[str]) -> int:
    from django.core.management import call_command

    scale = float(os.environ.get("BENCH_SCALE", "1"))
    keep = "--keep" in argv
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    try:
        call_command("seed_demo", stdout=io.StringIO())
        figures = generate(scale=scale)
        if keep:
            figures["database"] = connection.settings_dict["NAME"]
    finally:
        if not keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    out = ROOT / "bench" / "results" / "generate.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
