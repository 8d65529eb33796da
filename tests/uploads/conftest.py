"""Hostile files built in the tests (PDFs with scripts, pixel bombs) and a disk that fills."""

import errno
import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage
from PIL import Image

CATALOG = b"<</Type/Catalog/Pages 2 0 R>>"
PAGES = b"<</Type/Pages/Kids[3 0 R]/Count 1>>"
PAGE = b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>"


def pdf_bytes(*objects, catalog=CATALOG, page=PAGE):
    """A whole PDF: catalog, pages, page, then `objects` as 4 0 obj…, a correct xref table."""
    body = [catalog, PAGES, page, *objects]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, content in enumerate(body, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(body) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(body) + 1, xref)
    return bytes(out)


def pdf_with_object_stream(action):
    """A PDF 1.5 whose catalog and `action` sit compressed in an object stream, found through
    a cross-reference stream: nothing of them is readable in the file's bytes."""
    packed = {1: b"<</Type/Catalog/Pages 2 0 R/OpenAction 4 0 R>>", 4: action}
    header, body = b"", b""
    for number, content in packed.items():
        header += b"%d %d " % (number, len(body))
        body += content + b"\n"
    stream = zlib.compress(header + body)
    plain = {
        2: PAGES,
        3: PAGE,
        5: b"<</Type/ObjStm/N 2/First %d/Filter/FlateDecode/Length %d>>stream\n%s\nendstream"
        % (len(header), len(stream), stream),
    }
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, content in plain.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    for number in range(1, 7):
        if number in packed:
            rows.append(struct.pack(">BIH", 2, 5, list(packed).index(number)))
        elif number == 6:
            rows.append(struct.pack(">BIH", 1, len(out), 0))
        else:
            rows.append(struct.pack(">BIH", 1, offsets[number], 0))
    xref = zlib.compress(b"".join(rows))
    xref_at = len(out)
    out += (
        b"6 0 obj\n<</Type/XRef/Size 7/W[1 4 2]/Root 1 0 R/Filter/FlateDecode/Length %d>>"
        b"stream\n%s\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % (len(xref), xref, xref_at)
    )
    return bytes(out)


# PDFs that would run something when opened, each spelt the way a real one might be.
ACTIVE_PDFS = {
    "an OpenAction script": pdf_bytes(
        b"<</S/JavaScript/JS(app.alert\\(1\\))>>",
        catalog=b"<</Type/Catalog/Pages 2 0 R/OpenAction 4 0 R>>",
    ),
    "a document-level script": pdf_bytes(
        b"<</Names[(init) 5 0 R]>>",
        b"<</S/JavaScript/JS(this.print\\(\\))>>",
        catalog=b"<</Type/Catalog/Pages 2 0 R/Names<</JavaScript 4 0 R>>>>",
    ),
    "a page's additional actions": pdf_bytes(
        b"<</S/GoTo/D[3 0 R/Fit]>>",
        page=b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]/AA<</O 4 0 R>>>>",
    ),
    "a script whose name is escaped": pdf_bytes(
        b"<</S/J#61vaScript/J#53(app.alert\\(1\\))>>",
        catalog=b"<</Type/Catalog/Pages 2 0 R/OpenAction 4 0 R>>",
    ),
    "a script compressed in an object stream": pdf_with_object_stream(
        b"<</S/JavaScript/JS(app.alert\\(1\\))>>"
    ),
    "a launch action": pdf_bytes(
        b"<</S/Launch/F(C:\\\\Windows\\\\System32\\\\calc.exe)>>",
        catalog=b"<</Type/Catalog/Pages 2 0 R/OpenAction 4 0 R>>",
    ),
}


def png_header_bytes(width, height):
    """A tiny PNG whose header claims width × height pixels (a decompression bomb's header)."""

    def chunk(kind, data):
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    row = b"\x00" + b"\x00" * min(width, 1024)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row))
        + chunk(b"IEND", b"")
    )


def header_only_image(image_format, size):
    """A tiny image of this format whose header claims `size`: a real 1 × 1 image with the
    dimensions in its header rewritten."""
    width, height = size
    if image_format == "PNG":
        return png_header_bytes(width, height)
    buffer = io.BytesIO()
    Image.new("RGB", (1, 1)).save(buffer, image_format)
    data = bytearray(buffer.getvalue())
    if image_format == "GIF":  # the logical screen: width, height, little-endian
        data[6:10] = struct.pack("<HH", width, height)
    elif image_format == "JPEG":  # the start of frame: length, precision, height, width
        start = data.index(b"\xff\xc0") + 5
        data[start : start + 4] = struct.pack(">HH", height, width)
    return bytes(data)


class _FillsDisk(File):
    """The content as the storage writes it, until `room` bytes are written: then ENOSPC."""

    def __init__(self, content, room):
        super().__init__(content, name=content.name)
        self.room = room

    def chunks(self, chunk_size=None):
        written = 0
        for chunk in self.file.chunks(chunk_size):
            if written + len(chunk) > self.room:
                yield chunk[: self.room - written]
                raise OSError(errno.ENOSPC, "No space left on device")
            written += len(chunk)
            yield chunk
        # A file smaller than the room left still fails, when its last block is flushed.
        raise OSError(errno.ENOSPC, "No space left on device")


class FullDiskStorage(FileSystemStorage):
    """The real media directory, whose disk fills on save number `fails_on` (counting from 1)
    after `room` bytes of that file are on disk: a fragment is left, as a real disk leaves."""

    fails_on = 1
    room = 340
    saves = 0

    def _save(self, name, content):
        type(self).saves += 1
        if type(self).saves == self.fails_on:
            content = _FillsDisk(content, self.room)
        return super()._save(name, content)


@pytest.fixture
def full_disk(settings):
    """The default storage fills up on its next save (set `fails_on` and `room` to vary)."""
    FullDiskStorage.fails_on, FullDiskStorage.room, FullDiskStorage.saves = 1, 340, 0
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.uploads.conftest.FullDiskStorage"},
    }
    return FullDiskStorage


@pytest.fixture
def stored_files(settings):
    """The files under MEDIA_ROOT, as a function: what is on the disk now."""

    def files():
        root = Path(settings.MEDIA_ROOT)
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())

    return files
