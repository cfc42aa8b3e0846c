"""How each app contributes to a citizen's data download and to account deletion, and the download
itself: one JSON document (``/me/data.json``) or a ZIP of it with the uploaded files (``/me/data.zip``).

An app opts in by giving its ``AppConfig`` two methods:

- ``personal_data_export(user) -> dict``: what the app holds about the user, JSON-serialisable.
- ``personal_data_erase(user) -> list[str]``: delete or anonymise the user's data and return a
  sentence per kind of record that must be kept (and why), e.g. decided applications kept for the
  program's legal retention period. An empty list means nothing is kept.

Accounts iterates over installed apps, so adding an app never means editing this module. Besides
the apps' sections, the download holds what cuts across them (PIPA's right to know): every consent
the person gave with its text version and time (``CONSENT_SOURCES``), whether two-factor sign-in is
on, who on the staff viewed, changed or exported their data and when (the access log: role and
agency, not the staff member's name or IP), and the files they uploaded (``FILE_SOURCES``). Every
time is in Asia/Seoul with its offset (``+09:00``).
"""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

logger = logging.getLogger(__name__)

SEOUL = ZoneInfo("Asia/Seoul")


def contributing_apps():
    return [config for config in apps.get_app_configs() if hasattr(config, "personal_data_export")]


def erasing_apps():
    return [config for config in apps.get_app_configs() if hasattr(config, "personal_data_erase")]


# --- Consents --------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConsentSource:
    """A model holding consents: its owner field, what the consent was for, the version field and
    the time fields (one per consent it records: the required one, then optional ones)."""

    model: str
    owner: str
    purpose: str
    version: str | None
    times: tuple[tuple[str, str], ...]  # (what, time field)
    label: str  # the field naming the record (a reference, an event) — looked up through relations


CONSENT_SOURCES = (
    ConsentSource("programs.Application", "applicant", "program_application", "consent_version",
                  (("collection_and_use", "consent_at"), ("optional_phone", "phone_consent_at")), "reference"),
    ConsentSource("events.Registration", "user", "event_registration", "consent_version",
                  (("collection_and_use", "consented_at"), ("provision_to_organiser", "provision_consented_at")),
                  "event__title_ko"),
    ConsentSource("matchmaking.ConsentRecord", "user", "meetup_registry", "text_version",
                  (("collection_and_use", "given_at"),), "pk"),
)


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def consents_of(user) -> list[dict]:
    """Every consent the person gave, oldest first: purpose, record, text version, what and when."""
    rows = []
    for source in CONSENT_SOURCES:
        model = _model(source.model)
        if model is None:
            continue
        fields = [source.label, *(field for _, field in source.times)] + ([source.version] if source.version else [])
        try:
            for field in fields:
                if "__" not in field and field != "pk":
                    model._meta.get_field(field)
        except FieldDoesNotExist:
            logger.error("personal data: %s has no field %s; its consents are left out", source.model, field)
            continue
        for values in model._default_manager.filter(**{source.owner: user}).values(*fields):
            for what, field in source.times:
                if values[field] is None:
                    continue
                rows.append({"purpose": source.purpose, "record": str(values[source.label] or ""), "consent": what,
                             "text_version": values[source.version] if source.version else None,
                             "given_at": values[field]})
    return sorted(rows, key=lambda row: row["given_at"])


# --- Uploaded files --------------------------------------------------------------------------
@dataclass(frozen=True)
class FileSource:
    """A model holding files a person uploaded: the path from it to its owner, and the folder name
    (in the ZIP) taken from a related field."""

    model: str
    owner: str
    file_field: str
    name_field: str
    folder: str
    folder_label: str


FILE_SOURCES = (
    FileSource("programs.ApplicationDocument", "application__applicant", "file", "original_name", "applications",
               "application__reference"),
)


@dataclass(frozen=True)
class OwnFile:
    path: str  # inside the ZIP
    original_name: str
    size: int | None
    uploaded_at: datetime | None
    field_file: object


def _safe(part: str) -> str:
    """A path segment that cannot climb out of its folder or carry control characters."""
    cleaned = re.sub(r"[\x00-\x1f/\\]+", "_", part or "").strip(" .")
    return cleaned[:120] or "file"


def files_of(user) -> list[OwnFile]:
    files: list[OwnFile] = []
    seen: set[str] = set()
    for source in FILE_SOURCES:
        model = _model(source.model)
        if model is None:
            continue
        rows = model._default_manager.filter(**{source.owner: user}).select_related(
            source.folder_label.rsplit("__", 1)[0]).order_by("pk")
        for row in rows:
            field_file = getattr(row, source.file_field)
            if not field_file:
                continue
            folder = row
            for part in source.folder_label.split("__"):
                folder = getattr(folder, part, None)
            folder = _safe(str(folder or f"draft-{getattr(row, 'application_id', row.pk)}"))
            name = _safe(getattr(row, source.name_field, "") or field_file.name.rsplit("/", 1)[-1])
            path = f"files/{source.folder}/{folder}/{name}"
            stem, dot, ext = name.rpartition(".")
            counter = 2
            while path in seen:
                path = f"files/{source.folder}/{folder}/{stem or ext}-{counter}{dot}{ext if stem else ''}"
                counter += 1
            seen.add(path)
            files.append(OwnFile(path=path, original_name=getattr(row, source.name_field, ""),
                                 size=getattr(row, "size", None), uploaded_at=getattr(row, "uploaded_at", None),
                                 field_file=field_file))
    return files


# --- Times in Seoul --------------------------------------------------------------------------
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$")


def in_seoul(value):
    """The document with every aware time — datetime objects and the ISO strings apps wrote — in
    Asia/Seoul with its offset. Naive times and other strings are left as they are."""
    if isinstance(value, dict):
        return {key: in_seoul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [in_seoul(item) for item in value]
    if isinstance(value, datetime):
        return value.astimezone(SEOUL).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(SEOUL).isoformat()
        except ValueError:
            return value
    return value


def as_json(document: dict) -> str:
    return json.dumps(in_seoul(document), ensure_ascii=False, indent=2, default=str)


def as_zip(document: dict, files: list[OwnFile]) -> bytes:
    """The JSON and the files in one ZIP. A file missing from storage is listed in ``missing_files``
    of the JSON rather than failing the whole download (and logged for operators)."""
    buffer = io.BytesIO()
    missing = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for own in files:
            try:
                with own.field_file.open("rb") as handle:
                    archive.writestr(own.path, handle.read())
            except (FileNotFoundError, OSError):
                logger.error("personal data: stored file %s is missing", own.field_file.name)
                missing.append(own.path)
        if missing:
            document = {**document, "missing_files": missing}
        archive.writestr("my-data.json", as_json(document))
    return buffer.getvalue()
