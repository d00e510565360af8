"""Serving a private upload (a vehicle photo, an incident photo, a receipt): the one way to do it.

The view checks who may see the file; ``private_file_response`` then serves it with the content type of
what the file really holds, never one guessed from its name, so a stored file that is not what it should
be is refused rather than shown to a browser as a page.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import IO

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

from colocauto.uploads import IMAGE_EXTENSIONS, IMAGE_FORMATS, stored_image_format

PDF = "PDF"
PDF_FORMATS = {PDF: "application/pdf"}
EXTENSIONS = {**IMAGE_EXTENSIONS, PDF: "pdf"}
_PDF_MAGIC = b"%PDF-"
# A person's own pictures may stay an hour in their own browser; anything else is never stored (see
# PrivatePagesMiddleware): a receipt or a statement is personal financial data.
PICTURE_CACHE = "private, max-age=3600"
NEVER_STORED = "private, no-store"

__all__ = ["IMAGE_FORMATS", "PDF_FORMATS", "content_format", "private_file_response"]


def content_format(handle: IO[bytes]) -> str | None:
    """What the file holds, read from its first bytes: "JPEG", "PNG", "WEBP", "PDF", or None."""
    handle.seek(0)
    header = handle.read(len(_PDF_MAGIC))
    handle.seek(0)
    if header == _PDF_MAGIC:
        return PDF
    return stored_image_format(handle)


def private_file_response(
    field_file: FieldFile, *, allowed: dict[str, str], filename: str | None = None
) -> FileResponse:
    """The stored file as an inline download, or 404 when it is missing or holds no format of ``allowed``.

    ``allowed`` maps a format found in the content ("JPEG", "PNG", "WEBP", "PDF") to the content type to
    answer (e.g. ``IMAGE_FORMATS``, or ``IMAGE_FORMATS | PDF_FORMATS``). ``filename`` is the name offered to
    the browser (by default the stored name's stem); when it has no extension, the one of the detected
    format is added, so a legacy "photo.html" holding a PNG is offered as "photo.png".
    """
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    found = content_format(handle)
    if found is None or found not in allowed:
        handle.close()
        raise Http404
    content_type = allowed[found]
    filename = filename or PurePosixPath(field_file.name).stem
    if not PurePosixPath(filename).suffix:
        filename = f"{filename}.{EXTENSIONS[found]}"
    response = FileResponse(handle, content_type=content_type, filename=filename)
    response["Cache-Control"] = PICTURE_CACHE if content_type.startswith("image/") else NEVER_STORED
    response["X-Content-Type-Options"] = "nosniff"
    return response
