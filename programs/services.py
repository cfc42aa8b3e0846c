"""Writes for programs: applications from draft to decision, and saved finder answers.

Every status change goes through ``_transition``, which locks the application row
(``select_for_update``), checks ``Application.TRANSITIONS``, writes a history row and notifies
the citizen (delivery happens after the transaction commits).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gwangmyeong_portal.uploads import delete_files_on_commit, original_name
from notifications.rendering import language_for
from notifications.services import notify

from .models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationReferenceCounter,
    FinderProfile,
    Program,
)

S = Application.Status
# The version of the collection notice on the apply page (templates/programs/apply.html): change it
# whenever that text changes, so each application says which text its applicant agreed to.
CONSENT_VERSION = "programs-2026-11"


class ApplicationError(ValidationError):
    """A request the rules do not allow; its message is shown to the user as is."""


def application_reference_next(*, year: int) -> str:
    """The next reference of ``year``: ``GM-<year>-<six-digit number>``, numbered 1, 2, 3… per year.

    Call inside the submitting transaction: the year's counter row stays locked
    (``select_for_update``) until that transaction ends, so concurrent submits are numbered one
    after the other, and a rollback returns the number. ``Application.reference`` is unique in the
    database as well."""
    counter, created = ApplicationReferenceCounter.objects.select_for_update().get_or_create(year=year)
    if created:
        # A year's first number: start after any reference of that year already in the table
        # (rows restored or imported without their counter), never on top of one.
        prefix = f"GM-{year}-"
        used = [int(ref[len(prefix):]) for ref in Application.objects.filter(reference__startswith=prefix)
                .values_list("reference", flat=True) if ref[len(prefix):].isdigit()]
        counter.last_number = max(used, default=0)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"GM-{year}-{counter.last_number:06d}"


def application_draft_for(*, program: Program, applicant) -> Application | None:
    """The applicant's draft for ``program`` if there is one — without creating anything — after
    checking that they may apply: the program takes applications and they have not applied yet."""
    if not program.is_open():
        raise ApplicationError(_("지금은 온라인 신청을 받지 않는 사업입니다."))
    existing = Application.objects.active().filter(program=program, applicant=applicant).order_by("-created_at").first()
    if existing is not None and (existing.status == S.DRAFT or program.allows_repeat is False):
        if existing.status != S.DRAFT:
            raise ApplicationError(
                _("이미 신청하셨습니다(신청 번호 %(ref)s). 진행 상황은 내 신청 내역에서 확인하세요.")
                % {"ref": existing.reference}
            )
        return existing
    return None


@transaction.atomic
def application_start(*, program: Program, applicant) -> Application:
    """The applicant's draft for ``program``: the existing one, or a new one. Called on the first
    save, never when the apply page is only opened (a draft nobody saved is no application).

    Two simultaneous starts (a double click) meet the partial unique constraint: the loser's
    insert fails inside a savepoint and it returns the winner's row.
    """
    existing = application_draft_for(program=program, applicant=applicant)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Application.objects.create(
                program=program, applicant=applicant, single_per_person=not program.allows_repeat,
                contact_phone=getattr(applicant, "phone", "") or "",
            )
    except IntegrityError:
        return Application.objects.active().get(program=program, applicant=applicant, status=S.DRAFT)


def _store_documents(application: Application, files: dict, *, replace: bool = True) -> None:
    """Attach uploads (already validated by the form). In a draft a new file for a document type
    replaces the old (``replace``); a supplement adds to what was submitted, which stays on file."""
    for required_document, upload in files.items():
        if upload is None:
            continue
        if required_document is not None and replace:
            old = list(application.documents.filter(required_document=required_document))
            names = [doc.file.name for doc in old]
            ApplicationDocument.objects.filter(pk__in=[doc.pk for doc in old]).delete()
            delete_files_on_commit(ApplicationDocument._meta.get_field("file").storage, names)
        ApplicationDocument.objects.create(
            application=application, required_document=required_document, file=upload,
            original_name=original_name(upload.name), size=upload.size,
        )


@transaction.atomic
def application_save_draft(*, application: Application, answers: dict, contact_phone: str = "",
                           consent: bool = False, phone_consent: bool = False,
                           files: dict | None = None) -> Application:
    """Save what the applicant has filled in so far; only drafts can be edited.

    ``consent`` is the agreement to the collection notice (its time and ``CONSENT_VERSION`` are
    kept). The phone number is optional and needs ``phone_consent`` of its own: without it no number
    is kept; removing the number clears that consent's time."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != S.DRAFT:
        raise ApplicationError(_("이미 제출한 신청서는 고칠 수 없습니다."))
    if contact_phone and not phone_consent:
        raise ApplicationError(_("휴대전화 번호를 남기려면 선택 항목 수집·이용에 동의해 주세요."))
    application.answers = answers
    application.contact_phone = contact_phone
    now = timezone.now()
    if consent and application.consent_at is None:
        application.consent_at, application.consent_version = now, CONSENT_VERSION
    if not contact_phone:
        application.phone_consent_at = None
    elif application.phone_consent_at is None:
        application.phone_consent_at = now
    application.save(update_fields=["answers", "contact_phone", "consent_at", "consent_version", "phone_consent_at",
                                    "updated_at"])
    _store_documents(application, files or {})
    return application


@transaction.atomic
def application_keep_documents(*, application: Application, files: dict) -> Application:
    """Keep the files that passed their checks when the rest of the form did not (another file was
    refused, an answer is missing): stored with the draft, so the citizen does not pick them again.
    Nothing else of the form is saved; only drafts take files this way."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != S.DRAFT:
        raise ApplicationError(_("이미 제출한 신청서는 고칠 수 없습니다."))
    _store_documents(application, files)
    return application


def missing_documents(application: Application) -> list:
    have = set(application.documents.values_list("required_document_id", flat=True))
    return [d for d in application.program.required_documents.all() if d.is_required and d.pk not in have]


@transaction.atomic
def application_submit(*, application: Application, actor) -> Application:
    """Submit a draft. Submitting an already submitted application (a double click, a resent
    form) changes nothing and returns it as it is."""
    application = Application.objects.select_for_update().select_related("program").get(pk=application.pk)
    if application.status != S.DRAFT:
        return application
    if not application.program.is_open():
        raise ApplicationError(_("신청 기간이 끝나 제출할 수 없습니다."))
    if application.consent_at is None:
        raise ApplicationError(_("개인정보 수집·이용에 동의해야 신청할 수 있습니다."))
    missing = missing_documents(application)
    if missing:
        raise ApplicationError(
            _("필수 서류를 올려 주세요: %(docs)s") % {"docs": ", ".join(d.name for d in missing)},
            code="missing_documents",
        )
    application.submitted_at = timezone.now()
    application.reference = application_reference_next(year=timezone.localdate(application.submitted_at).year)
    application.status = S.SUBMITTED
    application.save(update_fields=["submitted_at", "reference", "status", "updated_at"])
    event = ApplicationEvent.objects.create(application=application, from_status=S.DRAFT, to_status=S.SUBMITTED,
                                            actor=actor)
    notify(
        recipient=application.applicant, kind="programs.application_submitted",
        context=_message_context(application),
        idempotency_key=f"programs.application:{application.pk}:event:{event.pk}",
        link=application.get_absolute_url(),
    )
    return application


def _transition(application: Application, to_status: str, *, actor, note: str = "", **fields) -> Application:
    application = Application.objects.select_for_update().select_related("program", "applicant").get(
        pk=application.pk
    )
    if application.status == to_status and to_status in Application.DECIDED:
        return application  # deciding twice (a resent form, a bulk action over a decided row) is a no-op
    if not application.can_move_to(to_status):
        raise ApplicationError(
            _("'%(from)s' 상태에서는 '%(to)s'(으)로 바꿀 수 없습니다.")
            % {"from": application.get_status_display(), "to": S(to_status).label}
        )
    from_status = application.status
    application.status = to_status
    for name, value in fields.items():
        setattr(application, name, value)
    application.save(update_fields=["status", "updated_at", *fields])
    if from_status == S.INFO_REQUESTED:
        # Files held for a 보완 제출 that never came (withdrawn, decided meanwhile) go with the request.
        _held_delete(application.documents.filter(held=True))
    event = ApplicationEvent.objects.create(application=application, from_status=from_status, to_status=to_status,
                                            actor=actor, note=note)
    kind = {
        S.INFO_REQUESTED: "programs.application_info_requested",
        S.APPROVED: "programs.application_decided",
        S.REJECTED: "programs.application_decided",
    }.get(to_status, "programs.application_updated")
    notify(
        recipient=application.applicant, kind=kind,
        context=_message_context(application, status=to_status, note=note),
        idempotency_key=f"programs.application:{application.pk}:event:{event.pk}",
        link=application.get_absolute_url(),
    )
    return application


def _message_context(application: Application, *, status: str | None = None, note: str = "") -> dict:
    """Message values in the recipient's language (the program title, the status label)."""
    with translation.override(language_for(application.applicant)):
        context = {"title": application.program.title, "reference": application.reference or ""}
        if status is not None:
            context.update(status=str(S(status).label), note=note)
    return context


def _require(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ApplicationError(message)
    return text


@transaction.atomic
def application_start_review(*, application: Application, actor) -> Application:
    return _transition(application, S.UNDER_REVIEW, actor=actor)


@transaction.atomic
def application_request_info(*, application: Application, actor, message: str) -> Application:
    message = _require(message, _("무엇을 보완해야 하는지 적어 주세요."))
    return _transition(application, S.INFO_REQUESTED, actor=actor, note=message, info_request=message)


def _held_delete(documents) -> None:
    """Delete held supplement files (rows now, files once the transaction commits)."""
    documents = list(documents)
    if documents:
        ApplicationDocument.objects.filter(pk__in=[doc.pk for doc in documents]).delete()
        storage = ApplicationDocument._meta.get_field("file").storage
        delete_files_on_commit(storage, [doc.file.name for doc in documents])


def _document_key(document) -> int | None:
    return document.pk if document is not None else None


@transaction.atomic
def application_hold_supplement_files(*, application: Application, files: dict) -> list[ApplicationDocument]:
    """Keep the files of a 보완 제출 that passed their checks when another of its files was refused
    (or the note was too long), so the citizen picks only the refused one again. They are stored
    as held rows (``ApplicationDocument.held``): not part of the application yet — no history
    step, no status change, not shown to reviewers — until ``application_provide_info`` files
    them with the rest. A new file for a document replaces the one held for it. Only while
    information is requested; the application row is locked (``select_for_update``) so a
    concurrent submit or decision sees all of them or none. Returns the held files."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != S.INFO_REQUESTED:
        raise ApplicationError(_("보완 요청을 받은 신청만 보완 내용을 낼 수 있습니다."))
    files = {doc: upload for doc, upload in files.items() if upload}
    keys = {_document_key(doc) for doc in files}
    held = application.documents.filter(held=True)
    _held_delete(doc for doc in held if doc.required_document_id in keys)
    for required_document, upload in files.items():
        ApplicationDocument.objects.create(
            application=application, required_document=required_document, file=upload,
            original_name=original_name(upload.name), size=upload.size, held=True,
        )
    return list(application.documents.filter(held=True).select_related("required_document"))


@transaction.atomic
def application_provide_info(*, application: Application, actor, note: str, files: dict | None = None) -> Application:
    """The applicant answers a request for more information, with a note and/or new files.

    ``files`` maps the required document each file answers (None: another document the request
    asked for) to the upload. They are added to what was submitted, which stays on file, together
    with the files held from an earlier try (``application_hold_supplement_files``) that no new
    file replaces; the history note lists them all so the reviewer sees which file answers what.
    The application row is locked (``select_for_update``) before the held files are read."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    note = (note or "").strip()
    files = {doc: upload for doc, upload in (files or {}).items() if upload}
    keys = {_document_key(doc) for doc in files}
    held = list(application.documents.filter(held=True).select_related("required_document")) \
        if application.status == S.INFO_REQUESTED else []
    kept = [doc for doc in held if doc.required_document_id not in keys]
    if not note and not files and not kept:
        raise ApplicationError(_("보완 내용을 적거나 파일을 올려 주세요."))
    listing = "\n".join(
        [f"· {doc.required_document.name if doc.required_document else _('기타 서류')}: {doc.original_name}"
         for doc in kept]
        + [f"· {doc.name if doc is not None else _('기타 서류')}: {original_name(upload.name)}"
           for doc, upload in files.items()]
    )
    history_note = "\n".join(part for part in (note, listing) if part)
    # Kept files join the application before the step is taken (which drops whatever is still held).
    ApplicationDocument.objects.filter(pk__in=[doc.pk for doc in kept]).update(held=False)
    application = _transition(application, S.INFO_PROVIDED, actor=actor, note=history_note)
    _store_documents(application, files, replace=False)
    return application


@transaction.atomic
def application_approve(*, application: Application, actor, note: str = "") -> Application:
    return _transition(application, S.APPROVED, actor=actor, note=note, decided_at=timezone.now(),
                       decision_reason=note.strip())


@transaction.atomic
def application_reject(*, application: Application, actor, reason: str) -> Application:
    reason = _require(reason, _("반려 사유를 적어 주세요."))
    return _transition(application, S.REJECTED, actor=actor, note=reason, decided_at=timezone.now(),
                       decision_reason=reason)


@transaction.atomic
def application_withdraw(*, application: Application, actor) -> Application:
    """The applicant withdraws before a decision."""
    if application.applicant_id != actor.pk:
        raise ApplicationError(_("본인의 신청만 취소할 수 있습니다."))
    return _transition(application, S.WITHDRAWN, actor=actor)


@transaction.atomic
def application_draft_discard(*, application: Application, user) -> None:
    """The applicant throws away a draft — also one for a program that has closed since, which
    can no longer be opened. The row goes (with its history and document rows); the uploaded
    files leave storage once the deletion has committed, so a rollback keeps both.

    The row is locked (``select_for_update``): a submit racing with the discard either commits
    first (and the discard is refused: a submitted application is withdrawn, not deleted) or
    waits and finds nothing. Discarding an already discarded draft (a double click) does nothing.
    """
    application = Application.objects.select_for_update().filter(pk=application.pk).first()
    if application is None:
        return
    if application.applicant_id != user.pk:
        raise ApplicationError(_("본인이 작성 중인 신청서만 삭제할 수 있습니다."))
    if application.status != S.DRAFT:
        raise ApplicationError(_("이미 제출한 신청서는 삭제할 수 없습니다. 내 신청 내역에서 신청을 취소하세요."))
    names = list(application.documents.values_list("file", flat=True))
    application.delete()
    # After commit: a rollback must not leave a draft whose files are gone.
    delete_files_on_commit(ApplicationDocument._meta.get_field("file").storage, names)


def finder_profile_save(*, user, answers: dict) -> FinderProfile:
    """Keep finder answers on the user's profile, only when they ask for it."""
    profile, _created = FinderProfile.objects.update_or_create(user=user, defaults={"answers": answers})
    return profile


def finder_profile_delete(*, user) -> None:
    FinderProfile.objects.filter(user=user).delete()
