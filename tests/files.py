"""Small, real files for upload tests: the upload checks parse PDFs, so a PDF must be one."""

from io import BytesIO


def make_pdf(*, pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = make_pdf()


def pdf_with_javascript() -> bytes:
    """A well-formed PDF that runs a script when opened (/OpenAction → /JavaScript)."""
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)"),
    })
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_attachment() -> bytes:
    """A well-formed PDF carrying an embedded file."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("payload.exe", b"MZ\x90\x00")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


# Starts with a PDF signature, and is not a PDF: a page a browser would run as HTML.
FAKE_PDF = b"%PDF-1.4\n<script>alert(document.cookie)</script>\n"
