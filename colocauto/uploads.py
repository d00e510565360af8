"""Checks for uploaded files: real content, allowed type, bounded size."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def validate_size(upload) -> None:
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("This file is too large (%(size)s); the limit is %(limit)s."),
            code="file_too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )


def validate_photo(upload) -> None:
    """A JPEG, PNG or WebP picture that Pillow can actually decode, within the size limit."""
    validate_size(upload)
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("This file is not a picture we can read. Upload a JPEG, PNG or WebP photo."), code="invalid_image"
        ) from None
    finally:
        upload.seek(position)
    if image_format not in IMAGE_FORMATS:
        raise ValidationError(
            _("Pictures must be JPEG, PNG or WebP (this one is %(format)s)."),
            code="invalid_image_type",
            params={"format": image_format},
        )
