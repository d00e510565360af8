"""Receipts attached to expenses, checked by content, never by name: a picture (JPEG, PNG, WebP), re-encoded
like every picture (upright, bounded size, no EXIF and so no GPS position), or a PDF that really parses,
within a byte size and a page count, stored as sent."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject

from colocauto.core.files import IMAGE_FORMATS, NEVER_STORED, PDF_FORMATS, private_file_response
from colocauto.uploads import IMAGE_EXTENSIONS, normalised_photo, stored_image_format, validate_photo, validate_size

PDF_MAGIC = b"%PDF-"
# What a stored receipt may be served as: the format found in its content → its content type.
RECEIPT_TYPES = IMAGE_FORMATS | PDF_FORMATS
# Enough to read every line of a till receipt or an invoice.
RECEIPT_MAX_SIDE = 2000
RECEIPT_TYPE_MESSAGE = _("A receipt must be a photo (JPEG, PNG or WebP) or a PDF document.")
# What is said about a picture that is one (too large, too many pixels) stands; anything else means the
# file is no receipt we take.
_PICTURE_CODES_KEPT = {"file_too_large", "too_many_pixels"}


def is_pdf(upload: File[bytes]) -> bool:
    """Whether the upload says it is a PDF (its first bytes); ``validate_pdf`` checks that it is one."""
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        return bytes(upload.read(len(PDF_MAGIC))) == PDF_MAGIC
    finally:
        upload.seek(position)


def _page_count(reader: PdfReader, *, limit: int) -> int:
    """The pages in the document's page tree, counted no further than ``limit + 1``, so that a file claiming
    few pages but holding many costs no more than one within the limit. Raises PdfReadError on anything
    that is not a page tree (a loop, a node that is not a dictionary)."""
    count, visited, stack = 0, 0, [reader.root_object["/Pages"]]
    while stack and count <= limit:
        node = stack.pop().get_object()
        visited += 1
        if visited > 10 * (limit + 1) or not isinstance(node, DictionaryObject):
            raise PdfReadError("not a page tree")
        if "/Kids" in node:
            kids = node["/Kids"].get_object()
            if not isinstance(kids, ArrayObject):
                raise PdfReadError("not a page tree")
            stack.extend(reversed(kids))
        else:
            count += 1
    return count


def _pdf_pages(upload: File[bytes]) -> int | None:
    """The number of pages (up to one past the limit), or None when the PDF is encrypted."""
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        reader = PdfReader(upload)
        if reader.is_encrypted:
            return None
        return _page_count(reader, limit=settings.RECEIPT_PDF_MAX_PAGES)
    except Exception:  # pypdf raises errors of many kinds (KeyError, ValueError…) on a broken file
        raise ValidationError(
            _("This PDF cannot be read. Send the document as your supplier gave it, or a photo of the receipt."),
            code="invalid_pdf",
        ) from None
    finally:
        upload.seek(position)


def validate_pdf(upload: File[bytes]) -> None:
    """A PDF that pypdf parses, not encrypted, within RECEIPT_PDF_MAX_BYTES and RECEIPT_PDF_MAX_PAGES."""
    validate_size(
        upload,
        limit=settings.RECEIPT_PDF_MAX_BYTES,
        message=_("This PDF is too large (%(size)s); the limit is %(limit)s."),
    )
    pages = _pdf_pages(upload)
    if pages is None:
        raise ValidationError(
            _("This PDF is encrypted. Send a copy without protection, or a photo of the receipt."),
            code="encrypted_pdf",
        )
    if pages == 0:
        raise ValidationError(_("This PDF has no page."), code="invalid_pdf")
    if pages > settings.RECEIPT_PDF_MAX_PAGES:
        raise ValidationError(
            _("A receipt can have at most %(limit)d pages; keep only the pages of this expense."),
            code="too_many_pages",
            params={"limit": settings.RECEIPT_PDF_MAX_PAGES},
        )


def _as_receipt_error(error: ValidationError) -> ValidationError:
    if error.code in _PICTURE_CODES_KEPT:
        return error
    return ValidationError(RECEIPT_TYPE_MESSAGE, code="invalid_receipt")


def validate_receipt(upload: File[bytes]) -> None:
    """A PDF that parses, or a picture we can store; reads the file, decodes no picture."""
    validate_size(upload)
    if is_pdf(upload):
        validate_pdf(upload)
        return
    try:
        validate_photo(upload, max_side=RECEIPT_MAX_SIDE)
    except ValidationError as error:
        raise _as_receipt_error(error) from None


def normalised_receipt(upload: File[bytes]) -> File[bytes]:
    """What is stored for a receipt: a PDF as sent, once it parses; a picture re-encoded like every picture."""
    validate_size(upload)
    if is_pdf(upload):
        validate_pdf(upload)
        return upload
    try:
        return normalised_photo(upload, max_side=RECEIPT_MAX_SIDE)
    except ValidationError as error:
        raise _as_receipt_error(error) from None


def receipt_upload_to(instance: Any, filename: str) -> str:  # an Expense: models.py imports this module
    """A random name under the community; the extension follows the content, never the uploader's name."""
    upload = instance.receipt.file
    position = upload.tell()
    extension = "pdf" if is_pdf(upload) else IMAGE_EXTENSIONS.get(stored_image_format(upload) or "", "bin")
    upload.seek(position)
    return f"receipts/{instance.community_id}/{secrets.token_hex(12)}.{extension}"


def receipt_response(receipt: FieldFile) -> FileResponse:
    """The stored receipt as what it holds (404 when it is missing or neither a photo nor a PDF), for a view
    that found the expense for this person. A receipt is personal financial data, a photo of one too: never
    kept by a browser or a proxy."""
    response = private_file_response(receipt, allowed=RECEIPT_TYPES)
    response["Cache-Control"] = NEVER_STORED
    return response
