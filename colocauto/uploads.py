"""Checks for uploaded files: real content, allowed type, bounded size; and the one way pictures are stored.

Every picture (vehicle photos, incident photos, receipts) goes through ``normalised_photo``. Pictures are
the memory risk of uploads: a 0.2 MB PNG of one colour decodes to 240 MB. So a picture is decoded only once
its header shows that decoding and shrinking it fits in ``settings.IMAGE_DECODE_MAX_BYTES``. A JPEG is
decoded straight at 1/2, 1/4 or 1/8 of its size (``draft``); PNG and WebP decode in full, so the same
budget lets them have fewer pixels.
"""

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, PngImagePlugin, UnidentifiedImageError

from colocauto.text import StrOrPromise

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
IMAGE_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
FORMAT_NAMES = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
PHOTO_MAX_SIDE = 1280
# Whatever the memory, no photo needs more pixels than this.
PHOTO_MAX_MEGAPIXELS = 60
_UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError)
# PNG text chunks are dropped anyway; Pillow would hold up to 64 MB of them while reading the header.
PngImagePlugin.MAX_TEXT_MEMORY = 4 * 1024 * 1024


FILE_TOO_LARGE = _("This file is too large (%(size)s); the limit is %(limit)s.")


def validate_size(upload, *, limit: int | None = None, message: StrOrPromise = FILE_TOO_LARGE) -> None:
    """At most ``limit`` bytes (``settings.UPLOAD_MAX_BYTES`` unless said); ``message`` names the kind of file."""
    limit = settings.UPLOAD_MAX_BYTES if limit is None else limit
    if upload.size > limit:
        raise ValidationError(
            message,
            code="file_too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )


def _unreadable() -> ValidationError:
    return ValidationError(
        _("This file is not a picture we can read. Upload a JPEG, PNG or WebP photo."), code="invalid_image"
    )


# --- What decoding a picture costs, read from its header --------------------------------------


def _pixel_bytes(mode: str) -> int:
    """Bytes Pillow keeps per decoded pixel: one for bilevel, grey and palette pictures, two for 16-bit
    grey, four for everything else (RGB is stored as RGBX)."""
    if mode in ("1", "L", "P"):
        return 1
    return 2 if mode.startswith("I;16") else 4


def _fitted(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """``size`` shrunk to fit a ``max_side`` square, keeping its proportions."""
    ratio = min(1, max_side / max(size))
    return max(1, round(size[0] * ratio)), max(1, round(size[1] * ratio))


def _jpeg_scale(size: tuple[int, int], target: tuple[int, int]) -> int:
    """The scale Pillow's JPEG ``draft`` picks: the largest of 8, 4, 2 that still covers ``target``, else 1."""
    ratio = min(size[0] // target[0], size[1] // target[1])
    return next((scale for scale in (8, 4, 2) if ratio >= scale), 1)


def _jpeg_has_several_scans(image: Image.Image, upload) -> bool:
    """Progressive, or sequential with a first scan that carries fewer components than the picture.

    Walks the markers up to the first scan; anything unexpected counts as yes."""
    if image.info.get("progressive"):
        return True
    position = upload.tell()
    try:
        upload.seek(2)
        while upload.read(1) == b"\xff":
            marker = upload.read(1)
            while marker == b"\xff":  # fill bytes
                marker = upload.read(1)
            length = int.from_bytes(upload.read(2), "big")
            if marker == b"\xda":
                components = upload.read(1)
                return not components or components[0] < image.layers
            if not marker or length < 2:
                return True
            upload.seek(length - 2, os.SEEK_CUR)
        return True
    finally:
        upload.seek(position)


@dataclass(frozen=True)
class _Decoding:
    """What decoding a picture of this kind costs, from its header alone; measured with Pillow 13
    (tests/test_image_memory.py checks the bound holds)."""

    format: str
    mode: str
    # JPEG decoded in several scans: libjpeg holds every DCT coefficient of the full-size picture (2 bytes
    # each) whatever the draft scale; the (horizontal, vertical) sampling of each component says how many.
    sampling: tuple[tuple[int, int], ...] = ()

    @classmethod
    def of(cls, image: Image.Image, upload) -> "_Decoding":
        several_scans = image.format == "JPEG" and _jpeg_has_several_scans(image, upload)
        return cls(image.format, image.mode, tuple((h, v) for _, h, v, _ in image.layer) if several_scans else ())

    def peak_bytes(self, size: tuple[int, int], max_side: int) -> int:
        """Decoding: the picture as decoded (a JPEG at its draft scale), plus a quarter for the reduced copy
        made while shrinking it; twice that with alpha, which shrinking premultiplies into a second full
        copy. libwebp also keeps two full RGBA canvases and hands over a copy of the frame (three times
        four bytes a pixel). Then the shrunk picture, twice (the thumbnail, and the copy turned upright or
        encoded)."""
        target = _fitted(size, max_side)
        scale = _jpeg_scale(size, target) if self.format == "JPEG" else 1
        decoded = -(-size[0] // scale) * -(-size[1] // scale)
        peak = decoded * _pixel_bytes(self.mode) * (2 if self.mode in ("LA", "RGBA") else 1)
        if self.format == "WEBP":
            peak += decoded * 3 * 4
        peak = peak * 5 // 4 + target[0] * target[1] * 4 * 2
        if self.sampling:
            h_max = max(h for h, _ in self.sampling) or 1
            v_max = max(v for _, v in self.sampling) or 1
            peak += sum(
                math.ceil(size[0] * h / h_max / 8) * math.ceil(size[1] * v / v_max / 8) * 64 * 2
                for h, v in self.sampling
            )
        return peak

    def largest_within(self, size: tuple[int, int], max_side: int, budget: int) -> float:
        """The megapixels of the largest picture of this kind and proportions whose decoding fits ``budget``."""
        low, high = 0.0, 1.0
        for _step in range(30):
            middle = (low + high) / 2
            scaled = (max(1, int(size[0] * middle)), max(1, int(size[1] * middle)))
            low, high = (middle, high) if self.peak_bytes(scaled, max_side) <= budget else (low, middle)
        return int(size[0] * low) * int(size[1] * low) / 1_000_000


@contextmanager
def _opened_within_limits(upload, *, max_side: int, max_megapixels: int) -> Iterator[Image.Image]:
    """The picture in ``upload``, opened but not decoded, refused unless decoding it fits the limits.

    A JPEG is set to decode straight at the smallest scale that still covers ``max_side``."""
    upload.seek(0)
    with Image.open(upload) as image:
        if image.format not in IMAGE_FORMATS:
            raise ValidationError(
                _("Pictures must be JPEG, PNG or WebP (this one is %(format)s)."),
                code="invalid_image_type",
                params={"format": image.format},
            )
        megapixels = image.width * image.height / 1_000_000
        decoding = _Decoding.of(image, upload)
        budget = settings.IMAGE_DECODE_MAX_BYTES
        if megapixels > max_megapixels or decoding.peak_bytes(image.size, max_side) > budget:
            limit = min(max_megapixels, decoding.largest_within(image.size, max_side, budget))
            raise ValidationError(
                _(
                    "This picture is too big (%(size)d megapixels); the limit for a %(format)s picture like this "
                    "one is %(limit)d megapixels. Send a smaller version."
                ),
                code="too_many_pixels",
                params={
                    "size": math.ceil(megapixels),
                    "limit": math.floor(limit),
                    "format": FORMAT_NAMES[image.format],
                },
            )
        image.draft(None, _fitted(image.size, max_side))
        yield image


# --- Checking and storing pictures --------------------------------------------------------------


def _check_picture(upload, *, max_side: int, max_megapixels: int) -> None:
    """Size, content and decoding cost; reads headers and chunks, decodes nothing."""
    validate_size(upload)
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
        with _opened_within_limits(upload, max_side=max_side, max_megapixels=max_megapixels):
            pass
    except _UNREADABLE:
        raise _unreadable() from None


def validate_photo(upload, *, max_side: int = PHOTO_MAX_SIDE, max_megapixels: int = PHOTO_MAX_MEGAPIXELS) -> None:
    """A JPEG, PNG or WebP picture that Pillow can actually decode, within the size and memory limits."""
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        _check_picture(upload, max_side=max_side, max_megapixels=max_megapixels)
    finally:
        upload.seek(position)


def normalised_photo(
    upload, *, max_side: int = PHOTO_MAX_SIDE, max_megapixels: int = PHOTO_MAX_MEGAPIXELS
) -> ContentFile:
    """Check the upload, then re-encode it: upright, at most ``max_side`` pixels, without EXIF (GPS…),
    comment or text chunks, named at random with the extension of the format Pillow found (never the uploader's).

    Decodes only within ``settings.IMAGE_DECODE_MAX_BYTES`` and releases the decoded picture before
    returning, so several pictures of one request are handled one at a time.
    Raises ValidationError with a translated message when the file is not a picture we accept.
    """
    _check_picture(upload, max_side=max_side, max_megapixels=max_megapixels)
    buffer = BytesIO()
    try:
        with _opened_within_limits(upload, max_side=max_side, max_megapixels=max_megapixels) as source:
            image_format = source.format
            source.thumbnail((max_side, max_side))  # decodes, then shrinks in place: no full-size copy
            ImageOps.exif_transpose(source, in_place=True)  # on the small picture
            source.info.pop("comment", None)  # Pillow would copy a JPEG comment over
            image = source.convert("RGB") if image_format == "JPEG" and source.mode not in ("RGB", "L") else source
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
