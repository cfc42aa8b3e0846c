"""Uploaded files: checked by what they contain, stored under random names outside the web
root, and handed out only through views that have already checked who is asking.

Every app that accepts files (application documents, activity evidence, agency logos, rosters)
uses ``UploadValidator`` on the form/model field, and every view that hands out a stored file
(uploads and background exports alike) calls ``private_file_response``: always a download, never
rendered by the browser, and a file gone from storage answers a 404 page and an error in the log
instead of a server error. ``stored_files_missing`` lists the rows whose files are gone (run
nightly by ``gwangmyeong_portal.tasks.stored_files_check_task`` through ``gwangmyeong_portal.stored_files``).
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.deconstruct import deconstructible
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

# Content type and the file-name extension we store it under, per kind we can recognise.
KINDS = {
    "pdf": ("application/pdf", ".pdf"),
    "png": ("image/png", ".png"),
    "jpeg": ("image/jpeg", ".jpg"),
    "csv": ("text/csv", ".csv"),
}
KIND_LABELS = {"pdf": "PDF", "png": "PNG", "jpeg": "JPG", "csv": "CSV"}
IMAGE_MAX_PIXELS = 40_000_000  # a 40-megapixel photo is plenty; beyond it smells of a pixel bomb
# Served with every stored file: a download, never sniffed, and if a browser renders it anyway
# (an old one, a PDF viewer tab) it runs in a sandbox with no scripts and no requests.
DOWNLOAD_CSP = "sandbox; default-src 'none'"

logger = logging.getLogger(__name__)
# pypdf warns about every flaw it works around; for an upload check the verdict is what counts.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def sniff_kind(head: bytes) -> str | None:
    """What the first bytes of a file say it is, whatever its name claims."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    return None


def _read_head(file, size: int = 2048) -> bytes:
    pos = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(size)
    file.seek(pos)
    return head


def _looks_like_text_csv(file) -> bool:
    head = _read_head(file, 64 * 1024)
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is fine.
        if exc.start < len(head) - 4:
            return False
    return True


def _image_is_sound(file) -> bool:
    from PIL import Image

    pos = file.tell()
    file.seek(0)
    try:
        with Image.open(file) as image:
            if image.width * image.height > IMAGE_MAX_PIXELS:
                return False
            image.verify()
        return True
    except Exception:  # noqa: BLE001 - any decoder complaint means "not a sound image"
        return False
    finally:
        file.seek(pos)


# Actions a PDF can run by itself when opened or clicked. A certificate or an attendance sheet has
# no need for any of them; a file that carries one is refused rather than handed to a clerk.
PDF_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/GoToE", "/GoToR", "/Rendition"}


def _pdf_action_is_active(action) -> bool:
    seen = 0
    while action is not None and seen < 50:  # /Next chains; a loop in a broken file ends here
        action = action.get_object() if hasattr(action, "get_object") else action
        if not hasattr(action, "get"):
            return False  # a destination array ("open at page 1, fit width") is only a view setting
        if action.get("/S") in PDF_ACTIVE_ACTIONS or "/JS" in action:
            return True
        following = action.get("/Next")
        if isinstance(following, list):
            return any(_pdf_action_is_active(item) for item in following)
        action, seen = following, seen + 1
    return False


def _pdf_has_additional_actions(node) -> bool:
    node = node.get_object()
    extra = node.get("/AA")
    if extra is not None:
        return any(_pdf_action_is_active(action) for action in extra.get_object().values())
    return False


def pdf_problem(file) -> str | None:
    """Why a file that starts like a PDF must be refused (``"broken"``, ``"active"``), or None.

    pypdf parses the cross-reference table, the catalog and the page tree: a file that only
    starts with ``%PDF-`` (a script behind a fake signature) does not parse. A sound PDF is still
    refused when it carries JavaScript, launch or form-submit actions (on opening, on a page, in a
    link) or embedded files.
    """
    from pypdf import PdfReader

    pos = file.tell()
    file.seek(0)
    try:
        reader = PdfReader(file, strict=False)
        if reader.is_encrypted:
            return "encrypted"
        catalog = reader.trailer["/Root"].get_object()
        pages = reader.pages
        if len(pages) == 0:
            return "broken"
        names = catalog.get("/Names")
        names = names.get_object() if names is not None else {}
        if "/JavaScript" in names or "/EmbeddedFiles" in names:
            return "active"
        if _pdf_action_is_active(catalog.get("/OpenAction")) or _pdf_has_additional_actions(catalog):
            return "active"
        for page in pages:
            if _pdf_has_additional_actions(page):
                return "active"
            for annotation in page.get("/Annots") or []:
                annotation = annotation.get_object()
                if annotation.get("/Subtype") == "/FileAttachment" or _pdf_action_is_active(annotation.get("/A")):
                    return "active"
                if _pdf_has_additional_actions(annotation):
                    return "active"
        return None
    except Exception:  # noqa: BLE001 - any parser complaint (truncated, no trailer, bad xref) means "not a PDF"
        return "broken"
    finally:
        file.seek(pos)


@deconstructible
class UploadValidator:
    """Accept only files whose *content* is one of ``kinds`` and whose size is within limits."""

    def __init__(self, kinds=("pdf", "png", "jpeg"), max_bytes: int | None = None):
        self.kinds = tuple(kinds)
        self.max_bytes = max_bytes

    def __eq__(self, other):
        return isinstance(other, UploadValidator) and (self.kinds, self.max_bytes) == (other.kinds, other.max_bytes)

    def __call__(self, file):
        limit = self.max_bytes or settings.UPLOAD_MAX_BYTES
        allowed = ", ".join(KIND_LABELS[k] for k in self.kinds)
        if file.size is not None and file.size > limit:
            raise ValidationError(
                _("파일이 너무 큽니다(%(size)s MB). %(limit)s MB 이하로 올려 주세요."),
                code="file_too_large",
                params={"size": f"{file.size / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"},
            )
        if file.size == 0:
            raise ValidationError(_("빈 파일입니다. 내용을 확인해 주세요."), code="file_empty")
        kind = sniff_kind(_read_head(file))
        if kind is None and "csv" in self.kinds and _looks_like_text_csv(file):
            kind = "csv"
        if kind not in self.kinds:
            raise ValidationError(
                _("올릴 수 있는 파일 형식이 아닙니다. 파일 이름이 아니라 내용을 확인합니다. 허용 형식: %(allowed)s"),
                code="file_type",
                params={"allowed": allowed},
            )
        if kind in ("png", "jpeg") and not _image_is_sound(file):
            raise ValidationError(_("손상되었거나 지나치게 큰 이미지입니다."), code="file_image")
        if kind == "pdf":
            problem = pdf_problem(file)
            if problem == "active":
                raise ValidationError(
                    _("스크립트나 첨부 파일이 들어 있는 PDF는 받을 수 없습니다. "
                      "인쇄하거나 'PDF로 저장'한 파일을 올려 주세요."),
                    code="file_pdf_active",
                )
            if problem == "encrypted":
                raise ValidationError(_("암호가 걸린 PDF는 받을 수 없습니다. 암호를 풀고 다시 올려 주세요."),
                                      code="file_pdf_encrypted")
            if problem:
                raise ValidationError(_("PDF 파일을 읽을 수 없습니다. 손상되었거나 PDF가 아닌 파일입니다."),
                                      code="file_pdf_broken")


@deconstructible
class PrivateUploadTo:
    """An ``upload_to`` storing under ``<folder>/<yyyy>/<random>.<ext>``: names reveal nothing."""

    def __init__(self, folder: str):
        self.folder = folder

    def __eq__(self, other):
        return isinstance(other, PrivateUploadTo) and other.folder == self.folder

    def __call__(self, instance, filename):
        from django.utils import timezone

        ext = os.path.splitext(filename)[1].lower()
        if ext not in {".pdf", ".png", ".jpg", ".jpeg", ".csv"}:
            ext = ".bin"
        return f"{self.folder}/{timezone.now():%Y}/{uuid.uuid4().hex}{ext}"


def private_upload_to(folder: str) -> PrivateUploadTo:
    return PrivateUploadTo(folder)


def original_name(filename: str) -> str:
    """A safe version of the name the user gave, kept for display and downloads."""
    return get_valid_filename(os.path.basename(filename))[:200] or "file"


class StoredFileMissing(Http404):
    """A row points at a file that is no longer in storage (logged as an error for operators)."""


def _owner_label(field_file) -> str:
    instance = getattr(field_file, "instance", None)
    if instance is None:
        return "?"
    return f"{instance._meta.label_lower} #{instance.pk} ({field_file.field.name})"


def private_file_response(field_file, *, download_name: str, request=None, content_type: str | None = None):
    """Serve a stored file as a download; the caller has already checked permission.

    Always ``Content-Disposition: attachment``, ``nosniff``, a sandboxing CSP and ``no-store``.
    When the file is gone from storage, operators get an error in the log naming the row, and the
    user a 404 page saying the file is missing (with ``request``; without, a plain 404) — never a
    server error, never the storage path."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.storage.open(field_file.name, "rb")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as exc:
        logger.error("Stored file missing: %s, storage name %r (%s)", _owner_label(field_file), field_file.name,
                     type(exc).__name__)
        if request is None:
            raise StoredFileMissing(_("파일을 찾을 수 없습니다.")) from None
        return render(request, "file_missing.html", status=404)
    if content_type is None:
        head = handle.read(2048)
        handle.seek(0)
        kind = sniff_kind(head)
        content_type = KINDS[kind][0] if kind else "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=download_name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response._csp_exempt = True  # django-csp must not replace the sandboxing policy with the site's
    return response


@dataclass(frozen=True)
class MissingFile:
    """A row whose file field names a file that storage does not have."""

    model: str  # "programs.applicationdocument"
    pk: int
    field: str
    name: str

    def __str__(self):
        return f"{self.model} #{self.pk} ({self.field}): {self.name}"


def file_fields():
    """Every (model, file field) of the project's own apps."""
    from django.apps import apps
    from django.db import models

    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                yield model, field


def stored_files_missing() -> Iterator[MissingFile]:
    """The rows (of every model with a file field) whose stored file is gone, in model order."""
    for model, field in file_fields():
        rows = (model._default_manager.exclude(**{field.name: ""}).exclude(**{f"{field.name}__isnull": True})
                .order_by("pk").values_list("pk", field.name))
        for pk, name in rows.iterator(chunk_size=2000):
            if not field.storage.exists(name):
                yield MissingFile(model=model._meta.label_lower, pk=pk, field=field.name, name=name)


def delete_files_on_commit(storage, names) -> None:
    """Remove stored uploads once the transaction that removed their rows has committed: a rollback
    keeps both the rows and the files. A file already gone is no error."""
    names = [name for name in names if name]
    if not names:
        return

    def delete():
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)


class AttachmentSandboxMiddleware:
    """Every response sent as a download (``Content-Disposition: attachment``) — stored files, CSV
    and XLSX exports, calendar files, "my data" — is never sniffed and, should a browser render it
    anyway, runs sandboxed with nothing allowed: whatever a download holds cannot act on the
    portal's origin. Sits after django-csp in MIDDLEWARE, so it sets its policy first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Disposition", "").lower().startswith("attachment"):
            response["X-Content-Type-Options"] = "nosniff"
            response["Content-Security-Policy"] = DOWNLOAD_CSP
        return response
