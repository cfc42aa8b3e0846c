"""Uploaded files: checked by what they contain, stored under random names outside the web
root, and handed out only through views that have already checked who is asking.

Every app that accepts files (application documents, activity evidence, agency logos, rosters)
uses ``UploadValidator`` on the form/model field and ``private_file_response`` to serve them.
"""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse
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


def private_file_response(field_file, *, download_name: str) -> FileResponse:
    """Serve a stored upload as an attachment; the caller has already checked permission."""
    head = field_file.open("rb").read(2048)
    field_file.seek(0)
    kind = sniff_kind(head)
    content_type = KINDS[kind][0] if kind else "application/octet-stream"
    response = FileResponse(field_file, as_attachment=True, filename=download_name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


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
