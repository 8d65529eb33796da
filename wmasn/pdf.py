"""Whether uploaded bytes are a PDF, and one that runs nothing when it is opened.

A PDF starts with `%PDF-` at its first byte and parses: pypdf reads its cross-reference
table and trailer (rebuilding a damaged table as PDF readers do). A file with `%PDF-`
somewhere further on is not a PDF; an HTML page that hides the marker in a comment is a web
page, and a browser would treat it as one.

The parsed objects are walked from the trailer, the way a reader reaches them, so compressed
object streams and names spelt with `#xx` escapes (`/J#61vaScript`) are seen as the reader
sees them. A PDF with JavaScript, actions that run by themselves (`/AA`, an `/OpenAction`
that is a script) or an action that starts a program (`/Launch`) is refused: papers and
newsletter documents are text and pictures, and a PDF made by Word or "Print to PDF" has
none of these.
"""

import io
import logging

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

MAGIC = b"%PDF-"
# Where a PDF's last `%%EOF` must be (readers look in the last kilobyte; some writers pad).
TAIL_BYTES = 4096

# Keys whose presence means the document carries a script or runs actions by itself.
ACTIVE_KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/AA": "actions that run by themselves when it is opened or read",
}
# Action types (`/S`) that run code or another program.
ACTIVE_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": "an action that starts another program",
    "/ImportData": "an action that imports data from another file",
}

# pypdf reports every repair of a damaged file as a warning; the verdict is what counts.
logging.getLogger("pypdf").setLevel(logging.ERROR)


class NotAPdf(Exception):
    """The bytes do not parse as a PDF."""


class NeedsPassword(Exception):
    """The PDF is encrypted with a password, so what it contains cannot be checked."""


def has_pdf_shape(data):
    """`%PDF-` at offset 0 and `%%EOF` near the end: what every PDF looks like outside."""
    return data.startswith(MAGIC) and b"%%EOF" in data[-TAIL_BYTES:]


def _reader(data):
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise NeedsPassword
        root = reader.trailer["/Root"].get_object()
        if not isinstance(root, DictionaryObject) or "/Pages" not in root:
            raise NotAPdf
    except (NeedsPassword, NotAPdf):
        raise
    except Exception as error:
        # A damaged or hostile file makes pypdf raise many kinds of error (PdfReadError,
        # KeyError, ValueError, RecursionError, zlib.error…): each means "not a PDF".
        raise NotAPdf from error
    return reader


def _walk(reader):
    """Every dictionary reachable from the trailer, each object once."""
    seen = set()
    stack = [reader.trailer]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            yield item
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)


def active_content(data):
    """What in this PDF would run when it is opened ("JavaScript"…), or None.

    Raises NotAPdf when the bytes do not parse as a PDF, NeedsPassword when they are
    encrypted with a password.
    """
    if not has_pdf_shape(data):
        raise NotAPdf
    reader = _reader(data)
    try:
        for dictionary in _walk(reader):
            for key, what in ACTIVE_KEYS.items():
                if key in dictionary:
                    return what
            action = dictionary.get("/S")
            if isinstance(action, str) and action in ACTIVE_ACTIONS:
                return ACTIVE_ACTIONS[action]
    except Exception as error:
        raise NotAPdf from error
    return None
