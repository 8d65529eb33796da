"""The upload pipeline: files checked by content, size limits, safe names, EXIF stripped."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript

from tests.files import (
    HTML_BYTES,
    PDF_BYTES,
    SCRIPT_BYTES,
    SVG_BYTES,
    jpeg_bytes,
    odf_bytes,
    ole_bytes,
    ooxml_bytes,
    png_bytes,
    upload,
)
from tests.uploads.conftest import (
    ACTIVE_PDFS,
    header_only_image,
    pdf_bytes,
    pdf_with_object_stream,
    png_header_bytes,
)
from wmasn import uploads


@pytest.mark.parametrize(
    ("name", "content", "label", "extension"),
    [
        ("report.pdf", PDF_BYTES, "PDF", "pdf"),
        ("minutes.docx", ooxml_bytes("docx"), "Word", "docx"),
        ("budget.xlsx", ooxml_bytes("xlsx"), "Excel", "xlsx"),
        ("slides.pptx", ooxml_bytes("pptx"), "PowerPoint", "pptx"),
        ("old.doc", ole_bytes("WordDocument"), "Word", "doc"),
        ("old.xls", ole_bytes("Workbook"), "Excel", "xls"),
        ("old.ppt", ole_bytes("PowerPoint Document"), "PowerPoint", "ppt"),
        ("notes.odt", odf_bytes(), "OpenDocument text", "odt"),
        (
            "sheet.ods",
            odf_bytes("application/vnd.oasis.opendocument.spreadsheet"),
            "OpenDocument spreadsheet",
            "ods",
        ),
    ],
)
def test_documents_are_recognised_by_content(name, content, label, extension):
    checked = uploads.validate_upload(upload(name, content), kind="document")

    assert checked.file_type.label == label
    assert checked.safe_name.endswith(f".{extension}")
    assert checked.size == len(content)


def test_the_extension_comes_from_the_content_not_the_name():
    checked = uploads.validate_upload(upload("letter.pdf", ooxml_bytes("docx")), kind="document")

    assert checked.safe_name == "letter.docx"
    assert checked.file_type.content_type.endswith("wordprocessingml.document")


@pytest.mark.parametrize(
    ("content", "looks_like"),
    [
        (HTML_BYTES, "a web page (HTML)"),
        (SVG_BYTES, "an XML or SVG file"),
        (b"<svg onload=alert(1)>", "an SVG image"),
        (SCRIPT_BYTES, "a script"),
        (b"<script>alert(1)</script>", "a script"),
    ],
)
@pytest.mark.parametrize("kind", ["document", "image"])
def test_disguised_files_are_refused_with_a_clear_message(content, looks_like, kind):
    name = "report.pdf" if kind == "document" else "photo.jpg"
    with pytest.raises(ValidationError) as error:
        uploads.validate_upload(upload(name, content, "application/pdf"), kind=kind)

    message = error.value.messages[0]
    assert f"“{name}” is not a" in message
    assert looks_like in message
    assert "checked by what they contain" in message
    assert error.value.code == "wrong_type"


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4 but never ends",  # a PDF header with no end: not a whole PDF
        ooxml_bytes("docm"),  # a macro-enabled Word file
        b"PK\x03\x04 not really a zip",
        ole_bytes("SomethingElse"),
        odf_bytes("application/x-unknown"),
        b"plain text",
    ],
)
def test_other_content_is_not_a_document(content):
    with pytest.raises(ValidationError, match="is not a PDF, Word, Excel"):
        uploads.validate_upload(upload("x.pdf", content), kind="document")


def test_a_pdf_is_not_an_image_and_an_image_is_not_a_document():
    with pytest.raises(ValidationError, match="is not a JPEG, PNG, GIF or WebP"):
        uploads.validate_upload(upload("photo.jpg", PDF_BYTES), kind="image")
    with pytest.raises(ValidationError, match="is not a PDF"):
        uploads.validate_upload(upload("photo.pdf", jpeg_bytes()), kind="document")


def test_oversized_files_are_refused(settings):
    settings.WMASN_UPLOAD_MAX_DOCUMENT_BYTES = 1000
    settings.WMASN_UPLOAD_MAX_IMAGE_BYTES = 100
    big_pdf = PDF_BYTES.replace(b"%%EOF", b" " * 1000 + b"%%EOF")

    with pytest.raises(ValidationError, match="the limit is 1000") as error:
        uploads.validate_upload(upload("big.pdf", big_pdf), kind="document")
    assert error.value.code == "too_big"
    with pytest.raises(ValidationError, match="the limit is 100"):
        uploads.validate_upload(upload("big.jpg", jpeg_bytes()), kind="image")


def test_a_file_whose_stated_size_lies_is_still_limited(settings):
    settings.WMASN_UPLOAD_MAX_DOCUMENT_BYTES = 100
    lying = upload("big.pdf", PDF_BYTES)
    lying.size = 10

    with pytest.raises(ValidationError, match="bigger than 100"):
        uploads.validate_upload(lying, kind="document")


def test_images_with_too_many_pixels_are_refused_before_decoding(settings):
    settings.WMASN_UPLOAD_MAX_IMAGE_PIXELS = 1_000_000
    buffer = io.BytesIO()
    Image.new("1", (2000, 2000)).save(buffer, "PNG")  # a few KB, 4 megapixels

    with pytest.raises(ValidationError, match="2,000 × 2,000 pixels") as error:
        uploads.validate_upload(upload("bomb.png", buffer.getvalue()), kind="image")
    assert error.value.code == "too_many_pixels"
    assert "the limit is 1 megapixels" in error.value.messages[0]


def test_a_pixel_bomb_is_named_with_its_size_and_the_limit():
    """50,000 × 50,000 is past Pillow's own bomb limit: once refused as "not a PNG"."""
    bomb = png_header_bytes(50_000, 50_000)
    assert len(bomb) < 200

    with pytest.raises(ValidationError) as error:
        uploads.validate_upload(upload("bomb.png", bomb, "image/png"), kind="image")

    assert error.value.code == "too_many_pixels"
    assert error.value.messages == [
        "“bomb.png” is 50,000 × 50,000 pixels (2,500 megapixels); the limit is 50 megapixels. "
        "Make it smaller and upload it again."
    ]


@pytest.mark.parametrize("size", [(8_000, 6_250), (50_000, 50_000), (65_535, 65_535)])
@pytest.mark.parametrize("image_format", ["PNG", "GIF", "JPEG"])
def test_pixel_limits_are_named_for_every_image_format(settings, image_format, size):
    settings.WMASN_UPLOAD_MAX_IMAGE_PIXELS = 1_000_000
    image = header_only_image(image_format, size)

    with pytest.raises(ValidationError, match=f"{size[0]:,} × {size[1]:,} pixels") as error:
        uploads.validate_upload(upload("big", image), kind="image")
    assert error.value.code == "too_many_pixels"


def test_an_image_at_the_pixel_limit_is_accepted(settings):
    settings.WMASN_UPLOAD_MAX_IMAGE_PIXELS = 64 * 48

    assert uploads.validate_upload(upload("ok.jpg", jpeg_bytes((64, 48))), kind="image")
    with pytest.raises(ValidationError, match="65 × 48 pixels"):
        uploads.validate_upload(upload("big.jpg", jpeg_bytes((65, 48))), kind="image")


def test_a_web_page_with_the_pdf_marker_in_a_comment_is_not_a_pdf():
    polyglot = (
        b"<html><!-- %PDF-1.4 --><body><script>alert(document.cookie)</script>"
        b"</body></html>\n%%EOF\n"
    )
    with pytest.raises(ValidationError, match="looks like a web page") as error:
        uploads.validate_upload(upload("paper.pdf", polyglot, "application/pdf"), kind="document")
    assert error.value.code == "wrong_type"


@pytest.mark.parametrize(
    "content",
    [
        b" " + PDF_BYTES,  # the marker one byte in
        b"\xef\xbb\xbf" + PDF_BYTES,  # after a byte-order mark
        b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n",  # marker, no PDF
        b"%PDF-1.7\n" + b"\x00" * 500 + b"\n%%EOF\n",
        PDF_BYTES.replace(b"/Root 1 0 R", b"/Root 9 0 R"),  # a trailer pointing nowhere
    ],
)
def test_a_pdf_starts_as_one_and_parses(content):
    with pytest.raises(ValidationError, match="is not a PDF, Word") as error:
        uploads.validate_upload(upload("paper.pdf", content), kind="document")
    assert error.value.code == "wrong_type"


def test_a_pdf_with_a_damaged_cross_reference_table_is_still_read():
    # Readers rebuild a wrong xref table from the objects; so does the check.
    whole = pdf_bytes()
    offset_at = whole.rindex(b"startxref\n") + len(b"startxref\n")
    damaged = whole[:offset_at] + b"7" + whole[offset_at:]
    checked = uploads.validate_upload(upload("paper.pdf", damaged), kind="document")
    assert checked.file_type == uploads.PDF


@pytest.mark.parametrize("what", ACTIVE_PDFS)
def test_a_pdf_that_runs_something_is_refused(what):
    with pytest.raises(ValidationError) as error:
        uploads.validate_upload(upload("paper.pdf", ACTIVE_PDFS[what]), kind="document")
    assert error.value.code == "pdf_active_content"
    message = error.value.messages[0]
    assert message.startswith("“paper.pdf” contains ")
    assert "Print to PDF" in message


def test_a_pdf_made_with_pypdf_and_a_script_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_open_action(JavaScript("app.alert('hello');"))
    buffer = io.BytesIO()
    writer.write(buffer)

    with pytest.raises(ValidationError, match="contains JavaScript"):
        uploads.validate_upload(upload("paper.pdf", buffer.getvalue()), kind="document")


def test_a_password_protected_pdf_is_refused_with_a_reason():
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)

    with pytest.raises(ValidationError, match="protected by a password") as error:
        uploads.validate_upload(upload("paper.pdf", buffer.getvalue()), kind="document")
    assert error.value.code == "pdf_password"


def test_a_compressed_pdf_without_scripts_passes():
    harmless = pdf_with_object_stream(b"<</S/GoTo/D[3 0 R/Fit]>>")
    assert b"GoTo" not in harmless, "the action is only in the compressed stream"
    assert b"JavaScript" not in ACTIVE_PDFS["a script compressed in an object stream"]

    assert uploads.validate_upload(upload("a.pdf", harmless)).file_type == uploads.PDF


def test_plain_pdfs_pass_whoever_wrote_them():
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Title": "Agenda"})
    buffer = io.BytesIO()
    writer.write(buffer)

    for content in (PDF_BYTES, pdf_bytes(), buffer.getvalue()):
        assert uploads.validate_upload(upload("a.pdf", content)).file_type == uploads.PDF


def test_empty_files_are_refused():
    with pytest.raises(ValidationError, match="is empty"):
        uploads.validate_upload(upload("x.pdf", b""), kind="document")


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("Commissioner's letter (final) v2.PDF", "commissioners-letter-final-v2.pdf"),
        ('<script>alert(1)</script>".pdf', "script.pdf"),
        ("Ünïcödé répört.pdf", "unicode-report.pdf"),
        ("...pdf", "file.pdf"),
        ("a" * 300 + ".pdf", "a" * 80 + ".pdf"),
    ],
)
def test_file_names_are_made_safe(name, safe):
    checked = uploads.validate_upload(upload(name, PDF_BYTES), kind="document")

    assert checked.safe_name == safe


def test_label_gives_type_and_size():
    assert uploads.file_label("PDF", 240 * 1024) == "PDF, 240.0 KB"
    assert uploads.file_label("Word", 1024 * 1024 * 3 // 2) == "Word, 1.5 MB"
    assert uploads.file_label("PDF", 500) == "PDF, 500 bytes"


def test_renditions_strip_exif_and_gps():
    original = jpeg_bytes((2400, 1600), gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825), "the sample has GPS"

    rendition = uploads.render_image(original, 1200)

    image = Image.open(io.BytesIO(rendition.content.read()))
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info
    assert (rendition.width, rendition.height) == (1200, 800) == image.size
    assert rendition.file_type.content_type == "image/jpeg"


def test_renditions_apply_the_orientation_before_dropping_it():
    # EXIF orientation 6: the camera was turned; the pixels must be turned instead.
    rendition = uploads.render_image(jpeg_bytes((60, 40), orientation=6), 1000)

    assert (rendition.width, rendition.height) == (40, 60)


def test_small_images_are_not_enlarged_and_transparency_stays_png():
    rendition = uploads.render_image(png_bytes((40, 30)), 1200)

    assert (rendition.width, rendition.height) == (40, 30)
    assert rendition.file_type.content_type == "image/png"
    assert Image.open(io.BytesIO(rendition.content.read())).mode == "RGBA"


def test_upload_field_returns_a_checked_upload_or_a_form_error():
    field = uploads.UploadField(kind="document")

    assert field.clean(upload("a.pdf", PDF_BYTES)).file_type == uploads.PDF
    with pytest.raises(ValidationError, match="is not a PDF"):
        field.clean(upload("a.pdf", HTML_BYTES))
    assert "up to 20.0 MB" in field.help_text
