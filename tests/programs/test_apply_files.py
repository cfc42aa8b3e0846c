"""The apply page keeps what was accepted, opens without writing, and numbers references per year;
the supplement step files each document under the request it answers."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from programs import services
from programs.models import Application, ApplicationDocument, ApplicationReferenceCounter
from tests.files import FAKE_PDF, PDF

from .factories import ProgramFactory, RequiredDocumentFactory


def pdf(name="certificate.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def program(db):
    program = ProgramFactory(slug="birth-incentive", title_ko="출산 장려금")
    RequiredDocumentFactory(program=program, name_ko="가족관계증명서", order=1)
    RequiredDocumentFactory(program=program, name_ko="통장 사본", order=2)
    RequiredDocumentFactory(program=program, name_ko="추천서", is_required=False, order=3)
    return program


def apply_url(program):
    return reverse("programs:apply", args=[program.slug])


def fields(program):
    family, bank, letter = program.required_documents.order_by("order")
    return f"doc_{family.pk}", f"doc_{bank.pk}", f"doc_{letter.pk}"


# --- 13.5: opening the page writes nothing ----------------------------------------------------

@pytest.mark.django_db
def test_opening_the_apply_page_creates_no_draft_and_nothing_in_my_applications(client, citizen, program):
    client.force_login(citizen)
    response = client.get(apply_url(program))
    assert response.status_code == 200
    assert not Application.objects.exists()
    listing = client.get(reverse("my_applications:list")).content.decode()
    assert program.title_ko not in listing and "작성 중" not in listing

    client.post(apply_url(program), {"save": "1"})  # the first save makes the draft
    assert Application.objects.get().status == "draft"
    client.get(apply_url(program))
    assert Application.objects.count() == 1
    assert program.title_ko in client.get(reverse("my_applications:list")).content.decode()


@pytest.mark.django_db
def test_opening_the_page_still_refuses_who_has_applied_already(client, citizen, program):
    client.force_login(citizen)
    family, bank, _letter = fields(program)
    client.post(apply_url(program), {"consent": "on", "submit": "1", family: pdf(), bank: pdf("bank.pdf")})
    assert Application.objects.get().status == "submitted"
    response = client.get(apply_url(program))
    assert response.status_code == 302 and Application.objects.count() == 1


# --- 13.4: a refused file does not cost the good one ------------------------------------------

@pytest.mark.django_db
def test_a_refused_file_keeps_the_accepted_one_and_the_summary_links_to_the_field(client, citizen, program):
    client.force_login(citizen)
    family, bank, _letter = fields(program)
    response = client.post(apply_url(program), {
        "consent": "on", "submit": "1", family: pdf("가족관계.pdf"), bank: pdf("bank.pdf", FAKE_PDF),
    })
    assert response.status_code == 400
    page = response.content.decode()
    # The good file is kept with a (new) draft and shown as already attached.
    application = Application.objects.get()
    assert application.status == "draft"
    assert list(application.documents.values_list("original_name", flat=True)) == ["가족관계.pdf"]
    assert "가족관계.pdf" in page and "이미 올렸습니다" in page
    # The summary at the top names the refused field and links to it.
    summary = page[page.index('id="error-summary"'):page.index("</div>", page.index('id="error-summary"'))]
    assert f'href="#id_{bank}"' in summary and "통장 사본" in summary and "PDF 파일을 읽을 수 없습니다" in summary
    assert f'id="id_{bank}"' in page

    # Picking only the refused one again is enough to apply.
    response = client.post(apply_url(program), {"consent": "on", "submit": "1", bank: pdf("bank.pdf")})
    application.refresh_from_db()
    assert response.status_code == 302 and application.status == "submitted"
    assert sorted(application.documents.values_list("original_name", flat=True)) == ["bank.pdf", "가족관계.pdf"]


@pytest.mark.django_db
def test_accepted_files_are_kept_when_an_answer_is_missing_and_answers_show_again(client, citizen):
    program = ProgramFactory(form_questions=[{"key": "order", "label_ko": "몇째", "type": "number", "required": True}])
    document = RequiredDocumentFactory(program=program)
    client.force_login(citizen)
    response = client.post(apply_url(program), {"consent": "on", "submit": "1", f"doc_{document.pk}": pdf()})
    assert response.status_code == 400
    assert 'href="#id_q_order"' in response.content.decode()
    assert ApplicationDocument.objects.get().application.status == "draft"


@pytest.mark.django_db
def test_required_documents_are_marked_and_optional_ones_too(client, citizen, program):
    client.force_login(citizen)
    page = client.get(apply_url(program)).content.decode()
    assert '가족관계증명서 <strong class="doc-mark doc-mark--required">(필수)</strong>' in page
    assert '통장 사본 <strong class="doc-mark doc-mark--required">(필수)</strong>' in page
    assert '추천서 <strong class="doc-mark">(선택)</strong>' in page


@pytest.mark.django_db
def test_a_document_name_with_markup_is_escaped_in_its_label(client, citizen):
    program = ProgramFactory()
    RequiredDocumentFactory(program=program, name_ko="<img src=x onerror=alert(1)>")
    client.force_login(citizen)
    page = client.get(apply_url(program)).content.decode()
    assert "<img src=x" not in page and "&lt;img src=x" in page


# --- 13.12: references numbered per year ---------------------------------------------------

def _draft(program, email):
    applicant = make_user(email)
    application = services.application_start(program=program, applicant=applicant)
    services.application_save_draft(application=application, answers={}, consent=True)
    return application, applicant


@pytest.mark.django_db
def test_references_run_per_year_without_gaps(program):
    program.required_documents.all().delete()
    year = timezone.localdate().year
    ApplicationReferenceCounter.objects.create(year=year - 1, last_number=41)  # last year's count is its own
    first, who = _draft(program, "a@example.com")
    assert services.application_submit(application=first, actor=who).reference == f"GM-{year}-000001"
    # A submit that rolls back gives its number back.
    failed, who_failed = _draft(program, "b@example.com")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.application_submit(application=failed, actor=who_failed)
        raise RuntimeError
    second, who2 = _draft(program, "c@example.com")
    assert services.application_submit(application=second, actor=who2).reference == f"GM-{year}-000002"
    assert ApplicationReferenceCounter.objects.get(year=year - 1).last_number == 41


@pytest.mark.django_db
def test_the_database_refuses_a_repeated_reference(program):
    from django.db import IntegrityError

    program.required_documents.all().delete()
    first, who = _draft(program, "a@example.com")
    services.application_submit(application=first, actor=who)
    second, _who = _draft(program, "b@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=second.pk).update(status="submitted", submitted_at=timezone.now(),
                                                        reference=Application.objects.get(pk=first.pk).reference)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_submits_get_consecutive_unique_references():
    """Eight citizens press 신청하기 at the same moment (PostgreSQL, one connection each)."""
    program = ProgramFactory()
    drafts = [_draft(program, f"racer{i}@example.com") for i in range(8)]
    barrier = threading.Barrier(len(drafts))
    errors = []

    def press(application, applicant):
        try:
            barrier.wait()
            services.application_submit(application=application, actor=applicant)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=draft) for draft in drafts]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert errors == []
    year = timezone.localdate().year
    references = sorted(Application.objects.values_list("reference", flat=True))
    assert references == [f"GM-{year}-{n:06d}" for n in range(1, 9)]


@pytest.mark.django_db
def test_existing_references_are_not_reused_after_the_migration():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("programs.migrations.0004_application_reference_counter")
    program = ProgramFactory()
    program.required_documents.all().delete()
    old, who = _draft(program, "old@example.com")
    year = timezone.localdate().year
    Application.objects.filter(pk=old.pk).update(status="submitted", submitted_at=timezone.now(),
                                                 reference=f"GM-{year}-000018")
    migration.start_counters_after_existing_references(apps, None)
    new, who_new = _draft(program, "new@example.com")
    assert services.application_submit(application=new, actor=who_new).reference == f"GM-{year}-000019"
    # Rows restored without their counter: the year's numbering still starts after them.
    ApplicationReferenceCounter.objects.all().delete()
    again, who_again = _draft(program, "again@example.com")
    assert services.application_submit(application=again, actor=who_again).reference == f"GM-{year}-000020"


# --- 13.12: the supplement names the document each file answers -----------------------------

@pytest.mark.django_db
def test_supplement_files_are_filed_under_the_document_they_answer(client, citizen, clerk, program):
    client.force_login(citizen)
    family, bank, _letter = fields(program)
    client.post(apply_url(program), {"consent": "on", "submit": "1", family: pdf("old-family.pdf"),
                                     bank: pdf("bank.pdf")})
    application = Application.objects.get()
    services.application_request_info(application=application, actor=clerk,
                                      message="최근 발급한 가족관계증명서와 재직증명서를 올려 주세요")
    page = client.get(application.get_absolute_url()).content.decode()
    assert "가족관계증명서 — 새로 내는 파일" in page and "그 밖에 요청받은 서류" in page

    response = client.post(application.get_absolute_url(), {
        "note": "재직증명서는 기타 칸에 올렸습니다", family: pdf("new-family.pdf"), "other": pdf("재직.pdf"),
    })
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "info_provided"
    filed = {(d.original_name, d.required_document.name_ko if d.required_document else None)
             for d in application.documents.select_related("required_document")}
    assert filed == {("old-family.pdf", "가족관계증명서"), ("new-family.pdf", "가족관계증명서"),
                     ("bank.pdf", "통장 사본"), ("재직.pdf", None)}  # what was submitted stays on file
    note = application.history.get(to_status="info_provided").note
    assert "가족관계증명서: new-family.pdf" in note and "기타 서류: 재직.pdf" in note


@pytest.mark.django_db
def test_a_refused_supplement_file_is_named_in_the_summary(client, citizen, clerk, program):
    client.force_login(citizen)
    family, bank, _letter = fields(program)
    client.post(apply_url(program), {"consent": "on", "submit": "1", family: pdf(), bank: pdf()})
    application = Application.objects.get()
    services.application_request_info(application=application, actor=clerk, message="다시 올려 주세요")
    response = client.post(application.get_absolute_url(), {"other": pdf("x.pdf", FAKE_PDF)})
    assert response.status_code == 400
    assert 'href="#id_other"' in response.content.decode()
    application.refresh_from_db()
    assert application.status == "info_requested"


# --- Refused forms answer 4xx with the portal's own page --------------------------------------

EXE_AS_PDF = b"MZ\x90\x00\x03" + b"\x00" * 200  # a Windows program renamed .pdf


def portal_page(response) -> str:
    page = response.content.decode()
    assert '<header id="krds-header">' in page and '<main id="main-content"' in page
    return page


@pytest.mark.django_db
def test_an_exe_renamed_as_pdf_is_a_bad_request_and_the_good_file_of_another_field_is_kept(client, citizen, program):
    client.force_login(citizen)
    family, bank, _letter = fields(program)
    response = client.post(apply_url(program), {
        "consent": "on", "submit": "1", family: pdf("가족관계.pdf"), bank: pdf("setup.pdf", EXE_AS_PDF),
    })
    assert response.status_code == 400
    page = portal_page(response)
    summary = page[page.index('id="error-summary"'):page.index("</div>", page.index('id="error-summary"'))]
    assert f'href="#id_{bank}"' in summary and "파일 형식" in summary
    application = Application.objects.get()
    assert application.status == "draft"
    assert list(application.documents.values_list("original_name", flat=True)) == ["가족관계.pdf"]
    assert "가족관계.pdf" in page and "이미 올렸습니다" in page


@pytest.mark.django_db
def test_applying_again_after_applying_is_a_conflict_shown_on_the_program_page(client, citizen, program):
    client.force_login(citizen)
    family, bank, _letter = fields(program)
    client.post(apply_url(program), {"consent": "on", "submit": "1", family: pdf(), bank: pdf("bank.pdf")})
    application = Application.objects.get(status="submitted")
    again = client.post(apply_url(program), {"consent": "on", "submit": "1", family: pdf(), bank: pdf("bank.pdf")})
    assert again.status_code == 409
    page = portal_page(again)
    assert "이미 신청하셨습니다" in page and application.reference in page
    assert Application.objects.count() == 1 and application.documents.count() == 2


@pytest.mark.django_db
def test_a_submit_the_program_refuses_is_a_conflict_with_the_form_shown_again(client, citizen, program, monkeypatch):
    def closed_meanwhile(**kwargs):
        raise services.ApplicationError("신청 기간이 끝나 제출할 수 없습니다.")

    monkeypatch.setattr(services, "application_submit", closed_meanwhile)
    client.force_login(citizen)
    family, bank, _letter = fields(program)
    response = client.post(apply_url(program), {"consent": "on", "submit": "1", family: pdf(), bank: pdf()})
    assert response.status_code == 409
    page = portal_page(response)
    assert "신청 기간이 끝나 제출할 수 없습니다." in page and 'id="error-summary"' in page
    assert Application.objects.get().status == "draft"


# --- The 보완 제출 keeps the files that passed when another is refused ---------------------------

def _info_requested(client, citizen, clerk, program) -> Application:
    client.force_login(citizen)
    family, bank, _letter = fields(program)
    client.post(apply_url(program), {"consent": "on", "submit": "1", family: pdf("old-family.pdf"),
                                     bank: pdf("bank.pdf")})
    application = Application.objects.get()
    services.application_request_info(application=application, actor=clerk,
                                      message="최근 발급한 가족관계증명서와 재직증명서를 올려 주세요")
    return application


@pytest.mark.django_db
def test_a_refused_supplement_file_keeps_the_accepted_one_for_the_next_submit(client, citizen, clerk, program):
    application = _info_requested(client, citizen, clerk, program)
    family, _bank, _letter = fields(program)
    response = client.post(application.get_absolute_url(), {
        "note": "재직증명서는 기타 칸에 올렸습니다", family: pdf("new-family.pdf"),
        "other": pdf("재직.pdf", EXE_AS_PDF),
    })
    assert response.status_code == 400
    page = portal_page(response)
    assert 'href="#id_other"' in page  # the refused one is named in the summary
    # The page says which file was kept and that it goes with the next submit.
    assert "보관해 두었습니다" in page and "new-family.pdf" in page
    assert "보관 중인 파일 ‘new-family.pdf’" in page
    application.refresh_from_db()
    assert application.status == "info_requested"
    assert not application.history.filter(to_status="info_provided").exists()

    # Only the refused file is picked again; the kept one is filed with it.
    response = client.post(application.get_absolute_url(), {
        "note": "재직증명서는 기타 칸에 올렸습니다", "other": pdf("재직.pdf"),
    })
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "info_provided"
    filed = {(d.original_name, d.required_document.name_ko if d.required_document else None, d.held)
             for d in application.documents.select_related("required_document")}
    assert filed == {("old-family.pdf", "가족관계증명서", False), ("new-family.pdf", "가족관계증명서", False),
                     ("bank.pdf", "통장 사본", False), ("재직.pdf", None, False)}
    note = application.history.get(to_status="info_provided").note
    assert "가족관계증명서: new-family.pdf" in note and "기타 서류: 재직.pdf" in note


@pytest.mark.django_db
def test_a_held_supplement_file_is_not_shown_to_staff_until_it_is_submitted(client, citizen, clerk, program):
    from accounts.roles import role_permissions_sync

    role_permissions_sync()
    application = _info_requested(client, citizen, clerk, program)
    family, _bank, _letter = fields(program)
    client.post(application.get_absolute_url(), {family: pdf("new-family.pdf"), "other": pdf("x.pdf", FAKE_PDF)})
    held = application.documents.get(held=True)
    client.force_login(clerk)
    change = client.get(reverse("admin:programs_application_change", args=[application.pk])).content.decode()
    assert "old-family.pdf" in change and "new-family.pdf" not in change
    assert client.get(reverse("admin:programs_application_document",
                              args=[application.pk, held.pk])).status_code == 404


@pytest.mark.django_db
def test_a_new_file_replaces_the_held_one_and_only_a_held_file_is_enough_to_submit(client, citizen, clerk, program):
    application = _info_requested(client, citizen, clerk, program)
    family, _bank, _letter = fields(program)
    client.post(application.get_absolute_url(), {family: pdf("first.pdf"), "other": pdf("x.pdf", FAKE_PDF)})
    client.post(application.get_absolute_url(), {family: pdf("second.pdf"), "other": pdf("x.pdf", FAKE_PDF)})
    assert list(application.documents.filter(held=True).values_list("original_name", flat=True)) == ["second.pdf"]
    response = client.post(application.get_absolute_url(), {})  # nothing new: the held file is the supplement
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "info_provided"
    assert "가족관계증명서: second.pdf" in application.history.get(to_status="info_provided").note
    assert not application.documents.filter(original_name="first.pdf").exists()


@pytest.mark.django_db
def test_held_files_go_when_the_application_is_withdrawn(client, citizen, clerk, program, media,
                                                         django_capture_on_commit_callbacks):
    application = _info_requested(client, citizen, clerk, program)
    family, _bank, _letter = fields(program)
    client.post(application.get_absolute_url(), {family: pdf("new-family.pdf"), "other": pdf("x.pdf", FAKE_PDF)})
    held = application.documents.get(held=True)
    path = media / held.file.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("my_applications:withdraw", args=[application.reference]))
    application.refresh_from_db()
    assert application.status == "withdrawn"
    assert not application.documents.filter(held=True).exists() and not path.exists()
    assert application.documents.count() == 2  # what was submitted stays until retention


@pytest.mark.django_db
def test_a_supplement_posted_when_none_is_requested_is_a_conflict(client, citizen, program):
    client.force_login(citizen)
    family, bank, _letter = fields(program)
    client.post(apply_url(program), {"consent": "on", "submit": "1", family: pdf(), bank: pdf("bank.pdf")})
    application = Application.objects.get()
    response = client.post(application.get_absolute_url(), {"note": "추가 서류입니다", "other": pdf("x.pdf")})
    assert response.status_code == 409
    assert "보완 요청을 받은 신청만" in portal_page(response)
    assert application.documents.count() == 2 and not application.history.filter(to_status="info_provided").exists()
