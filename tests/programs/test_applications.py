"""Applying online, the review in the admin, and the decision reaching the citizen."""


import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from gwangmyeong_portal.models import AccessLogEntry
from notifications.models import Message
from programs import services
from programs.models import Application, ApplicationDocument
from tests.files import PDF

from .factories import ApplicationFactory, ProgramFactory, RequiredDocumentFactory


def pdf(name="certificate.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def program(db):
    program = ProgramFactory(
        slug="birth-incentive", title_ko="출산 장려금", title_en="Birth incentive",
        form_questions=[{"key": "birth_order", "label_ko": "몇째 자녀인가요?", "type": "number", "required": True}],
    )
    RequiredDocumentFactory(program=program, name_ko="가족관계증명서")
    return program


def apply_url(program):
    return reverse("programs:apply", args=[program.slug])


def doc_field(program):
    return f"doc_{program.required_documents.get().pk}"


def submit(client, program, **overrides):
    data = {"q_birth_order": "2", "consent": "on", "submit": "1", doc_field(program): pdf(), **overrides}
    return client.post(apply_url(program), data)


def kinds_sent_to(user):
    return list(Message.objects.filter(recipient=user, channel="inapp").order_by("pk").values_list("kind", flat=True))


@pytest.mark.django_db
def test_apply_review_decide_journey_notifies_at_every_step(client, citizen, clerk, mailoutbox,
                                                            django_capture_on_commit_callbacks):
    program = ProgramFactory(slug="night-care", title_ko="야간 보육")
    RequiredDocumentFactory(program=program, name_ko="재직증명서")
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(apply_url(program), {"consent": "on", "submit": "1", doc_field(program): pdf()})
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == application.get_absolute_url()
    assert application.status == "submitted"
    assert application.reference == f"GM-{application.submitted_at:%Y}-000001"
    assert kinds_sent_to(citizen) == ["programs.application_submitted"]
    assert any(application.reference in m.subject for m in mailoutbox)

    services.application_start_review(application=application, actor=clerk)
    services.application_request_info(application=application, actor=clerk,
                                      message="최근 3개월 재직증명서를 올려 주세요")
    client.post(application.get_absolute_url(), {"note": "새 서류를 올립니다", "file": pdf("new.pdf")})
    application.refresh_from_db()
    assert application.status == "info_provided"
    with django_capture_on_commit_callbacks(execute=True):
        services.application_approve(application=application, actor=clerk, note="승인합니다")

    assert kinds_sent_to(citizen) == [
        "programs.application_submitted", "programs.application_updated", "programs.application_info_requested",
        "programs.application_updated", "programs.application_decided",
    ]
    page = client.get(application.get_absolute_url()).content.decode()
    for label in ("접수", "검토 중", "보완 요청", "보완 제출", "승인"):
        assert label in page
    assert "최근 3개월 재직증명서를 올려 주세요" in page
    decided_mail = [m for m in mailoutbox if "승인" in m.subject]
    assert decided_mail and decided_mail[0].to == [citizen.email]


@pytest.mark.django_db
def test_draft_can_be_saved_and_resumed(client, citizen, program):
    client.force_login(citizen)
    client.post(apply_url(program), {"q_birth_order": "3", "save": "1", doc_field(program): pdf()})
    application = Application.objects.get()
    assert application.status == "draft" and application.answers == {"birth_order": 3}
    page = client.get(apply_url(program)).content.decode()
    assert 'value="3"' in page and "certificate.pdf" in page
    submit(client, program, **{doc_field(program): ""})  # the saved document counts
    application.refresh_from_db()
    assert application.status == "submitted"


@pytest.mark.django_db
def test_required_fields_and_consent_are_checked_next_to_the_field(client, citizen, program):
    client.force_login(citizen)
    response = client.post(apply_url(program), {"submit": "1"})
    assert response.status_code == 400
    form = response.context["form"]
    assert "q_birth_order" in form.errors and "consent" in form.errors
    assert not Application.objects.exclude(status="draft").exists()


@pytest.mark.django_db
def test_missing_required_document_is_refused(client, citizen, program):
    client.force_login(citizen)
    response = submit(client, program, **{doc_field(program): ""})
    assert response.status_code == 400  # incomplete input, like an empty field
    assert "신청하려면 이 서류를 올려 주세요" in str(response.context["form"].errors[doc_field(program)])
    page = response.content.decode()
    assert f'href="#id_{doc_field(program)}">가족관계증명서: 신청하려면 이 서류를 올려 주세요' in page
    assert Application.objects.get().status == "draft"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("virus.pdf", b"MZ\x90\x00" + b"\x00" * 100, "application/pdf"), "파일 형식"),
        (SimpleUploadedFile("huge.pdf", PDF + b"0" * 4096, "application/pdf"), "너무 큽니다"),
    ],
)
def test_invalid_upload_is_rejected_with_a_clear_message_and_nothing_saved(client, citizen, program, settings,
                                                                           upload, message):
    settings.UPLOAD_MAX_BYTES = 2048
    client.force_login(citizen)
    response = submit(client, program, **{doc_field(program): upload})
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[doc_field(program)])
    assert not ApplicationDocument.objects.exists()
    assert not Application.objects.exists()  # nothing accepted, so no draft either


@pytest.mark.django_db
def test_one_active_application_per_person_unless_repeats_allowed(client, citizen, program):
    client.force_login(citizen)
    submit(client, program)
    response = client.get(apply_url(program))
    assert response.status_code == 302
    assert Application.objects.count() == 1
    repeatable = ProgramFactory(allows_repeat=True)
    first = services.application_start(program=repeatable, applicant=citizen)
    services.application_save_draft(application=first, answers={}, consent=True)
    services.application_submit(application=first, actor=citizen)
    second = services.application_start(program=repeatable, applicant=citizen)
    assert second.pk != first.pk


@pytest.mark.django_db
def test_the_database_refuses_a_second_active_application():
    from django.db import IntegrityError

    application = ApplicationFactory(applicant=_user("db@example.com"))
    with pytest.raises(IntegrityError):
        ApplicationFactory(applicant=application.applicant, program=application.program)


def _user(email):
    from conftest import make_user

    return make_user(email)


@pytest.mark.django_db(transaction=True)
def test_two_parallel_submits_create_one_application(live_server, citizen, password, program):
    """A double click: two browsers' requests race through start, save and submit."""
    barrier = threading.Barrier(2)
    results = []

    def press_submit():
        client = Client()
        client.login(email=citizen.email, password=password)
        barrier.wait()
        try:
            results.append(submit(client, program).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=press_submit) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert Application.objects.count() == 1
    application = Application.objects.get()
    assert application.status == "submitted"
    assert application.history.filter(to_status="submitted").count() == 1
    assert Message.objects.filter(kind="programs.application_submitted", channel="inapp").count() == 1
    assert all(code in (200, 302) for code in results)


@pytest.mark.django_db
def test_another_citizen_gets_404_for_the_application_and_its_files(client, citizen, other_citizen, program):
    client.force_login(citizen)
    submit(client, program)
    application = Application.objects.get()
    document = application.documents.get()
    own = reverse("my_applications:document", args=[application.reference, document.pk])
    response = client.get(own)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")

    client.force_login(other_citizen)
    assert client.get(application.get_absolute_url()).status_code == 404
    assert client.get(own).status_code == 404
    assert client.get(reverse("programs:draft_document", args=[program.slug, document.pk])).status_code == 404
    assert client.post(reverse("my_applications:withdraw", args=[application.reference])).status_code == 404
    client.logout()
    assert client.get(own).status_code == 302  # to the login page


@pytest.mark.django_db
def test_citizen_can_withdraw_before_a_decision_only(client, citizen, clerk, program):
    client.force_login(citizen)
    submit(client, program)
    application = Application.objects.get()
    client.post(reverse("my_applications:withdraw", args=[application.reference]))
    application.refresh_from_db()
    assert application.status == "withdrawn"
    # A new application is possible after withdrawing.
    submit(client, program)
    second = Application.objects.exclude(pk=application.pk).get()
    services.application_approve(application=second, actor=clerk)
    client.post(reverse("my_applications:withdraw", args=[second.reference]))
    second.refresh_from_db()
    assert second.status == "approved"


@pytest.mark.django_db
def test_reject_needs_a_reason_and_decisions_are_final(citizen, clerk, program):
    application = ApplicationFactory(program=program, applicant=citizen)
    services.application_save_draft(application=application, answers={}, consent=True,
                                    files={program.required_documents.get(): pdf()})
    application = services.application_submit(application=application, actor=citizen)
    with pytest.raises(services.ApplicationError):
        services.application_reject(application=application, actor=clerk, reason="  ")
    services.application_reject(application=application, actor=clerk, reason="소득 기준 초과")
    with pytest.raises(services.ApplicationError):
        services.application_approve(application=application, actor=clerk)
    application.refresh_from_db()
    assert application.status == "rejected" and application.decision_reason == "소득 기준 초과"


@pytest.mark.django_db
def test_closed_program_refuses_applications(client, citizen):
    program = ProgramFactory(status="closed")
    client.force_login(citizen)
    response = client.get(apply_url(program), follow=True)
    assert "지금은 온라인 신청을 받지 않는 사업입니다" in response.content.decode()
    assert not Application.objects.exists()
    visit_only = ProgramFactory(apply_method="visit")
    response = client.get(apply_url(visit_only))
    assert response.status_code == 302 and not Application.objects.exists()


@pytest.mark.django_db
def test_export_and_erase_hooks(citizen, clerk, program):
    from accounts.services import user_data_export, user_delete

    application = services.application_start(program=program, applicant=citizen)
    services.application_save_draft(application=application, answers={"birth_order": 2}, consent=True,
                                    files={program.required_documents.get(): pdf()})
    application = services.application_submit(application=application, actor=citizen)
    services.application_approve(application=application, actor=clerk)
    data = user_data_export(user=citizen)
    assert data["programs"]["applications"][0]["reference"] == application.reference
    kept = user_delete(user=citizen)
    assert any(application.reference in line for line in kept)
    application.refresh_from_db()
    assert application.applicant.email.endswith("@invalid.invalid")


@pytest.mark.django_db
def test_staff_views_of_an_application_are_logged(client, clerk, citizen, program):
    from accounts.roles import role_permissions_sync

    role_permissions_sync()
    application = services.application_start(program=program, applicant=citizen)
    services.application_save_draft(application=application, answers={}, consent=True,
                                    files={program.required_documents.get(): pdf()})
    application = services.application_submit(application=application, actor=citizen)
    client.force_login(clerk)
    change = reverse("admin:programs_application_change", args=[application.pk])
    assert client.get(change).status_code == 200
    entry = AccessLogEntry.objects.get(action="view")
    assert entry.actor == clerk and entry.subject_label == application.reference
    assert entry.subject_user_id == citizen.pk

    document = application.documents.get()
    response = client.get(reverse("admin:programs_application_document", args=[application.pk, document.pk]))
    assert response.status_code == 200
    assert AccessLogEntry.objects.filter(action="export", record_type="programs.applicationdocument").exists()


@pytest.mark.django_db
def test_admin_reject_action_requires_a_reason(client, clerk, citizen, program):
    from accounts.roles import role_permissions_sync

    role_permissions_sync()
    application = services.application_start(program=program, applicant=citizen)
    services.application_save_draft(application=application, answers={}, consent=True,
                                    files={program.required_documents.get(): pdf()})
    application = services.application_submit(application=application, actor=citizen)
    client.force_login(clerk)
    changelist = reverse("admin:programs_application_changelist")
    base = {"action": "action_reject", "_selected_action": [application.pk]}
    page = client.post(changelist, base)
    assert page.status_code == 200 and "사유" in page.content.decode()
    client.post(changelist, {**base, "apply": "1", "text": ""})
    application.refresh_from_db()
    assert application.status == "submitted"
    client.post(changelist, {**base, "apply": "1", "text": "서류 미비"})
    application.refresh_from_db()
    assert application.status == "rejected" and application.decision_reason == "서류 미비"


@pytest.mark.django_db
def test_admin_changelist_query_count_is_flat(client, clerk, program):
    from django.test.utils import CaptureQueriesContext

    from accounts.roles import role_permissions_sync
    from conftest import make_user

    role_permissions_sync()
    client.force_login(clerk)

    def fill(n, start):
        for i in range(start, start + n):
            user = make_user(f"applicant{i}@example.com")
            application = ApplicationFactory(program=program, applicant=user)
            Application.objects.filter(pk=application.pk).update(
                status="submitted", reference=f"GM-2027-{application.pk:06d}",
                submitted_at="2027-01-05T10:00:00+09:00")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("admin:programs_application_changelist")).status_code == 200
        return len(ctx.captured_queries)

    fill(10, 0)
    small = count()
    fill(490, 10)
    assert count() == small


@pytest.mark.django_db
def test_messages_arrive_in_the_applicants_language(citizen, clerk, program):
    citizen.preferred_language = "en"
    citizen.save()
    application = services.application_start(program=program, applicant=citizen)
    services.application_save_draft(application=application, answers={}, consent=True,
                                    files={program.required_documents.get(): pdf()})
    application = services.application_submit(application=application, actor=citizen)
    services.application_reject(application=application, actor=clerk, reason="Income above the limit")
    message = Message.objects.get(kind="programs.application_decided", channel="inapp")
    assert "Birth incentive" in message.subject and "Rejected" in message.subject


# --- Discarding a draft -------------------------------------------------------------------------

def discard_url(application):
    return reverse("my_applications:draft_discard", args=[application.pk])


@pytest.mark.django_db
def test_a_draft_of_a_program_that_has_closed_can_be_discarded_with_its_files(client, citizen, program,
                                                                              django_capture_on_commit_callbacks):
    client.force_login(citizen)
    client.post(apply_url(program), {"q_birth_order": "3", "save": "1", doc_field(program): pdf()})
    draft = Application.objects.get()
    stored = draft.documents.get().file
    storage, name = stored.storage, stored.name
    assert storage.exists(name)
    program.status = "closed"
    program.save()

    # The list no longer sends the applicant to a form that refuses them, and offers the delete.
    page = client.get(reverse("my_applications:list")).content.decode()
    assert apply_url(program) not in page
    assert "신청 기간이 끝나 이어서 쓸 수 없습니다" in page and discard_url(draft) in page
    assert discard_url(draft) in client.get(program.get_absolute_url()).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(discard_url(draft), follow=True)
    assert "작성 중이던 신청서와 올린 서류를 삭제했습니다." in response.content.decode()
    assert not Application.objects.exists() and not ApplicationDocument.objects.exists()
    assert not storage.exists(name)
    # A second press (double click, back button) finds nothing.
    assert client.post(discard_url(draft)).status_code == 404


@pytest.mark.django_db
def test_the_draft_page_offers_the_discard(client, citizen, program):
    client.force_login(citizen)
    assert "작성 중인 신청서 삭제" not in client.get(apply_url(program)).content.decode()  # nothing to discard yet
    client.post(apply_url(program), {"q_birth_order": "3", "save": "1"})
    page = client.get(apply_url(program)).content.decode()
    assert discard_url(Application.objects.get()) in page and "작성 중인 신청서 삭제" in page


@pytest.mark.django_db
def test_only_the_applicants_own_drafts_can_be_discarded_and_only_by_post(client, citizen, other_citizen, clerk,
                                                                          program):
    client.force_login(citizen)
    client.post(apply_url(program), {"q_birth_order": "3", "save": "1", doc_field(program): pdf()})
    draft = Application.objects.get()
    assert client.get(discard_url(draft)).status_code == 405
    for someone in (other_citizen, clerk):
        client.force_login(someone)
        assert client.post(discard_url(draft)).status_code == 404
    assert Application.objects.filter(pk=draft.pk).exists()
    with pytest.raises(services.ApplicationError):
        services.application_draft_discard(application=draft, user=other_citizen)
    # CSRF: a form on another site cannot delete it.
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(citizen)
    assert csrf_client.post(discard_url(draft)).status_code == 403
    assert Application.objects.filter(pk=draft.pk).exists()


@pytest.mark.django_db
def test_a_submitted_application_is_not_discarded_but_withdrawn(client, citizen, program):
    client.force_login(citizen)
    submit(client, program)
    application = Application.objects.get()
    assert client.post(discard_url(application)).status_code == 404
    with pytest.raises(services.ApplicationError):
        services.application_draft_discard(application=application, user=citizen)
    application.refresh_from_db()
    assert application.status == "submitted" and application.documents.exists()


@pytest.mark.django_db
def test_the_optional_phone_number_is_kept_only_with_its_own_consent(client, citizen, program):
    """PIPA: an optional item gets a separate consent. A number without it is refused with a
    message and nothing typed is lost; with it, the consent's time is kept; the notice's version too."""
    client.force_login(citizen)
    refused = submit(client, program, contact_phone="010-1234-5678")
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "선택 항목 수집·이용에 동의해 주세요" in page and "010-1234-5678" in page
    assert not Application.objects.filter(status="submitted").exists()
    assert Application.objects.get().contact_phone == ""

    submit(client, program, contact_phone="010-1234-5678", phone_consent="on")
    application = Application.objects.get()
    assert application.status == "submitted" and application.contact_phone == "010-1234-5678"
    assert application.phone_consent_at is not None and application.consent_at is not None
    assert application.consent_version == services.CONSENT_VERSION

    # Without a number nothing optional is asked or kept.
    other = ProgramFactory(slug="no-phone")
    RequiredDocumentFactory(program=other, name_ko="등본")
    submit(client, other)
    assert Application.objects.get(program=other).phone_consent_at is None
    draft = ApplicationFactory(program=ProgramFactory(slug="draft-only"), applicant=citizen)
    with pytest.raises(services.ApplicationError, match="선택 항목"):
        services.application_save_draft(application=draft, answers={}, contact_phone="010-9999-8888")
    draft.refresh_from_db()
    assert draft.contact_phone == ""
