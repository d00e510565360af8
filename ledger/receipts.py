"""Receipts attached to expenses: a photo (JPEG, PNG, WebP) or a PDF, checked by content and size."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from colocauto.uploads import validate_photo, validate_size

if TYPE_CHECKING:  # the model's upload_to is this module's function
    from ledger.models import Expense

PDF_MAGIC = b"%PDF-"
IMAGE_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
RECEIPT_TYPE_MESSAGE = _("A receipt must be a photo (JPEG, PNG or WebP) or a PDF document.")


def _read_head_and_tail(upload: File[bytes], length: int = 2048) -> tuple[bytes, bytes]:
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        head = upload.read(length)
        size = upload.size
        upload.seek(max(size - length, 0))
        tail = upload.read(length)
    finally:
        upload.seek(position)
    return head, tail


def is_pdf(upload: File[bytes]) -> bool:
    """A PDF starts with its magic number and ends (give or take trailing bytes) with ``%%EOF``."""
    head, tail = _read_head_and_tail(upload)
    return head.startswith(PDF_MAGIC) and b"%%EOF" in tail


def validate_receipt(upload: File[bytes]) -> None:
    validate_size(upload)
    if is_pdf(upload):
        return
    try:
        validate_photo(upload)
    except ValidationError as error:
        if error.code == "file_too_large":
            raise
        raise ValidationError(RECEIPT_TYPE_MESSAGE, code="invalid_receipt") from None


def receipt_upload_to(instance: Expense, filename: str) -> str:
    """A random name under the community; the extension follows the content, never the uploader's name."""
    upload = instance.receipt.file
    position = upload.tell()
    try:
        upload.seek(0)
        if upload.read(len(PDF_MAGIC)) == PDF_MAGIC:
            extension = "pdf"
        else:
            upload.seek(0)
            with Image.open(upload) as image:
                extension = IMAGE_EXTENSIONS.get(image.format or "", "jpg")
    except (UnidentifiedImageError, OSError):
        extension = "jpg"
    finally:
        upload.seek(position)
    return f"receipts/{instance.community_id}/{secrets.token_hex(12)}.{extension}"
