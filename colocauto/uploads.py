"""Checks for uploaded files: real content, allowed type, bounded size; and the one way photos are stored."""

from io import BytesIO
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
IMAGE_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
PHOTO_MAX_SIDE = 1280
# Decoding needs about 4 bytes a pixel: bound the memory a single upload can take.
PHOTO_MAX_MEGAPIXELS = 60
_UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError)


def validate_size(upload) -> None:
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("This file is too large (%(size)s); the limit is %(limit)s."),
            code="file_too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )


def _unreadable() -> ValidationError:
    return ValidationError(
        _("This file is not a picture we can read. Upload a JPEG, PNG or WebP photo."), code="invalid_image"
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
    except _UNREADABLE:
        raise _unreadable() from None
    finally:
        upload.seek(position)
    if image_format not in IMAGE_FORMATS:
        raise ValidationError(
            _("Pictures must be JPEG, PNG or WebP (this one is %(format)s)."),
            code="invalid_image_type",
            params={"format": image_format},
        )


def normalised_photo(
    upload, *, max_side: int = PHOTO_MAX_SIDE, max_megapixels: int = PHOTO_MAX_MEGAPIXELS
) -> ContentFile:
    """Check the upload, then re-encode it: upright, at most ``max_side`` pixels, without EXIF (GPS…) or
    text chunks, named at random with the extension of the format Pillow found (never the uploader's).

    Raises ValidationError with a translated message when the file is not a photo we accept.
    """
    validate_photo(upload)
    upload.seek(0)
    try:
        with Image.open(upload) as source:
            image_format = source.format
            megapixels = source.width * source.height / 1_000_000
            if megapixels > max_megapixels:
                raise ValidationError(
                    _("This picture is too big (%(size)d megapixels); the limit is %(limit)d. Send a smaller version."),
                    code="too_many_pixels",
                    params={"size": megapixels, "limit": max_megapixels},
                )
            source.draft("RGB", (max_side, max_side))  # JPEG decodes straight at a smaller scale
            image = ImageOps.exif_transpose(source)
            image.thumbnail((max_side, max_side))
            if image_format == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            buffer = BytesIO()
            options = {"quality": 85, "optimize": True} if image_format in ("JPEG", "WEBP") else {"optimize": True}
            image.save(buffer, format=image_format, **options)
    except _UNREADABLE:
        raise _unreadable() from None
    return ContentFile(buffer.getvalue(), name=f"{uuid4().hex}.{IMAGE_EXTENSIONS[image_format]}")


def stored_image_format(handle) -> str | None:
    """The format (JPEG, PNG, WEBP) Pillow finds in a stored file, or None when it is anything else.

    Files are served with the content type of this format, never one guessed from their name."""
    try:
        handle.seek(0)
        with Image.open(handle) as image:
            image_format = image.format
    except _UNREADABLE:
        return None
    finally:
        handle.seek(0)
    return image_format if image_format in IMAGE_FORMATS else None
