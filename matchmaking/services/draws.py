"""The draw every applicant can check: a commitment published before the draw, and after it the
seed and the inputs to re-run it.

Before the draw an applicant of a session sees
- ``seed_sha256``: SHA-256 of the seed chosen when the session was made (``MeetupSession.committed_seed``,
  secret until the draw), so nobody can choose the seed after seeing who applied;
- the ordered list of applicants, each as a random per-session pseudonym
  (``SessionApplication.pseudonym``) — their own one marked, nobody else's name;
- ``commitment``: SHA-256 of both together (``commitment_of``).
After the draw the page shows the seed, the recorded pseudonym lists and commitment, and re-runs
``draw_compute`` on them. Shuffling pseudonyms in the recorded order gives the same permutation as
the draw gave the application ids (a shuffle depends only on the length and the generator), so the
re-run seats the same people.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field

from ..models import DrawRecord, MeetupSession, Profile, SessionApplication

DRAW_ALGORITHM = "random.Random(seed:gender).shuffle/v1"


def draw_compute(*, seed: str, input_order: dict[str, list[int]], seats: dict[str, int]) -> dict:
    """The draw as a pure function, so anyone holding a ``DrawRecord`` can re-run it.

    Each gender's applications, in the order they were made, are shuffled by a generator seeded
    with ``"<seed>:<gender>"`` (string seeds are hashed with SHA-512, identically on every
    machine and Python run); the first ``seats[gender]`` are selected, the rest waitlisted in order.
    """
    result = {}
    for gender in sorted(input_order):
        ids = list(input_order[gender])
        # Not a secret: the point is that anyone can re-run it from the published seed.
        random.Random(f"{seed}:{gender}").shuffle(ids)  # noqa: S311
        take = seats[gender]
        result[gender] = {"selected": ids[:take], "waitlisted": ids[take:]}
    return result

Status = SessionApplication.Status


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def commitment_of(*, applicants: dict[str, list[str]], seed_sha256: str) -> str:
    """SHA-256 of the canonical JSON ``{"applicants": {gender: [pseudonym, ...]}, "seed_sha256": ...}``
    (keys sorted, no spaces, ASCII) — what the page tells applicants to recompute."""
    payload = json.dumps({"applicants": {g: list(ids) for g, ids in applicants.items()}, "seed_sha256": seed_sha256},
                         sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return sha256_hex(payload)


def applicants_in_draw_order(session: MeetupSession) -> tuple[list[SessionApplication], dict[str, list[str]]]:
    """The applications the draw takes (still ``applied``, in the order they were made) and their
    pseudonyms per gender — the same rows and order as ``session_draw`` uses."""
    applications = list(session.applications.filter(status=Status.APPLIED).select_related("profile")
                        .order_by("pk"))
    return applications, {g: [a.pseudonym for a in applications if a.profile.gender == g]
                          for g in Profile.Gender.values}


def draw_public_fields(*, session: MeetupSession, applications: list[SessionApplication]) -> dict:
    """The published part of a ``DrawRecord`` for these applications (the draw's own input)."""
    public = {g: [a.pseudonym for a in applications if a.profile.gender == g] for g in Profile.Gender.values}
    return {"public_input": public, "commitment": commitment_of(applicants=public, seed_sha256=session.seed_sha256)}


@dataclass
class DrawCheck:
    """What the check page shows one applicant of one session."""

    session: MeetupSession
    own_pseudonym: str
    drawn: bool
    seed_sha256: str
    applicants: dict[str, list[str]] = field(default_factory=dict)
    seats: dict[str, int] = field(default_factory=dict)
    commitment: str = ""
    seed: str = ""  # only after the draw
    available: bool = True  # False for a draw made before the published check existed
    rerun: dict | None = None  # {gender: {"selected": [...], "waitlisted": [...]}} from the published inputs
    recorded: dict | None = None  # the recorded result, as pseudonyms
    seed_matches: bool | None = None
    commitment_matches: bool | None = None
    rerun_matches: bool | None = None
    script: str = ""

    @property
    def by_gender(self) -> list[dict]:
        """One row per gender, for the page: label, seats, pseudonyms in order, re-run and recorded seats."""
        labels = dict(Profile.Gender.choices)
        return [{"gender": g, "label": labels[g], "seats": self.seats.get(g, 0),
                 "applicants": self.applicants.get(g, []), "rerun": (self.rerun or {}).get(g),
                 "recorded": (self.recorded or {}).get(g)}
                for g in sorted(self.applicants or labels)]

    @property
    def own_outcome(self) -> str:
        """"selected", "waitlisted" or "" — where the re-run put the viewer."""
        for outcome in (self.rerun or {}).values():
            for key in ("selected", "waitlisted"):
                if self.own_pseudonym in outcome.get(key, []):
                    return key
        return ""


def draw_check_for(*, session: MeetupSession, application: SessionApplication) -> DrawCheck:
    """The commitment (before the draw) or the check (after it) for ``application``'s owner. Names
    nobody: applicants appear only as pseudonyms. Re-runs the draw from the published inputs."""
    seats = {g: session.seats_for(g) for g in Profile.Gender.values}
    check = DrawCheck(session=session, own_pseudonym=application.pseudonym, drawn=session.drawn_at is not None,
                      seed_sha256=session.seed_sha256, seats=seats)
    if not check.drawn:
        _, check.applicants = applicants_in_draw_order(session)
        check.commitment = commitment_of(applicants=check.applicants, seed_sha256=check.seed_sha256)
        return check
    record = DrawRecord.objects.filter(session=session).first()
    if record is None or not record.public_input:
        check.available = False
        return check
    check.seed, check.applicants, check.commitment = record.seed, record.public_input, record.commitment
    check.seed_matches = sha256_hex(record.seed) == check.seed_sha256
    check.commitment_matches = commitment_of(applicants=record.public_input,
                                             seed_sha256=sha256_hex(record.seed)) == record.commitment
    check.rerun = draw_compute(seed=record.seed, input_order=record.public_input, seats=seats)
    # The recorded result names application ids: translate through the recorded input order.
    check.recorded = {}
    for gender, ids in record.input_order.items():
        to_pseudonym = dict(zip(ids, record.public_input.get(gender, []), strict=False))
        outcome = record.result.get(gender, {})
        check.recorded[gender] = {k: [to_pseudonym.get(pk, "?") for pk in outcome.get(k, [])]
                                  for k in ("selected", "waitlisted")}
    check.rerun_matches = check.rerun == check.recorded
    check.script = verification_script(seed=record.seed, seed_sha256=check.seed_sha256,
                                       applicants=record.public_input, seats=seats, commitment=record.commitment)
    return check


def verification_script(*, seed: str, seed_sha256: str, applicants: dict, seats: dict, commitment: str) -> str:
    """A short Python 3 program that checks the published values and re-runs the draw on any computer."""
    return "\n".join([
        "import hashlib, json, random",
        f"seed = {json.dumps(seed)}",
        # JSON of a dict of lists of strings is also a Python literal.
        f"applicants = {json.dumps(applicants, sort_keys=True)}",
        f"seats = {json.dumps(seats, sort_keys=True)}",
        f"assert hashlib.sha256(seed.encode()).hexdigest() == {json.dumps(seed_sha256)}",
        "payload = json.dumps({'applicants': applicants, 'seed_sha256': hashlib.sha256(seed.encode()).hexdigest()},",
        "                     sort_keys=True, separators=(',', ':'), ensure_ascii=True)",
        f"assert hashlib.sha256(payload.encode()).hexdigest() == {json.dumps(commitment)}",
        "for gender in sorted(applicants):",
        "    ids = list(applicants[gender])",
        "    random.Random(f'{seed}:{gender}').shuffle(ids)",
        "    print(gender, 'selected', ids[:seats[gender]], 'waitlisted', ids[seats[gender]:])",
    ])
