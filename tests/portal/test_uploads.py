"""Uploads are judged by their content, not their name."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gwangmyeong_portal.uploads import UploadValidator, sniff_kind
from tests.files import PDF


def png_bytes(size=(4, 4)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, "PNG")
    return buffer.getvalue()


def upload(name, content, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_real_pdf_and_png_pass():
    UploadValidator()(upload("a.pdf", PDF))
    UploadValidator()(upload("photo.png", png_bytes(), "image/png"))


@pytest.mark.parametrize(
    "name, content",
    [
        ("setup.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200),  # a Windows executable renamed .pdf
        ("script.pdf", b"#!/bin/sh\nrm -rf /\n"),
        ("image.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("bomb.pdf", b"PK\x03\x04" + b"\x00" * 100),  # a zip archive
        ("page.pdf", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_renamed_or_dangerous_content_is_refused_with_a_clear_message(name, content):
    with pytest.raises(ValidationError) as excinfo:
        UploadValidator()(upload(name, content))
    assert excinfo.value.code == "file_type"
    assert "PDF" in str(excinfo.value.messages[0])


def test_oversized_file_is_refused_before_reading_it(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as excinfo:
        UploadValidator()(upload("big.pdf", PDF + b"0" * 2048))
    assert excinfo.value.code == "file_too_large"


def test_truncated_image_with_a_valid_signature_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        UploadValidator()(upload("broken.png", png_bytes()[:30], "image/png"))
    assert excinfo.value.code == "file_image"


def test_image_beyond_pixel_limit_is_refused(monkeypatch):
    monkeypatch.setattr("gwangmyeong_portal.uploads.IMAGE_MAX_PIXELS", 100)
    with pytest.raises(ValidationError):
        UploadValidator()(upload("huge.png", png_bytes((20, 20)), "image/png"))


def test_csv_only_where_asked():
    csv = "email\n김@example.com\n".encode()
    UploadValidator(kinds=("csv",))(upload("roster.csv", csv, "text/csv"))
    with pytest.raises(ValidationError):
        UploadValidator()(upload("roster.pdf", csv))
    with pytest.raises(ValidationError):
        UploadValidator(kinds=("csv",))(upload("roster.csv", b"\x00\x01binary", "text/csv"))


def test_sniffing_ignores_names():
    assert sniff_kind(PDF) == "pdf"
    assert sniff_kind(png_bytes()) == "png"
    assert sniff_kind(b"\xff\xd8\xff\xe0") == "jpeg"
    assert sniff_kind(b"GIF89a") is None


def _pdf(build) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _open_at_first_page(writer):
    from pypdf.generic import ArrayObject, NameObject

    writer._root_object[NameObject("/OpenAction")] = ArrayObject([writer.pages[0].indirect_reference,
                                                                  NameObject("/Fit")])


def _link_running_javascript(writer):
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

    link = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(100), NumberObject(100)]),
        NameObject("/A"): DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                                            NameObject("/JS"): TextStringObject("app.alert(1)")}),
    })
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])


def test_a_pdf_signature_is_not_enough_the_structure_is_parsed():
    from tests.files import FAKE_PDF

    for content in (FAKE_PDF, PDF[: len(PDF) // 2], b"%PDF-1.7\n" + b"\x00" * 500):
        with pytest.raises(ValidationError) as excinfo:
            UploadValidator()(upload("x.pdf", content))
        assert excinfo.value.code == "file_pdf_broken"


@pytest.mark.parametrize("build", [
    lambda w: w.add_attachment("run.exe", b"MZ"),
    _link_running_javascript,
    lambda w: w.encrypt("secret"),
], ids=["embedded-file", "javascript-link", "encrypted"])
def test_pdfs_that_carry_active_content_or_a_password_are_refused(build):
    from tests.files import pdf_with_javascript

    for content in (_pdf(build), pdf_with_javascript()):
        with pytest.raises(ValidationError) as excinfo:
            UploadValidator()(upload("x.pdf", content))
        assert excinfo.value.code in ("file_pdf_active", "file_pdf_encrypted")


def test_a_pdf_that_only_opens_at_its_first_page_is_fine():
    UploadValidator()(upload("x.pdf", _pdf(_open_at_first_page)))
