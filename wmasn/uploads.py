"""One upload pipeline for images and documents, used by every app that takes files.

    checked = validate_upload(request_file, kind="document")   # or kind="image"

checks a file by what it contains, never by its name (an HTML page, an SVG or a script
renamed `report.pdf` is refused with a clear message; a PDF must start as one, parse, and
carry no JavaScript: wmasn/pdf.py), against the size and pixel limits in settings, and gives
it a safe name. Images are re-encoded with Pillow, which drops EXIF (GPS included) and every
other metadata chunk, at a web size and an email size. Files are stored only through
Django's default storage (`STORAGES["default"]`), in a random directory, so no address of a
file can be guessed; apps serve them through a view that checks access (wmasn/downloads.py).

A storage that fails while writing (a full disk) leaves nothing behind: the half-written
file and the row's other files are deleted (wmasn/storing.py), and `UploadAdmin` turns the
failure into a form error instead of a server error. A replaced file is deleted only once
the new row commits.

Apps build on the abstract `StoredImage` and `StoredDocument` models, the
`ImageUploadForm` / `DocumentUploadForm` ModelForms and the `UploadAdmin` mixin below.
"""

import io
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html
from django.utils.text import get_valid_filename, slugify
from PIL import Image, ImageOps, UnidentifiedImageError

from wmasn import pdf
from wmasn.storing import UploadNotStored, files_removed_on_error, store_file

IMAGE = "image"
DOCUMENT = "document"
KINDS = (IMAGE, DOCUMENT)

SAFE_NAME_LENGTH = 80
# Enough of a file's start to recognise it.
HEAD_BYTES = 2048
# [Content_Types].xml of a real Office file is a few kilobytes; never inflate more.
CONTENT_TYPES_MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class FileType:
    label: str  # shown to people: "PDF", "Word"
    extension: str
    content_type: str


PDF = FileType("PDF", "pdf", "application/pdf")
DOCX = FileType(
    "Word",
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)
XLSX = FileType(
    "Excel", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)
PPTX = FileType(
    "PowerPoint",
    "pptx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
)
DOC = FileType("Word", "doc", "application/msword")
XLS = FileType("Excel", "xls", "application/vnd.ms-excel")
PPT = FileType("PowerPoint", "ppt", "application/vnd.ms-powerpoint")
ODT = FileType("OpenDocument text", "odt", "application/vnd.oasis.opendocument.text")
ODS = FileType("OpenDocument spreadsheet", "ods", "application/vnd.oasis.opendocument.spreadsheet")
ODP = FileType(
    "OpenDocument presentation", "odp", "application/vnd.oasis.opendocument.presentation"
)
JPEG = FileType("JPEG image", "jpg", "image/jpeg")
PNG = FileType("PNG image", "png", "image/png")

# The main part each Office Open XML type declares in [Content_Types].xml. Macro-enabled
# variants (.docm, .xlsm, .pptm) declare other types and are refused.
OOXML_MAIN_PARTS = {
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
}
ODF_MIMETYPES = {t.content_type.encode(): t for t in (ODT, ODS, ODP)}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Legacy Office files are OLE containers; the main stream's name says which program made it.
OLE_STREAMS = [
    ("WordDocument".encode("utf-16-le"), DOC),
    ("Workbook".encode("utf-16-le"), XLS),
    ("Book".encode("utf-16-le"), XLS),
    ("PowerPoint Document".encode("utf-16-le"), PPT),
]
# What a refused file looks like, for a message that helps the person who sent it.
LOOKS_LIKE = [
    (b"<!doctype html", "a web page (HTML)"),
    (b"<html", "a web page (HTML)"),
    (b"<svg", "an SVG image"),
    (b"<?xml", "an XML or SVG file"),
    (b"<script", "a script"),
    (b"#!", "a script"),
    (b"mz", "a Windows program"),
    (b"\x7felf", "a program"),
]
# The image formats Pillow may open; anything else (SVG, PSD, TIFF…) is refused.
IMAGE_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}

DOCUMENT_TYPES_TEXT = "PDF, Word, Excel, PowerPoint or OpenDocument"
IMAGE_TYPES_TEXT = "JPEG, PNG, GIF or WebP"


def max_bytes(kind):
    if kind == IMAGE:
        return settings.WMASN_UPLOAD_MAX_IMAGE_BYTES
    return settings.WMASN_UPLOAD_MAX_DOCUMENT_BYTES


def size_label(size):
    """ "240 KB", "1.2 MB": the size as people read it."""
    return str(filesizeformat(size)).replace("\xa0", " ")


def file_label(type_label, size):
    """ "PDF, 240 KB": a document's type and size, for a link to it."""
    return f"{type_label}, {size_label(size)}"


def safe_filename(name, extension):
    """A name safe in any storage and any Content-Disposition: ASCII, dashed, the real
    extension (from the content, never the uploaded name)."""
    stem = slugify(PurePath(name or "").stem)[:SAFE_NAME_LENGTH].strip("-_")
    return f"{get_valid_filename(stem) if stem else 'file'}.{extension}"


def random_upload_path(instance, filename):
    """`<directory>/<random>/<name>`: an address nobody can guess or enumerate."""
    directory = getattr(instance, "upload_directory", "uploads")
    return f"{directory}/{secrets.token_hex(16)}/{filename}"


@dataclass(frozen=True)
class CheckedUpload:
    """A file that passed the checks: its real type, its size and a safe name."""

    kind: str
    file_type: FileType | None  # None for images, whose output type depends on them
    size: int
    original_name: str
    safe_name: str
    content: bytes

    @property
    def label(self):
        return file_label(self.file_type.label, self.size) if self.file_type else ""


def _read_all(file, limit):
    """The file's bytes, refusing it as soon as it proves bigger than `limit`."""
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(limit + 1)
    if hasattr(file, "seek"):
        file.seek(0)
    return data


def _looks_like(head):
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    for prefix, what in LOOKS_LIKE:
        if start.startswith(prefix):
            return what
    if b"<script" in start[:HEAD_BYTES] or b"<html" in start[:HEAD_BYTES]:
        return "a web page (HTML)"
    return None


def _zip_document_type(data):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if names and names[0] == "mimetype":
        # ODF: the first entry, stored uncompressed, is the document's media type.
        try:
            return ODF_MIMETYPES.get(archive.read("mimetype")[:100].strip())
        except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):
            return None
    if "[Content_Types].xml" in names:
        info = archive.getinfo("[Content_Types].xml")
        if info.file_size > CONTENT_TYPES_MAX_BYTES:
            return None
        try:
            content_types = archive.read(info)
        except (zipfile.BadZipFile, OSError, RuntimeError):
            return None
        for main_part, file_type in OOXML_MAIN_PARTS.items():
            if main_part in content_types:
                return file_type
    return None


def _ole_document_type(data):
    for stream_name, file_type in OLE_STREAMS:
        if stream_name in data:
            return file_type
    return None


def detect_document_type(data):
    """The document type of these bytes, by their content alone; None if not a document."""
    head = data[:HEAD_BYTES]
    if head.startswith(pdf.MAGIC):
        return PDF if pdf.has_pdf_shape(data) else None
    if head.startswith(b"PK\x03\x04"):
        return _zip_document_type(data)
    if head.startswith(OLE_MAGIC):
        return _ole_document_type(data)
    return None


def _refuse(name, expected, data):
    what = _looks_like(data[:HEAD_BYTES])
    found = f": its content looks like {what}" if what else ""
    return ValidationError(
        f"“{name}” is not a {expected} file{found}. Files are checked by what they contain, "
        "not by their name.",
        code="wrong_type",
    )


def _check_pdf(name, data):
    try:
        found = pdf.active_content(data)
    except pdf.NotAPdf:
        raise _refuse(name, DOCUMENT_TYPES_TEXT, data) from None
    except pdf.NeedsPassword:
        raise ValidationError(
            f"“{name}” is protected by a password, so what it contains cannot be checked. "
            "Upload a copy without a password.",
            code="pdf_password",
        ) from None
    if found:
        raise ValidationError(
            f"“{name}” contains {found}, which could run when someone opens it. Save it "
            "again without scripts (for example with “Print to PDF”) and upload that copy.",
            code="pdf_active_content",
        )


def _image_header(data):
    """(width, height) as the header of a JPEG, PNG, GIF or WebP states them, or None.

    Pillow's `Image.open()` refuses an image of more than twice `Image.MAX_IMAGE_PIXELS`
    with a DecompressionBombError that gives no size; its format plugins read only the
    header, so a pixel bomb is refused by its size, in words, before anything is decoded.
    """
    Image.init()
    prefix = data[:16]  # what Pillow's own open() gives each format's `accept`
    for image_format in sorted(IMAGE_FORMATS & Image.OPEN.keys()):
        factory, accept = Image.OPEN[image_format]
        recognised = accept(prefix) if accept else True
        if not recognised or isinstance(recognised, str):
            continue
        try:
            with factory(io.BytesIO(data)) as image:
                return image.size
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError):
            continue
    return None


def _megapixels(pixels):
    return f"{round(pixels / 1_000_000, 1):,g}"


def _check_image(name, data):
    limit = settings.WMASN_UPLOAD_MAX_IMAGE_PIXELS
    size = _image_header(data)
    if size is None:
        raise _refuse(name, IMAGE_TYPES_TEXT, data)
    width, height = size
    if width * height > limit:
        raise ValidationError(
            f"“{name}” is {width:,} × {height:,} pixels ({_megapixels(width * height)} "
            f"megapixels); the limit is {_megapixels(limit)} megapixels. Make it smaller "
            "and upload it again.",
            code="too_many_pixels",
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in IMAGE_FORMATS:
                raise _refuse(name, IMAGE_TYPES_TEXT, data)
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _refuse(name, IMAGE_TYPES_TEXT, data) from None


def validate_upload(file, kind=DOCUMENT):
    """Check an uploaded file; return a CheckedUpload or raise a ValidationError that says
    what is wrong in words the person who uploaded it understands."""
    if kind not in KINDS:
        raise ValueError(f"Unknown upload kind {kind!r}.")
    name = PurePath(getattr(file, "name", "") or "file").name
    limit = max_bytes(kind)
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            f"“{name}” is {size_label(size)}; the limit is {size_label(limit)}.", code="too_big"
        )
    data = _read_all(file, limit)
    if len(data) > limit:
        raise ValidationError(f"“{name}” is bigger than {size_label(limit)}.", code="too_big")
    if not data:
        raise ValidationError(f"“{name}” is empty.", code="empty")
    if kind == IMAGE:
        _check_image(name, data)
        file_type = None
        safe_name = safe_filename(name, "img")
    else:
        file_type = detect_document_type(data)
        if file_type is None:
            raise _refuse(name, DOCUMENT_TYPES_TEXT, data)
        if file_type is PDF:
            _check_pdf(name, data)
        safe_name = safe_filename(name, file_type.extension)
    return CheckedUpload(
        kind=kind,
        file_type=file_type,
        size=len(data),
        original_name=name[:255],
        safe_name=safe_name,
        content=data,
    )


@dataclass(frozen=True)
class Rendition:
    content: ContentFile
    width: int
    height: int
    file_type: FileType


def render_image(data, max_width, *, name="image"):
    """The image re-encoded at most `max_width` wide, upright, with no metadata at all.

    Re-encoding from pixels is what strips EXIF (GPS, camera, owner), XMP, IPTC and text
    chunks; the orientation EXIF asked for is applied to the pixels first.
    """
    with Image.open(io.BytesIO(data)) as source:
        source.seek(0)  # the first frame of an animation
        image = ImageOps.exif_transpose(source)
        has_alpha = image.mode in ("RGBA", "LA", "PA") or (
            image.mode == "P" and "transparency" in image.info
        )
        image = image.convert("RGBA" if has_alpha else "RGB")
        if image.width > max_width:
            height = max(1, round(image.height * max_width / image.width))
            image = image.resize((max_width, height), Image.Resampling.LANCZOS)
        # A fresh image from the pixels alone carries no info, EXIF or ICC from the source.
        clean = Image.new(image.mode, image.size)
        clean.paste(image)
    output = io.BytesIO()
    if has_alpha:
        file_type = PNG
        clean.save(output, "PNG", optimize=True)
    else:
        file_type = JPEG
        clean.save(output, "JPEG", quality=85, optimize=True, progressive=True)
    stem = PurePath(name).stem
    return Rendition(
        content=ContentFile(output.getvalue(), name=f"{stem}.{file_type.extension}"),
        width=clean.width,
        height=clean.height,
        file_type=file_type,
    )


class StoredFile(models.Model):
    """What every stored upload keeps: the name it came with, when."""

    upload_directory = "uploads"

    original_name = models.CharField(max_length=255, blank=True, editable=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def stored_files(self):
        """The FieldFiles of this row, for cleaning up storage."""
        return [
            getattr(self, f.name)
            for f in self._meta.concrete_fields
            if isinstance(f, models.FileField) and getattr(self, f.name)
        ]

    def delete_stored_files(self):
        for field_file in self.stored_files():
            field_file.storage.delete(field_file.name)

    def _store_all(self, checked, renditions):
        """Store each (field name, ContentFile); all of them, or none if one fails."""
        stored = []
        try:
            for field_name, content in renditions:
                storage = self._meta.get_field(field_name).storage
                name = store_file(self, field_name, content, checked.original_name)
                stored.append((storage, name))
        except UploadNotStored:
            for storage, name in stored:
                storage.delete(name)
            raise


class StoredDocument(StoredFile):
    """A checked document (PDF, Word, Excel, PowerPoint, ODF) in the default storage."""

    upload_directory = "documents"

    file = models.FileField(upload_to=random_upload_path, max_length=300, editable=False)
    content_type = models.CharField(max_length=100, editable=False)
    type_label = models.CharField(max_length=40, editable=False)
    size = models.PositiveIntegerField(editable=False)

    class Meta:
        abstract = True

    def set_upload(self, checked):
        """Store a CheckedUpload as this row's file (the row itself is saved by the caller).

        Raises UploadNotStored, with nothing stored, when the storage fails."""
        self._store_all(checked, [("file", ContentFile(checked.content, name=checked.safe_name))])
        self.original_name = checked.original_name
        self.content_type = checked.file_type.content_type
        self.type_label = checked.file_type.label
        self.size = checked.size

    @property
    def label(self):
        return file_label(self.type_label, self.size)

    @property
    def filename(self):
        return PurePath(self.file.name).name

    def admin_link(self):
        """The stored file as the admin lists it: a link, its name, "(PDF, 240 KB)"."""
        if not self.pk:
            return "—"
        return format_html(
            '<a href="{}">{}</a> ({})', self.get_absolute_url(), self.filename, self.label
        )


class StoredImage(StoredFile):
    """A checked image, stored as two metadata-free renditions: for the web and for email."""

    upload_directory = "images"

    web = models.FileField(upload_to=random_upload_path, max_length=300, editable=False)
    web_width = models.PositiveIntegerField(editable=False)
    web_height = models.PositiveIntegerField(editable=False)
    email = models.FileField(upload_to=random_upload_path, max_length=300, editable=False)
    email_width = models.PositiveIntegerField(editable=False)
    email_height = models.PositiveIntegerField(editable=False)
    alt_text = models.CharField(
        max_length=300,
        help_text="What the photo shows, for people who cannot see it. Required.",
    )

    class Meta:
        abstract = True

    def set_upload(self, checked):
        """Render and store both sizes of a CheckedUpload image.

        Raises UploadNotStored, with neither size stored, when the storage fails."""
        web = render_image(checked.content, settings.WMASN_IMAGE_WEB_WIDTH, name=checked.safe_name)
        email = render_image(
            checked.content, settings.WMASN_IMAGE_EMAIL_WIDTH, name=checked.safe_name
        )
        self._store_all(checked, [("web", web.content), ("email", email.content)])
        self.web_width, self.web_height = web.width, web.height
        self.email_width, self.email_height = email.width, email.height
        self.original_name = checked.original_name

    def email_display_size(self, max_width):
        """(width, height) to show the email rendition at most `max_width` CSS pixels wide;
        the rendition itself has twice the pixels for sharp phone screens."""
        width = min(max_width, self.email_width)
        return width, max(1, round(self.email_height * width / self.email_width))


class UploadField(forms.FileField):
    """A file field whose cleaned value is a CheckedUpload (or None when nothing new)."""

    def __init__(self, *, kind, **kwargs):
        self.kind = kind
        kwargs.setdefault(
            "help_text",
            (IMAGE_TYPES_TEXT if kind == IMAGE else DOCUMENT_TYPES_TEXT)
            + f", up to {size_label(max_bytes(kind))}.",
        )
        super().__init__(**kwargs)
        accept = "image/jpeg,image/png,image/gif,image/webp" if kind == IMAGE else None
        if accept:
            self.widget.attrs.setdefault("accept", accept)

    def clean(self, data, initial=None):
        file = super().clean(data, initial)
        if not file or file is initial:
            return None
        return validate_upload(file, kind=self.kind)


class _UploadForm(forms.ModelForm):
    """A ModelForm for a StoredImage/StoredDocument subclass, with one `upload` field:
    required when adding, optional (keep the file) when changing.

    `upload_failure` (an UploadNotStored, given by UploadAdmin when an earlier attempt to
    store this request's files failed) makes every new upload a form error saying so.
    """

    def __init__(self, *args, upload_failure=None, **kwargs):
        self.upload_failure = upload_failure
        super().__init__(*args, **kwargs)
        adding = self.instance._state.adding
        self.fields["upload"].required = adding
        if not adding:
            self.fields["upload"].help_text = (
                "Leave empty to keep the current file. " + self.fields["upload"].help_text
            )

    def has_changed(self):
        return super().has_changed() or bool(self.files and self.add_prefix("upload") in self.files)

    def clean(self):
        cleaned_data = super().clean()
        if self.upload_failure is not None and cleaned_data.get("upload") is not None:
            self.add_error("upload", ValidationError(self.upload_failure.message, "not_stored"))
        return cleaned_data

    def save(self, commit=True):
        checked = self.cleaned_data.get("upload")
        if checked is not None:
            old = [] if self.instance._state.adding else self.instance.stored_files()
            old = [(field_file.storage, field_file.name) for field_file in old]
            self.instance.set_upload(checked)
            # Only once the row points at the new file for good: if the save rolls back,
            # the row still points at the old one, which must still be there.
            for storage, name in old:
                transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
        return super().save(commit=commit)


class ImageUploadForm(_UploadForm):
    upload = UploadField(kind=IMAGE, label="Photo")


class DocumentUploadForm(_UploadForm):
    upload = UploadField(kind=DOCUMENT, label="File")


class UploadAdmin:
    """ModelAdmin mixin for admins whose inlines take uploads (`ImageUploadForm`,
    `DocumentUploadForm`): a storage failure (a full disk) is a form error, not a 500.

    The admin stores files while saving, after validation, inside its transaction. When
    storing fails, that transaction rolls back, the files this request stored are deleted,
    and the form is shown again with the reason on each file field; nothing was saved.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            with files_removed_on_error():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except UploadNotStored as failure:
            request.upload_failure = failure
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        failure = getattr(request, "upload_failure", None)
        if failure is not None and issubclass(inline.form, _UploadForm):
            kwargs["form_kwargs"] = {**kwargs.get("form_kwargs", {}), "upload_failure": failure}
        return kwargs
